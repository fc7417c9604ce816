import type { Command } from 'commander';
import { openRepo, run } from '../context.js';
import { printGitHint } from './git-hint.js';

export function registerMove(program: Command): Command {
  return program
    .command('move')
    .description('Rename or move a tracked output, with its pointer file and .gitignore entries.')
    .argument('<src>', 'the tracked file or directory')
    .argument('<dst>', 'the new path (or an existing directory to move it into)')
    .addHelpText('after', '\nExample:\n  trove move data.csv data/raw.csv     # data.csv.dvc becomes data/raw.csv.dvc')
    .action(async (src: string, dst: string, o: { quiet?: boolean; verbose?: boolean }) =>
      run(o, async (io, track) => {
        const repo = await openRepo(track);
        const { move } = await import('../../ops/move.js');
        const result = await move(repo, { src, dst }, io);
        printGitHint(result.gitFiles.map((f) => repo.display(f)), result.staged, Boolean(o.quiet));
      }),
    );
}
