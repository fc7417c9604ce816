import type { Command } from 'commander';
import { openRepo, run } from '../context.js';
import { out } from '../output.js';
import { plural, reportFailures, reportMissing } from '../transfer-report.js';
import { TARGETS_ARGUMENT, targetOptions, type TargetFlags } from './target-flags.js';
import { historyOptions, jobsOption, type TransferFlags } from './transfer-flags.js';

export function registerPush(program: Command): Command {
  return program
    .command('push')
    .description('Upload tracked data from the cache to a remote: only what the remote lacks.')
    .argument('[targets...]', `${TARGETS_ARGUMENT} (default: all)`)
    .option('-r, --remote <name>', 'remote to push to (default: core.remote)')
    .addOption(jobsOption())
    .addOption(historyOptions('push')[0]!)
    .addOption(historyOptions('push')[1]!)
    .addOption(historyOptions('push')[2]!)
    .option('--run-cache', "also push the run-cache (the record of every stage run) and the outputs of the runs sent")
    .addOption(targetOptions('also push the data of')[0]!)
    .addOption(targetOptions('also push the data of')[1]!)
    .addHelpText(
      'after',
      `
push lists what the remote already holds (one listing, or a few existence checks for a handful
of objects), uploads the rest with bounded concurrency, retries transient errors, and reports
every failure once at the end. A directory's manifest is uploaded last, after all its files.
Running push again after an interruption sends only what did not arrive.

--run-cache also sends the entries of .dvc/cache/runs/ whose keys the remote has none of (to
<remote>/runs/, beside files/, as DVC lays them out), whatever the targets, and the outputs those
runs recorded, so that a teammate or CI can restore such a stage instead of running it
(\`trove fetch --run-cache\`, then \`trove repro\` or \`trove repro --pull\`). The count includes them.

Examples:
  trove push                      # everything the workspace's pointer files name
  trove push -r backup data.dvc   # one output, to another remote
  trove push train                # the outputs of stage train
  trove push -a -T                # the data of every branch and tag
  trove push --run-cache          # the data, and the runs recorded here`,
    )
    .action(async (targets: string[], o: TransferFlags & TargetFlags & { allBranches?: boolean; allTags?: boolean; allCommits?: boolean; runCache?: boolean }) =>
      run(o, async (io, track) => {
        const repo = await openRepo(track);
        const { push } = await import('../../ops/push.js');
        const r = await push(
          repo,
          { targets, remote: o.remote, jobs: o.jobs, allBranches: o.allBranches, allTags: o.allTags, allCommits: o.allCommits, withDeps: o.withDeps, recursive: o.recursive, runCache: o.runCache },
          io,
        );
        reportMissing(r.missingInCache, Boolean(o.quiet));
        // As DVC counts them: objects and run-cache entries together.
        const pushed = r.pushed + r.runCachePushed;
        if (!o.quiet) out(pushed > 0 ? `${plural(pushed, 'file')} pushed` : r.failed.length === 0 ? 'Everything is up to date.' : '');
        return reportFailures(r.failed, [], 'push', r.remote);
      }),
    );
}
