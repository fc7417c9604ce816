import type { Command } from 'commander';
import { openRepo, run } from '../context.js';
import { printGitHint } from './git-hint.js';
import { jobsOption } from './transfer-flags.js';

export function registerUpdate(program: Command): Command {
  return program
    .command('update')
    .description('Move imports to the latest revision of their source (or to --rev), downloading only data that changed.')
    .argument('<targets...>', 'import pointer files (or the outputs they track)')
    .option('--rev <commit>', 'take this revision of the source instead, and follow it from now on')
    .addOption(jobsOption())
    .addHelpText(
      'after',
      `
Each import is read again from its source: at the branch or tag it follows (its rev), else the
source's default branch. The pointer file's rev_lock and md5 are updated; the data is downloaded
only when its hash changed. An import whose source commit is unchanged is skipped.

Examples:
  trove update data/images.dvc
  trove update model.pt.dvc --rev v3.0`,
    )
    .action(async (targets: string[], o: { rev?: string; jobs?: number; quiet?: boolean; verbose?: boolean }) =>
      run(o, async (io, track) => {
        const repo = await openRepo(track);
        const { update } = await import('../../ops/update.js');
        const r = await update(repo, { targets, rev: o.rev, jobs: o.jobs }, io);
        printGitHint(r.gitFiles.map((f) => repo.display(f)), r.staged, Boolean(o.quiet));
      }),
    );
}
