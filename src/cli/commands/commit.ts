import type { Command } from 'commander';
import { openRepo, run } from '../context.js';
import { printGitHint } from './git-hint.js';

export function registerCommit(program: Command): Command {
  return program
    .command('commit')
    .description('Record the current state of tracked outputs in their pointer files and the cache.')
    .argument('[targets...]', 'pointer files or outputs to commit (default: all)')
    .option('-f, --force', 'commit changed outputs without asking')
    .addHelpText('after', '\nUse it after editing tracked data in place:\n  vim data/labels.csv && trove commit -f data.dvc && git commit -am "fix labels"')
    .action(async (targets: string[], o: { force?: boolean; quiet?: boolean; verbose?: boolean }) =>
      run(o, async (io, track) => {
        const repo = await openRepo(track);
        const { commit } = await import('../../ops/commit.js');
        const result = await commit(repo, { targets, force: o.force }, io);
        printGitHint(result.gitFiles.map((f) => repo.display(f)), result.staged, Boolean(o.quiet));
      }),
    );
}
