import fs from 'node:fs';

/** Removes a file or symlink; read-only files (hardlinked cache objects) go too. */
export function removeFile(p: string): void {
  try {
    fs.unlinkSync(p);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return;
    if (code === 'EISDIR' || code === 'EPERM') {
      const st = fs.lstatSync(p);
      if (st.isDirectory()) {
        removeTree(p);
        return;
      }
    }
    throw e;
  }
}

/** Removes a directory tree, making read-only entries writable where needed. */
export function removeTree(p: string): void {
  fs.rmSync(p, { recursive: true, force: true });
}

/** Removes `dir` and its now-empty parents up to (not including) `stopAt`. */
export function removeEmptyDirs(dir: string, stopAt: string): void {
  let d = dir;
  while (d.length > stopAt.length && d.startsWith(stopAt)) {
    try {
      fs.rmdirSync(d);
    } catch {
      return;
    }
    d = d.slice(0, d.lastIndexOf('/'));
  }
}

export function lstatOrUndefined(p: string): fs.Stats | undefined {
  return fs.lstatSync(p, { throwIfNoEntry: false });
}

export function statOrUndefined(p: string): fs.Stats | undefined {
  try {
    return fs.statSync(p, { throwIfNoEntry: false });
  } catch (e) {
    // ENOTDIR: a parent is a file; ELOOP: a symlink cycle. Both mean "nothing usable here".
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOTDIR' || code === 'ELOOP') return undefined;
    throw e;
  }
}
