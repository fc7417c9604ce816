import type { Command } from 'commander';
import { openRepo, run } from '../context.js';
import { EXIT } from '../errors.js';
import { out } from '../output.js';
import { joinCounts, plural, reportFailures, reportMissing, reportRunCacheFetched } from '../transfer-report.js';
import { reportCheckout } from './checkout.js';
import { TARGETS_ARGUMENT, targetOptions, type TargetFlags } from './target-flags.js';
import { historyOptions, historyScope, jobsOption, type HistoryFlags, type TransferFlags } from './transfer-flags.js';

export function registerPull(program: Command): Command {
  return program
    .command('pull')
    .description('Download tracked data from a remote and restore it in the workspace (fetch + checkout).')
    .argument('[targets...]', `${TARGETS_ARGUMENT} (default: all)`)
    .option('-r, --remote <name>', 'remote to pull from (default: core.remote)')
    .addOption(jobsOption())
    .option('-f, --force', 'overwrite or delete workspace files even if their content is not in the cache')
    .addOption(historyOptions('fetch')[0]!)
    .addOption(historyOptions('fetch')[1]!)
    .addOption(historyOptions('fetch')[2]!)
    .option('--run-cache', 'also fetch the run-cache: the record of every stage run that the remote holds')
    .addOption(targetOptions('also pull the data of')[0]!)
    .addOption(targetOptions('also pull the data of')[1]!)
    .addHelpText(
      'after',
      `
Only what the cache lacks is downloaded; each object is verified by its md5 before it enters the
cache. Workspace files that are not saved in the cache are never overwritten without -f.

--run-cache also fetches the run-cache entries the cache lacks, as \`trove fetch --run-cache\`
does; the checkout is still of the targets only. A later \`trove repro\` then restores a stage
from a matching run instead of running it (\`trove repro --pull\` also downloads its outputs).

Examples:
  git clone <repo> && cd <repo> && trove pull
  trove pull data/images/cat.jpg     # one file: its directory's manifest and that object only
  trove pull -d train                # train's outputs and those of the stages it needs
  trove pull -r backup -j 32
  trove pull --run-cache             # in CI: the data, and the runs others pushed`,
    )
    .action(async (targets: string[], o: TransferFlags & TargetFlags & HistoryFlags & { force?: boolean; runCache?: boolean }) =>
      run(o, async (io, track) => {
        const repo = await openRepo(track);
        const { pull } = await import('../../ops/pull.js');
        const r = await pull(repo, { targets, remote: o.remote, jobs: o.jobs, force: o.force, withDeps: o.withDeps, recursive: o.recursive, runCache: o.runCache, ...historyScope(o) }, io);
        reportRunCacheFetched(r.fetch.runCacheFetched, Boolean(o.quiet));
        reportMissing(r.fetch.missing, Boolean(o.quiet));
        const checkoutCode = reportCheckout(r.checkout, Boolean(o.quiet), { fetchReported: r.fetch.missing.length > 0 || r.fetch.failed.length > 0 });
        const added = r.checkout.outputs.filter((e) => e.status === 'added').length;
        const modified = r.checkout.outputs.filter((e) => e.status === 'modified').length;
        const parts = [added ? `${plural(added, 'file')} added` : '', modified ? `${plural(modified, 'file')} modified` : '', r.fetch.fetched ? `${plural(r.fetch.fetched, 'file')} fetched` : ''].filter(Boolean);
        const clean = r.fetch.failed.length === 0 && r.fetch.missing.length === 0 && r.checkout.failed.length === 0;
        if (!o.quiet && (parts.length > 0 || clean)) out(parts.length > 0 ? joinCounts(parts) : 'Everything is up to date.');
        const fetchCode = reportFailures(r.fetch.failed, r.fetch.missing, 'pull', r.fetch.remote);
        return fetchCode !== EXIT.ok ? fetchCode : checkoutCode;
      }),
    );
}
