import type { Command } from 'commander';
import { openRepo, run } from '../context.js';
import { printGitHint } from './git-hint.js';

export function registerRemove(program: Command): Command {
  return program
    .command('remove')
    .description('Stop tracking: delete pointer files and their .gitignore entries (the data stays unless --outs).')
    .argument('<targets...>', '.dvc files (or the outputs they track)')
    .option('--outs', 'delete the tracked data from the workspace too')
    .addHelpText('after', '\nThe cache keeps the data until `trove gc` removes it.\n\nExample:\n  trove remove data.csv.dvc')
    .action(async (targets: string[], o: { outs?: boolean; quiet?: boolean; verbose?: boolean }) =>
      run(o, async (io, track) => {
        const repo = await openRepo(track);
        const { remove } = await import('../../ops/remove.js');
        const result = await remove(repo, { targets, outs: o.outs }, io);
        printGitHint(result.gitFiles.map((f) => repo.display(f)), result.staged, Boolean(o.quiet));
      }),
    );
}
