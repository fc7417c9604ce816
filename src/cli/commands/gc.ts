import { InvalidArgumentError, type Command } from 'commander';
import type { GcResult } from '../../ops/gc.js';
import { humanBytes, plural } from '../../util/format.js';
import { openRepo, run } from '../context.js';
import { EXIT } from '../errors.js';
import { err, out, outJson, style } from '../output.js';
import { jobsOption } from './transfer-flags.js';

interface GcFlags {
  workspace?: boolean;
  allBranches?: boolean;
  allTags?: boolean;
  allCommits?: boolean;
  allExperiments?: boolean;
  date?: string;
  rev?: string;
  num?: number;
  projects?: string[];
  cloud?: boolean;
  notInRemote?: boolean;
  remote?: string;
  jobs?: number;
  force?: boolean;
  dry?: boolean;
  json?: boolean;
  quiet?: boolean;
  verbose?: boolean;
}

function wholeNumber(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n)) throw new InvalidArgumentError('give a whole number');
  return n;
}

export function registerGc(program: Command): Command {
  return program
    .command('gc')
    .description('Delete cache objects (and with -c, remote objects) that nothing in the chosen scope uses.')
    .option('-w, --workspace', "keep what the workspace's pointer files and dvc.lock files use")
    .option('-a, --all-branches', 'also keep what the tip of every git branch uses')
    .option('-T, --all-tags', 'also keep what every git tag uses')
    .option('-A, --all-commits', 'also keep what every git commit uses')
    .option('--all-experiments', 'also keep what every DVC experiment (refs/exps/) uses')
    .option('--date <YYYY-MM-DD>', 'also keep what every commit made on or after that day uses')
    .option('--rev <commit>', 'also keep what that commit uses')
    .option('-n, --num <num>', 'with --rev: keep that many commits back from it; with -a: from each branch tip', wholeNumber)
    .option('-p, --projects <paths...>', 'other projects sharing this cache: keep what their scopes use too')
    .option('-c, --cloud', 'also delete from the remote what the scope does not use (irreversible)')
    .option('--not-in-remote', 'keep only what the scope uses and the remote lacks: free the cache of pushed data')
    .option('-r, --remote <name>', 'the remote for -c or --not-in-remote (default: core.remote)')
    .addOption(jobsOption('remote deletions to run at once with -c (default: the remote\'s `jobs`)'))
    .option('-f, --force', 'do not ask for confirmation')
    .option('--dry', 'only print what would be removed')
    .option('--json', 'print the result as JSON')
    .addHelpText(
      'after',
      `
gc keeps every object that a pointer file (.dvc) or a dvc.lock in the scope names, with the files
listed in directory manifests, and deletes the rest. The workspace is always in the scope; the
flags add git history to it. A scope is required: without one gc refuses. The run-cache
(.dvc/cache/runs) is left alone, as DVC does.

Without -f, gc shows the warning and asks; without a terminal to ask on, it refuses. --dry lists
what would go and deletes nothing. A commit whose pointer files cannot be read stops gc: what
they name cannot be known. A directory whose manifest is in no cache (nor on the remote) is
warned about: its files cannot be kept.

What gc deletes from the cache can be fetched again from a remote that has it (push first:
\`trove push -A\`). -c deletes from the remote too, so that what the scope does not use survives
nowhere. With -p, what the other projects use (their workspaces, and the same history scopes in
their own git repositories) is kept as well: use it when projects share one cache.dir or remote.

Examples:
  trove gc -w --dry                 # what would go if only the workspace is kept
  trove gc -a -T -f                 # keep every branch tip and tag, without asking
  trove gc -A                       # keep everything any commit uses
  trove gc --rev main -n 10         # keep the last 10 commits of main
  trove gc --date 2024-01-01        # keep commits made since New Year 2024
  trove gc -w -p ../other-project   # a cache shared with ../other-project
  trove gc -A --not-in-remote       # free the cache of what the remote already holds
  trove gc -A -c -r backup          # clean the cache and remote 'backup'`,
    )
    .action(async (o: GcFlags) =>
      run(o, async (io, track) => {
        const repo = await openRepo(track);
        const { gc } = await import('../../ops/gc.js');
        const result = await gc(
          repo,
          {
            workspace: o.workspace,
            allBranches: o.allBranches,
            allTags: o.allTags,
            allCommits: o.allCommits,
            allExperiments: o.allExperiments,
            date: o.date,
            rev: o.rev,
            num: o.num,
            projects: o.projects,
            cloud: o.cloud,
            notInRemote: o.notInRemote,
            remote: o.remote,
            jobs: o.jobs,
            force: o.force,
            dry: o.dry,
          },
          io,
        );
        if (o.json) {
          outJson(result);
          return remoteFailed(result) ? EXIT.failed : EXIT.ok;
        }
        if (result.aborted) {
          out('Nothing removed.');
          return EXIT.ok;
        }
        render(result, Boolean(o.quiet));
        return reportRemoteFailures(result);
      }),
    );
}

function render(result: GcResult, quiet: boolean): void {
  const none = (line: string) => {
    if (!quiet) out(line);
  };
  // DVC 3 looks at its project cache ('repo') and then at the same directory as 'local'; with -c
  // and nothing to remove it names both, as DVC prints it.
  if (result.remote && result.layouts.find((l) => l.name === 'local')?.removed.length === 0) none("No unused 'repo' cache to remove.");
  for (const l of result.layouts) {
    if (l.removed.length === 0) none(`No unused '${l.name}' cache to remove.`);
    else if (result.dry) {
      out(`Would remove ${plural(l.removed.length, 'object')} (${humanBytes(l.bytes)}) from '${l.name}' cache:`);
      for (const oid of l.removed) out(`\t${oid}`);
    } else out(`Removed ${plural(l.removed.length, 'object')} (${humanBytes(l.bytes)}) from '${l.name}' cache.`);
  }
  const r = result.remote;
  if (!r) return;
  if (r.removed.length === 0) {
    if (r.failed.length === 0 && !r.error) none('No unused cache to remove from remote.');
  } else if (result.dry) {
    out(`Would remove ${plural(r.removed.length, 'object')} (${humanBytes(r.bytes)}) from remote '${r.name}':`);
    for (const oid of r.removed) out(`\t${oid}`);
  } else out(`Removed ${plural(r.removed.length, 'object')} (${humanBytes(r.bytes)}) from remote '${r.name}'.`);
}

function remoteFailed(result: GcResult): boolean {
  return Boolean(result.remote && (result.remote.failed.length > 0 || result.remote.error));
}

/** Every object the remote kept against our will, once, then one closing error. */
function reportRemoteFailures(result: GcResult): number {
  const r = result.remote;
  if (!r || !remoteFailed(result)) return EXIT.ok;
  for (const f of r.failed) err(style.error(`ERROR: ${f.oid}: ${f.error}`));
  if (r.error) err(style.error(`ERROR: ${r.error}`));
  const what = r.failed.length > 0 ? `${plural(r.failed.length, 'object')} could not be removed` : 'the remote stopped answering';
  err(style.error(`ERROR: failed to remove unused objects from remote '${r.name}': ${what}`));
  err('  run the same command again: what is gone stays gone, and the rest is tried again');
  return EXIT.failed;
}
