/** What push, fetch and pull print about a transfer: one summary line, then every problem once. */
import { TroveError } from '../errors.js';
import type { TransferFailure } from '../remote/transfer.js';
import { EXIT } from './errors.js';
import { err, style } from './output.js';

export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** "2 files added and 8 files fetched", as DVC words it. */
export function joinCounts(parts: string[]): string {
  if (parts.length <= 1) return parts[0] ?? '';
  return `${parts.slice(0, -1).join(', ')} and ${parts[parts.length - 1]}`;
}

/** `fetch`/`pull --run-cache`: DVC leaves entries out of the summary line, so they are counted on stderr. */
export function reportRunCacheFetched(n: number, quiet: boolean): void {
  if (n > 0 && !quiet) err(`${n} run-cache ${n === 1 ? 'entry' : 'entries'} fetched`);
}

export function reportMissing(missing: readonly { name: string; md5: string }[], quiet: boolean): void {
  if (missing.length === 0 || quiet) return;
  err(style.warn('WARNING: Some of the cache files do not exist neither locally nor on remote. Missing cache files:'));
  for (const m of missing) err(`name: ${m.name}, md5: ${m.md5}`);
}

/** Prints each failure and the closing error; returns the exit code. */
export function reportFailures(
  failed: readonly TransferFailure[],
  missing: readonly unknown[],
  verb: 'push' | 'fetch' | 'pull',
  remote: string,
): number {
  const hints = new Set<string>();
  for (const f of failed) {
    // An object is named by its oid; a run-cache entry by its path (`runs/xx/<key>/<value>`).
    err(style.error(`ERROR: ${f.key.startsWith('runs/') ? f.key : f.key.replace('/', '')}: ${f.error.message}`));
    if (f.error instanceof TroveError && f.error.hint) hints.add(f.error.hint);
  }
  const n = failed.length + missing.length;
  if (n === 0) return EXIT.ok;
  const what = verb === 'push' ? 'upload' : 'download';
  const dir = verb === 'push' ? 'to' : 'from';
  err(style.error(`ERROR: failed to ${verb} data ${dir} remote '${remote}': ${plural(n, 'file')} failed to ${what}`));
  if (missing.length > 0) hints.add('the missing files were never pushed: push them from a machine whose cache has them');
  // Failures with a hint of their own (a corrupt object) are not helped by running again.
  if (failed.some((f) => !(f.error instanceof TroveError && f.error.hint))) {
    hints.add(verb === 'push' ? 'run the same command again: what arrived is not sent twice' : 'run the same command again: what arrived is kept');
  }
  for (const h of hints) err(`  ${h}`);
  return EXIT.failed;
}
