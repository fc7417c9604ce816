import fs from 'node:fs';
import path from 'node:path';

let counter = 0;

/** A temp name in the same directory as `target`, so that a rename onto it is atomic. */
export function tempPathFor(target: string): string {
  return path.join(path.dirname(target), `.${path.basename(target)}.${process.pid}.${++counter}.tmp`);
}

const TEMP_NAME = /^\.(.+)\.(\d+)\.(\d+)\.tmp$/;

/**
 * Whether `name` is a temp file that `tempPathFor` made in a process that is gone: what a command
 * killed mid-write leaves behind. Such files are trove's own debris, never user data.
 */
export function isStaleTempName(name: string): boolean {
  if (name.charCodeAt(0) !== 46 || !name.endsWith('.tmp')) return false;
  const m = TEMP_NAME.exec(name);
  if (!m) return false;
  const pid = Number(m[2]);
  if (pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/**
 * Writes `data` to a temp file beside `target`, then renames it into place: readers see the old
 * file or the new one, never a torn write. Directories are created as needed.
 */
export function writeFileAtomic(target: string, data: string | Uint8Array, mode?: number): void {
  const tmp = tempPathFor(target);
  try {
    fs.writeFileSync(tmp, data, mode === undefined ? undefined : { mode });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(tmp, data, mode === undefined ? undefined : { mode });
  }
  try {
    if (mode !== undefined) fs.chmodSync(tmp, mode);
    fs.renameSync(tmp, target);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw e;
  }
}

/** Reads a file as UTF-8, or undefined when it does not exist. */
export function readFileIfExists(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT' || (e as NodeJS.ErrnoException).code === 'ENOTDIR') return undefined;
    // Node's EISDIR from a read names no path: say which one.
    if ((e as NodeJS.ErrnoException).code === 'EISDIR') throw Object.assign(e as Error, { path: file });
    throw e;
  }
}
