import type { Command } from 'commander';
import type { CheckoutResult } from '../../ops/checkout.js';
import { openRepo, run } from '../context.js';
import { EXIT } from '../errors.js';
import { err, out, style } from '../output.js';
import { TARGETS_ARGUMENT, TARGETS_HELP, targetOptions, type TargetFlags } from './target-flags.js';

const LETTER = { added: 'A', modified: 'M' } as const;

/**
 * Prints what checkout did ("A       data/") and what it could not do; returns the exit code.
 * `fetchReported`: pull already named the objects missing from the remote.
 */
export function reportCheckout(result: CheckoutResult, quiet: boolean, opts: { fetchReported?: boolean } = {}): number {
  for (const e of result.outputs) {
    if (!quiet && (e.status === 'added' || e.status === 'modified')) out(`${LETTER[e.status]}       ${e.path}`);
  }
  const refused = result.outputs.filter((e) => e.status === 'refused');
  const missing = result.outputs.filter((e) => e.status === 'missing');
  if (refused.length > 0) {
    err(style.error('ERROR: checkout would overwrite or delete data that is not in the cache:'));
    for (const e of refused) for (const f of e.refused) err(`\t${f}`);
    err('  save it first with `trove commit` (or `trove add`), or use `-f` to discard it');
  }
  if (missing.length > 0 && !opts.fetchReported) {
    err(style.error('ERROR: Checkout failed for following targets:'));
    for (const e of missing) err(`\t${e.path}`);
    err('  Is your cache up to date? Fetch the data from a remote, or re-add it.');
  } else if (!quiet) {
    // After pull named the objects it could not fetch: say which outputs that left incomplete.
    for (const e of missing) err(style.warn(`WARNING: '${e.path}' is not complete in the workspace: ${e.missing.length} of its objects are missing`));
  }
  for (const e of result.outputs) if (e.status === 'failed') err(style.error(`ERROR: cannot check out '${e.path}': ${e.error}`));
  return result.failed.length > 0 ? EXIT.failed : EXIT.ok;
}

export function registerCheckout(program: Command): Command {
  return program
    .command('checkout')
    .description('Restore tracked data in the workspace from the cache, as the .dvc files and dvc.lock say.')
    .argument('[targets...]', `${TARGETS_ARGUMENT} (default: all)`)
    .option('-f, --force', 'overwrite or delete workspace files even if their content is not in the cache')
    .option('--relink', 'recreate links for unchanged files (after changing cache.type)')
    .addOption(targetOptions('also restore the outputs of')[0]!)
    .addOption(targetOptions('also restore the outputs of')[1]!)
    .addHelpText(
      'after',
      `${TARGETS_HELP}
A path inside a directory output restores just that part. An output declared \`cache: false\`
is not restored, as in DVC: git holds it.

Safety: a workspace file whose content is not saved in the cache is never overwritten or
deleted without -f; checkout names those files and leaves their output untouched.

Examples:
  git checkout v1.0 && trove checkout
  trove checkout train           # the outputs of stage train
  trove checkout -d evaluate     # evaluate's outputs and those of every stage it needs
  trove checkout model/weights.bin   # one file of a stage's directory output
  trove checkout --relink        # after \`trove config cache.type hardlink\``,
    )
    .action(async (targets: string[], o: TargetFlags & { force?: boolean; relink?: boolean; quiet?: boolean; verbose?: boolean }) =>
      run(o, async (io, track) => {
        const repo = await openRepo(track);
        const { checkout } = await import('../../ops/checkout.js');
        const result = await checkout(repo, { targets, force: o.force, relink: o.relink, withDeps: o.withDeps, recursive: o.recursive }, io);
        return reportCheckout(result, Boolean(o.quiet));
      }),
    );
}
