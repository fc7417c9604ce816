import type { Command } from 'commander';
import { pyJsonDumps } from '../../util/py-json.js';
import { openRepo, run } from '../context.js';
import { out } from '../output.js';
import { diffJson, diffTable } from '../render/compare.js';
import { renderTable } from '../render/table.js';
import { reportLoadErrors } from './metrics.js';

export function registerParams(program: Command): Command {
  const params = program
    .command('params')
    .description('Compare params (the values stages depend on).')
    .addHelpText('after', '\nExamples:\n  trove params diff\n  trove params diff v1 main --all');
  params
    .command('diff')
    .description('Show changes in params between two commits, or between a commit and the workspace.')
    .argument('[a_rev]', 'old git revision (default: HEAD)')
    .argument('[b_rev]', 'new git revision (default: the workspace)')
    .option('--targets <paths...>', 'params files to compare whole, even if dvc.yaml does not name them')
    .option('--all', 'show unchanged params as well')
    .option('--deps', 'show only params that are stage dependencies')
    .option('--json', 'print the result as JSON (DVC\'s shape, keys sorted)')
    .option('--md', 'print the table in Markdown (GitHub-flavoured)')
    .option('--no-path', 'leave out the Path column')
    .option('-q, --quiet', 'print nothing but results and errors')
    .option('-v, --verbose', 'print debug information and stack traces')
    .addHelpText(
      'after',
      `
Compared by default: the params every stage depends on, the whole of params.yaml and of the
files listed under a top-level params: in dvc.yaml. --targets compares whole files instead;
--deps keeps only the params stages depend on (and ignores --targets, as DVC does). Params
files are YAML, JSON, TOML or Python by extension; nested keys are joined with dots.

Examples:
  trove params diff                  # HEAD against the workspace
  trove params diff HEAD~1 HEAD      # what the last commit changed
  trove params diff v1 --deps --json # only the params stages depend on, as JSON`,
    )
    .action(async (aRev: string | undefined, bRev: string | undefined, o: { targets?: string[]; all?: boolean; deps?: boolean; json?: boolean; md?: boolean; path?: boolean; quiet?: boolean; verbose?: boolean }) =>
      run(o, async (io, track) => {
        const repo = await openRepo(track);
        const { paramsDiff } = await import('../../ops/params.js');
        const r = await paramsDiff(repo, { aRev, bRev, targets: o.targets, all: o.all, deps: o.deps }, io);
        const { erroredVersions } = await import('../../ops/versions.js');
        reportLoadErrors('params', erroredVersions(r.versions));
        if (o.json) {
          out(pyJsonDumps(diffJson(r.diff)));
          return;
        }
        const table = diffTable(r.diff, { title: 'Param', aRev: r.aRev, bRev: r.bRev, noPath: o.path === false });
        process.stdout.write(renderTable(table, { markdown: o.md }));
      }),
    );
  return params;
}
