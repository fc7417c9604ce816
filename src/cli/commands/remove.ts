import type { Command } from 'commander';
import { openRepo, run } from '../context.js';
import { printGitHint } from './git-hint.js';

export function registerRemove(program: Command): Command {
  return program
    .command('remove')
    .description('Stop tracking: delete .dvc files, or take stages out of dvc.yaml and dvc.lock; their outputs leave .gitignore (the data stays unless --outs).')
    .argument('<targets...>', '.dvc files (or the outputs they track), stages (`train`, `sub/dvc.yaml:train`), dvc.yaml files (all their stages)')
    .option('--outs', 'delete the outputs from the workspace too')
    .addHelpText(
      'after',
      `
A stage is taken out of dvc.yaml by editing only its lines: the rest of the file (comments,
order, quoting) stays. Its dvc.lock entry goes too; a dvc.yaml or dvc.lock left without stages
is deleted (a dvc.yaml that still has other sections, such as plots, is kept). A stage that
foreach or matrix generates cannot be removed alone. The cache keeps the data until \`trove gc\`.

Examples:
  trove remove data.csv.dvc
  trove remove train            # the stage; its outputs stay in the workspace
  trove remove --outs train     # and its outputs go too`,
    )
    .action(async (targets: string[], o: { outs?: boolean; quiet?: boolean; verbose?: boolean }) =>
      run(o, async (io, track) => {
        const repo = await openRepo(track);
        const { remove } = await import('../../ops/remove.js');
        const result = await remove(repo, { targets, outs: o.outs }, io);
        printGitHint(result.gitFiles.map((f) => repo.display(f)), result.staged, Boolean(o.quiet));
      }),
    );
}
