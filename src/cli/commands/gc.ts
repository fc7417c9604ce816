import type { Command } from 'commander';
import { humanBytes, plural } from '../../util/format.js';
import { openRepo, run } from '../context.js';
import { EXIT } from '../errors.js';
import { out, outJson } from '../output.js';

export function registerGc(program: Command): Command {
  return program
    .command('gc')
    .description('Delete cache objects that no pointer file in the chosen scope uses.')
    .option('-w, --workspace', 'keep only what the workspace\'s pointer files use')
    .option('-f, --force', 'do not ask for confirmation')
    .option('--dry', 'only print what would be removed')
    .option('--json', 'print the result as JSON')
    .addHelpText(
      'after',
      `
Without -f, gc asks before deleting; without a terminal to ask on, it refuses.
Objects another branch or commit needs are deleted too if the workspace does not use them:
push them to a remote first.

Examples:
  trove gc -w --dry
  trove gc -w -f`,
    )
    .action(async (o: { workspace?: boolean; force?: boolean; dry?: boolean; json?: boolean; quiet?: boolean; verbose?: boolean }) =>
      run(o, async (io, track) => {
        const repo = await openRepo(track);
        const { gc } = await import('../../ops/gc.js');
        const result = await gc(repo, { workspace: o.workspace, force: o.force, dry: o.dry }, io);
        if (o.json) {
          outJson(result);
          return EXIT.ok;
        }
        if (result.aborted) {
          out('Nothing removed.');
          return EXIT.ok;
        }
        for (const l of result.layouts) {
          if (l.removed.length === 0) {
            if (!o.quiet) out(`No unused '${l.name}' cache to remove.`);
            continue;
          }
          if (result.dry) {
            out(`Would remove ${plural(l.removed.length, 'object')} (${humanBytes(l.bytes)}) from '${l.name}' cache:`);
            for (const oid of l.removed) out(`\t${oid}`);
          } else {
            out(`Removed ${plural(l.removed.length, 'object')} (${humanBytes(l.bytes)}) from '${l.name}' cache.`);
          }
        }
        return EXIT.ok;
      }),
    );
}
