import { type Command, InvalidArgumentError } from 'commander';
import type { VersionResult } from '../../ops/versions.js';
import { pyJsonDumps } from '../../util/py-json.js';
import { openRepo, run } from '../context.js';
import { err, out, style } from '../output.js';
import { DEFAULT_PRECISION, diffJson, diffTable, metricsTable, versionsJson } from '../render/compare.js';
import { renderTable } from '../render/table.js';

interface CommonFlags {
  json?: boolean;
  md?: boolean;
  precision?: number;
  quiet?: boolean;
  verbose?: boolean;
}

export function parsePrecision(v: string): number {
  if (!/^-?\d+$/.test(v)) throw new InvalidArgumentError('expected a whole number of digits');
  return Number(v);
}

/**
 * DVC's message for versions it could not fully read, then one line per problem (DVC prints only
 * the revisions; the reasons are what the user needs).
 */
export function reportLoadErrors(kind: 'metrics' | 'params', failed: readonly VersionResult[]): void {
  if (failed.length === 0) return;
  const names = failed.map((v) => v.name || 'workspace');
  err(style.error(`ERROR: failed to load some ${kind} for following revisions: '${names.join(', ')}'.`));
  for (const v of failed) {
    const where = v.name || 'workspace';
    if (v.error) err(`  ${where}: ${v.error.message}`);
    for (const r of v.files?.values() ?? []) if (r.error) err(`  ${where}: ${r.error.message}`);
  }
}

/** DVC's `--precision`: 0 or nothing means the default (`args.precision or 5`). */
function precisionOf(o: CommonFlags): number {
  return o.precision || DEFAULT_PRECISION;
}

export function registerMetrics(program: Command): Command {
  const metrics = program
    .command('metrics')
    .description('Show and compare metrics (the `metrics` files of dvc.yaml).')
    .addHelpText('after', '\nExamples:\n  trove metrics show -A\n  trove metrics diff HEAD~1 HEAD');
  metrics
    .command('show')
    .description('Print metrics, in the workspace or at git revisions.')
    .argument('[targets...]', 'metrics files or directories to show instead of those dvc.yaml declares')
    .option('-a, --all-branches', 'show metrics for all branches')
    .option('-T, --all-tags', 'show metrics for all tags')
    .option('-A, --all-commits', 'show metrics for all commits')
    .option('--rev <revs...>', 'show metrics at these revisions (a trove addition; DVC has no --rev here)')
    .option('--all', 'show metrics for every branch, tag and commit (-a -T -A together; a trove addition)')
    .option('-R, --recursive', 'accepted for DVC compatibility: directory targets are always searched')
    .option('--json', 'print the result as JSON (DVC\'s shape, keys sorted)')
    .option('--md', 'print the table in Markdown (GitHub-flavoured)')
    .option('--precision <n>', `round floats to n digits after the point (default ${DEFAULT_PRECISION})`, parsePrecision)
    .option('-q, --quiet', 'print nothing but results and errors')
    .option('-v, --verbose', 'print debug information and stack traces')
    .addHelpText(
      'after',
      `
Metrics files are JSON, YAML, TOML or Python by extension (YAML for any other), as in DVC; trove
also reads .csv and .tsv files holding a header row and one row of values. Nested keys are
joined with dots (train.loss). With -a/-T/-A/--rev the workspace comes first, then each revision;
the workspace is left out when it equals the checked-out branch's row. A file that cannot be read
shows as '-' in every column, and the reason goes to stderr.

Examples:
  trove metrics show                     # the workspace's metrics
  trove metrics show -a -T               # and those of every branch and tag
  trove metrics show --rev v1 v2 --md    # two releases, as a Markdown table
  trove metrics show eval/ --json        # every metrics file under eval/`,
    )
    .action(async (targets: string[], o: CommonFlags & { allBranches?: boolean; allTags?: boolean; allCommits?: boolean; rev?: string[]; all?: boolean }) =>
      run(o, async (io, track) => {
        if (o.all) o.allBranches = o.allTags = o.allCommits = true;
        const repo = await openRepo(track);
        const { metricsShow } = await import('../../ops/metrics.js');
        const result = await metricsShow(repo, { targets, allBranches: o.allBranches, allTags: o.allTags, allCommits: o.allCommits, revs: o.rev }, io);
        const { erroredVersions } = await import('../../ops/versions.js');
        reportLoadErrors('metrics', erroredVersions(result.versions));
        if (o.json) {
          out(pyJsonDumps(versionsJson(result.versions)));
          return;
        }
        const byRevision = Boolean(o.allBranches || o.allTags || o.allCommits || (o.rev && o.rev.length > 0));
        process.stdout.write(renderTable(metricsTable(result.versions, { byRevision, precision: precisionOf(o) }), { markdown: o.md }));
      }),
    );
  metrics
    .command('diff')
    .description('Show changes in metrics between two commits, or between a commit and the workspace.')
    .argument('[a_rev]', 'old git revision (default: HEAD)')
    .argument('[b_rev]', 'new git revision (default: the workspace)')
    .option('--targets <paths...>', 'metrics files or directories to compare, even if dvc.yaml does not declare them')
    .option('-R, --recursive', 'accepted for DVC compatibility: directory targets are always searched')
    .option('--all', 'show unchanged metrics as well')
    .option('--json', 'print the result as JSON (DVC\'s shape, keys sorted)')
    .option('--md', 'print the table in Markdown (GitHub-flavoured)')
    .option('--no-path', 'leave out the Path column')
    .option('--precision <n>', `round floats to n digits after the point (default ${DEFAULT_PRECISION})`, parsePrecision)
    .option('-q, --quiet', 'print nothing but results and errors')
    .option('-v, --verbose', 'print debug information and stack traces')
    .addHelpText(
      'after',
      `
Change is new - old, for numbers; '-' marks a metric that one side does not have. Only changed
metrics are listed unless --all.

Examples:
  trove metrics diff                # HEAD against the workspace
  trove metrics diff v1 v2 --all    # two tags, unchanged metrics too
  trove metrics diff main --md      # for a pull-request comment`,
    )
    .action(async (aRev: string | undefined, bRev: string | undefined, o: CommonFlags & { targets?: string[]; all?: boolean; path?: boolean }) =>
      run(o, async (io, track) => {
        const repo = await openRepo(track);
        const { metricsDiff } = await import('../../ops/metrics.js');
        const r = await metricsDiff(repo, { aRev, bRev, targets: o.targets, all: o.all }, io);
        const { erroredVersions } = await import('../../ops/versions.js');
        reportLoadErrors('metrics', erroredVersions(r.versions));
        if (o.json) {
          out(pyJsonDumps(diffJson(r.diff)));
          return;
        }
        const table = diffTable(r.diff, { title: 'Metric', aRev: r.aRev, bRev: r.bRev, noPath: o.path === false, showChanges: true, precision: precisionOf(o) });
        process.stdout.write(renderTable(table, { markdown: o.md }));
      }),
    );
  return metrics;
}
