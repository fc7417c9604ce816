import type { Command } from 'commander';
import { run } from '../context.js';
import { out } from '../output.js';

export function registerInit(program: Command): Command {
  return program
    .command('init')
    .description('Make this git repository a trove (and DVC) project: creates .dvc/ and .dvcignore.')
    .option('--no-scm', 'use trove without git (no .gitignore upkeep, no staging)')
    .option('-f, --force', 're-initialise: deletes and recreates .dvc/ (its cache too)')
    .option('--subdir', 'initialise in a subdirectory of a git repository, as a separate project')
    .addHelpText('after', '\nExamples:\n  git init && trove init\n  trove init --no-scm        # plain directory, no git')
    .action(async (o: { scm: boolean; force?: boolean; subdir?: boolean; quiet?: boolean; verbose?: boolean }) =>
      run(o, async () => {
        const { init } = await import('../../ops/init.js');
        init({ cwd: process.cwd(), noScm: !o.scm, force: o.force, subdir: o.subdir });
        if (!o.quiet) {
          out('Initialized DVC repository.');
          out();
          out(o.scm ? 'You can now commit the changes to git.' : 'trove will not touch git in this project (core.no_scm).');
        }
      }),
    );
}
