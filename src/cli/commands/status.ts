import type { Command } from 'commander';
import type { StatusResult } from '../../ops/status.js';
import { openRepo, run } from '../context.js';
import { TroveError } from '../../errors.js';
import { EXIT } from '../errors.js';
import { out, outJson } from '../output.js';
import { TARGETS_ARGUMENT, targetOptions, type TargetFlags } from './target-flags.js';
import { historyOptions, historyScope, jobsOption, type HistoryFlags } from './transfer-flags.js';

function renderChanges(changes: Record<string, unknown>, indent: string, lines: string[]): void {
  for (const [path, status] of Object.entries(changes)) {
    if (typeof status === 'string') lines.push(`${indent}${`${status}:`.padEnd(20)}${path}`);
    else {
      // A params file: the params in it that changed.
      lines.push(`${indent}${path}:`);
      renderChanges(status as Record<string, unknown>, `${indent}\t`, lines);
    }
  }
}

export function renderStatus(result: StatusResult): string[] {
  const lines: string[] = [];
  for (const [stage, groups] of Object.entries(result)) {
    lines.push(`${stage}:`);
    for (const group of groups) {
      if (typeof group === 'string') {
        lines.push(`\t${group}`);
        continue;
      }
      for (const [title, changes] of Object.entries(group)) {
        lines.push(`\t${title}:`);
        renderChanges(changes, '\t\t', lines);
      }
    }
  }
  return lines;
}

export function registerStatus(program: Command): Command {
  return program
    .command('status')
    .description('Show tracked data that changed: modified, deleted, new, or not in cache.')
    .argument('[targets...]', `${TARGETS_ARGUMENT} (default: all)`)
    .option('--json', 'print the result as JSON (DVC\'s shape)')
    .option('-c, --cloud', 'compare the cache with a remote instead of the workspace with the cache')
    .option('-r, --remote <name>', 'the remote for -c (implies -c; default: core.remote)')
    .addOption(jobsOption())
    .addOption(historyOptions('check (with -c)')[0]!)
    .addOption(historyOptions('check (with -c)')[1]!)
    .addOption(historyOptions('check (with -c)')[2]!)
    .addOption(targetOptions('also check')[0]!)
    .addOption(targetOptions('also check')[1]!)
    .addHelpText(
      'after',
      `
Statuses of an output:
  modified       the workspace differs from the record (\`trove commit\` it, or \`trove checkout\`)
  deleted        the output is missing from the workspace (\`trove checkout\`)
  not in cache   the recorded data is not in the cache (\`trove pull\` it, or re-add it)
  new            the pointer file records no hash yet
A stage that \`trove repro\` would run is listed with its changed deps, changed outs, changed
command or always changed. A stage target reports that stage; a path in a stage reports it with
only the outputs the path lies in.

With -c (cloud status), per file:
  new            in the cache only: \`trove push\` uploads it
  deleted        on the remote only: \`trove fetch\` downloads it
  missing        in neither: it is lost unless another cache has it

Exit status is 0 whether or not something changed; with -q nothing is printed and the exit
status is 1 when something changed (as DVC).

Examples:
  trove status                  # every pointer file and stage
  trove status --json | jq .    # the same, in DVC's JSON shape
  trove status -d train         # stage train and the stages it depends on
  trove status -c               # compare the cache with the default remote
  trove status -c -a -T         # the same for the data of every branch and tag`,
    )
    .action(async (targets: string[], o: TargetFlags & HistoryFlags & { json?: boolean; quiet?: boolean; verbose?: boolean; cloud?: boolean; remote?: string; jobs?: number }) =>
      run(o, async (io, track) => {
        const repo = await openRepo(track);
        const history = o.allBranches || o.allTags || o.allCommits;
        if (history && !o.cloud && !o.remote) {
          throw new TroveError('USAGE', '-a, -T and -A compare other revisions with a remote: they go with -c', { hint: 'run `trove status -c -a` (or -T, -A)', exitCode: 2 });
        }
        if (o.cloud || o.remote) {
          const { statusCloud } = await import('../../ops/status-cloud.js');
          const r = await statusCloud(repo, { targets, remote: o.remote, jobs: o.jobs, withDeps: o.withDeps, recursive: o.recursive, ...historyScope(o) }, io);
          const names = Object.keys(r.entries).sort();
          if (o.quiet) return names.length > 0 ? EXIT.failed : EXIT.ok;
          if (o.json) outJson(r.entries);
          else if (names.length === 0) out(`Cache and remote '${r.remote}' are in sync.`);
          else for (const n of names) out(`\t${`${r.entries[n]}:`.padEnd(20)}${n}`);
          return;
        }
        const { status } = await import('../../ops/status.js');
        const result = await status(repo, { targets, withDeps: o.withDeps, recursive: o.recursive }, io);
        // DVC's -q: print nothing; the exit status says whether anything changed (for scripts).
        if (o.quiet) return Object.keys(result).length > 0 ? EXIT.failed : EXIT.ok;
        if (o.json) {
          outJson(result);
          return;
        }
        const lines = renderStatus(result);
        if (lines.length === 0) out('Data and pipelines are up to date.');
        else for (const l of lines) out(l);
      }),
    );
}
