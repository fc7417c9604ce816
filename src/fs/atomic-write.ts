import fs from 'node:fs';
import path from 'node:path';

let counter = 0;

/** A temp name in the same directory as `target`, so that a rename onto it is atomic. */
export function tempPathFor(target: string): string {
  return path.join(path.dirname(target), `.${path.basename(target)}.${process.pid}.${++counter}.tmp`);
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
    throw e;
  }
}
