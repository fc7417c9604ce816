import { MultiError, TroveError } from '../errors.js';
import { err, style } from './output.js';

export const EXIT = { ok: 0, failed: 1, usage: 2, interrupted: 130, brokenPipe: 141 } as const;

/** The single place that turns an error into text on stderr and an exit code. */
export function reportError(e: unknown, verbose: boolean, version: string): number {
  if (e instanceof TroveError) {
    err(style.error(`ERROR: ${e.message}`));
    if (e.hint) err(e.hint.split('\n').map((l) => `  ${l}`).join('\n'));
    if (verbose && !(e instanceof MultiError) && e.cause instanceof Error && e.cause.stack) err(style.dim(e.cause.stack));
    if (!e.userError && verbose && e.stack) err(style.dim(e.stack));
    return e.exitCode;
  }
  const ne = e as NodeJS.ErrnoException;
  if (ne?.code === 'EPIPE') return EXIT.brokenPipe;
  if (ne?.code === 'EACCES' || ne?.code === 'EPERM') {
    err(style.error(`ERROR: permission denied: ${ne.path ?? ne.message}`));
    err('  check the file permissions, or run `trove unprotect` on linked outputs before editing them');
    if (verbose && ne.stack) err(style.dim(ne.stack));
    return EXIT.failed;
  }
  if (ne?.code === 'ENOTDIR') {
    err(style.error(`ERROR: not a directory: ${ne.path ?? ne.message}`));
    err('  a file sits where trove needs a directory: check cache.dir (`trove cache dir`) and the paths of your outputs');
    if (verbose && ne.stack) err(style.dim(ne.stack));
    return EXIT.failed;
  }
  if (ne?.code === 'EISDIR') {
    err(style.error(`ERROR: is a directory: ${ne.path ?? ne.message}`));
    err('  a directory sits where trove needs a file: move it away');
    if (verbose && ne.stack) err(style.dim(ne.stack));
    return EXIT.failed;
  }
  if (ne?.code === 'EROFS') {
    err(style.error(`ERROR: read-only file system${ne.path ? `: ${ne.path}` : ''}`));
    return EXIT.failed;
  }
  if (ne?.code === 'ENOSPC') {
    err(style.error(`ERROR: no space left on the device${ne.path ? ` (writing ${ne.path})` : ''}`));
    err('  free some space (`trove gc -w` drops unused cache objects) and run the command again');
    return EXIT.failed;
  }
  err(style.error(`ERROR: unexpected error: ${(e as Error)?.message ?? String(e)}`));
  if (verbose && (e as Error)?.stack) err((e as Error).stack!);
  else err('  this is a bug in trove; rerun with -v for details and report it');
  err(style.dim(`trove ${version}`));
  return EXIT.failed;
}
