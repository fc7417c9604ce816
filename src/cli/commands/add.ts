import type { Command } from 'commander';
import { openRepo, run } from '../context.js';
import { err } from '../output.js';
import { printGitHint } from './git-hint.js';

export function registerAdd(program: Command): Command {
  return program
    .command('add')
    .description('Track files or directories: hash them, store them in the cache, and write <target>.dvc pointer files for git.')
    .argument('<targets...>', 'files or directories to track')
    .option('--glob', 'expand wildcards in targets (quote them so the shell does not)')
    .addHelpText(
      'after',
      `
What it does, per target:
  1. hashes the content (md5, as DVC 3), re-hashing only files that changed since last time
  2. stores it in the cache (.dvc/cache/files/md5/..) and links it back as cache.type says
  3. writes <target>.dvc and adds /<target> to the .gitignore beside it

Examples:
  trove add data/raw.csv images/
  trove add --glob 'models/*.pt'`,
    )
    .action(async (targets: string[], o: { glob?: boolean; quiet?: boolean; verbose?: boolean }) =>
      run(o, async (io, track) => {
        const repo = await openRepo(track);
        const { add } = await import('../../ops/add.js');
        const result = await add(repo, { targets, glob: o.glob }, io);
        if (!o.quiet) {
          for (const a of result.added) if (a.unchanged) err(`'${repo.display(a.path)}' didn't change, nothing to update.`);
        }
        printGitHint(result.gitFiles.map((f) => repo.display(f)), result.staged, Boolean(o.quiet));
      }),
    );
}
