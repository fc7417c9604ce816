import type { Command } from 'commander';
import { openRepo, run } from '../context.js';
import { out } from '../output.js';
import { printGitHint } from './git-hint.js';
import { TARGETS_ARGUMENT, TARGETS_HELP, targetOptions, type TargetFlags } from './target-flags.js';

export function registerCommit(program: Command): Command {
  return program
    .command('commit')
    .description('Record the current state of tracked outputs and pipeline stages in their .dvc files or dvc.lock, and the cache.')
    .argument('[targets...]', `${TARGETS_ARGUMENT} (default: all)`)
    .option('-f, --force', 'commit changed outputs and stages without asking')
    .addOption(targetOptions('also commit')[0]!)
    .addOption(targetOptions('also commit')[1]!)
    .addHelpText(
      'after',
      `${TARGETS_HELP}

A stage is committed as repro would record it, without running its command: its dependencies
and outputs are hashed, its cached outputs saved, and its entry in dvc.lock written. When its
dependencies, outputs or command changed since dvc.lock recorded it, commit asks first (-f does
not). A path inside a stage saves only that output to the cache; dvc.lock records them all.

Use it after editing tracked data in place, or after running a stage's command by hand.

Examples:
  vim data/labels.csv && trove commit -f data.dvc && git commit -am "fix labels"
  python train.py && trove commit -f train`,
    )
    .action(async (targets: string[], o: TargetFlags & { force?: boolean; quiet?: boolean; verbose?: boolean }) =>
      run(o, async (io, track) => {
        const repo = await openRepo(track);
        const { commit } = await import('../../ops/commit.js');
        const result = await commit(repo, { targets, force: o.force, withDeps: o.withDeps, recursive: o.recursive }, io);
        // As DVC's Lockfile.dump: said for each lock file written.
        if (!o.quiet) {
          for (const s of result.stages) {
            if (s.created) out(`Generating lock file '${s.lockFile}'`);
            if (s.updated) out(`Updating lock file '${s.lockFile}'`);
          }
        }
        printGitHint(result.gitFiles.map((f) => repo.display(f)), result.staged, Boolean(o.quiet));
      }),
    );
}
