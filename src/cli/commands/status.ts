import type { Command } from 'commander';
import type { StatusResult } from '../../ops/status.js';
import { openRepo, run } from '../context.js';
import { EXIT } from '../errors.js';
import { out, outJson } from '../output.js';

export function renderStatus(result: StatusResult): string[] {
  const lines: string[] = [];
  for (const [stage, groups] of Object.entries(result)) {
    lines.push(`${stage}:`);
    for (const group of groups) {
      for (const [title, changes] of Object.entries(group)) {
        lines.push(`\t${title}:`);
        for (const [path, status] of Object.entries(changes)) lines.push(`\t\t${`${status}:`.padEnd(20)}${path}`);
      }
    }
  }
  return lines;
}

export function registerStatus(program: Command): Command {
  return program
    .command('status')
    .description('Show tracked data that changed: modified, deleted, new, or not in cache.')
    .argument('[targets...]', 'pointer files or outputs to check (default: all)')
    .option('--json', 'print the result as JSON (DVC\'s shape)')
    .addHelpText(
      'after',
      `
Statuses:
  modified       the workspace differs from the pointer file (run \`trove commit\` or \`trove checkout\`)
  deleted        the output is missing from the workspace (run \`trove checkout\`)
  not in cache   the recorded data is not in the cache (fetch it, or re-add it)
  new            the pointer file records no hash yet

Exit status is 0 whether or not something changed; with -q nothing is printed and the exit
status is 1 when something changed (as DVC).`,
    )
    .action(async (targets: string[], o: { json?: boolean; quiet?: boolean; verbose?: boolean }) =>
      run(o, async (io, track) => {
        const repo = await openRepo(track);
        const { status } = await import('../../ops/status.js');
        const result = await status(repo, { targets }, io);
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
