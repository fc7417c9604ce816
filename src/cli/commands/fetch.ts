import type { Command } from 'commander';
import { openRepo, run } from '../context.js';
import { out } from '../output.js';
import { plural, reportFailures, reportMissing, reportRunCacheFetched } from '../transfer-report.js';
import { TARGETS_ARGUMENT, targetOptions, type TargetFlags } from './target-flags.js';
import { historyOptions, historyScope, jobsOption, type HistoryFlags, type TransferFlags } from './transfer-flags.js';

export function registerFetch(program: Command): Command {
  return program
    .command('fetch')
    .description('Download tracked data from a remote into the cache, without touching the workspace.')
    .argument('[targets...]', `${TARGETS_ARGUMENT} (default: all)`)
    .option('-r, --remote <name>', 'remote to fetch from (default: core.remote)')
    .addOption(jobsOption())
    .addOption(historyOptions('fetch')[0]!)
    .addOption(historyOptions('fetch')[1]!)
    .addOption(historyOptions('fetch')[2]!)
    .option('--run-cache', 'also fetch the run-cache: the record of every stage run that the remote holds')
    .addOption(targetOptions('also fetch the data of')[0]!)
    .addOption(targetOptions('also fetch the data of')[1]!)
    .addHelpText(
      'after',
      `
Every object is hashed as it arrives and enters the cache only if its md5 matches its name:
a corrupt remote object is reported and never saved. A path inside a tracked directory fetches
that directory's manifest and just the files under the path.

--run-cache also downloads, whatever the targets, the entries of <remote>/runs/ whose keys the
cache has none of, into .dvc/cache/runs/. An entry is kept only if it is a stage's lock entry
that hashes to its name and key. Then \`trove repro\` restores a stage from an entry that matches
its command, dependencies and params, instead of running it, when the outputs the entry records
are in the cache; \`trove repro --pull\` downloads those outputs too. As in DVC, the summary line
counts data files only; the entries are counted on stderr.

Examples:
  trove fetch                        # then \`trove checkout\` when you are ready
  trove fetch data/images/cat.jpg    # one file of a tracked directory
  trove fetch --run-cache            # the data, and the runs others pushed
  trove fetch -a -T                  # the data of every branch and tag, for offline checkouts`,
    )
    .action(async (targets: string[], o: TransferFlags & TargetFlags & HistoryFlags & { runCache?: boolean }) =>
      run(o, async (io, track) => {
        const repo = await openRepo(track);
        const { fetch } = await import('../../ops/fetch.js');
        const r = await fetch(repo, { targets, remote: o.remote, jobs: o.jobs, withDeps: o.withDeps, recursive: o.recursive, runCache: o.runCache, ...historyScope(o) }, io);
        reportRunCacheFetched(r.runCacheFetched, Boolean(o.quiet));
        reportMissing(r.missing, Boolean(o.quiet));
        if (!o.quiet && (r.fetched > 0 || (r.failed.length === 0 && r.missing.length === 0))) {
          out(r.fetched > 0 ? `${plural(r.fetched, 'file')} fetched` : 'Everything is up to date.');
        }
        return reportFailures(r.failed, r.missing, 'fetch', r.remote);
      }),
    );
}
