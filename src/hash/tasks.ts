import fs from 'node:fs';
import { tempPathFor } from '../fs/atomic-write.js';
import type { HashKind } from './md5.js';
import { hashFileSync, insertFileSync } from './md5.js';

/** Work a hashing worker does on one file. Kept serialisable: it crosses the worker boundary. */
export type HashTask =
  | { op: 'hash'; path: string; kind: HashKind }
  | { op: 'insert'; path: string; filesRoot: string }
  /**
   * Places a cache object in the workspace, for parallel checkouts: a copy (temp file + rename,
   * chmod `mode`), or a hardlink or symlink (made in place when `absent`, else temp + rename).
   */
  | { op: 'place'; link: 'copy' | 'hardlink' | 'symlink'; path: string; dst: string; absent: boolean; mode: number; md5: string };

export type HashTaskResult =
  /** `readAt`: when the read ended (ms since the epoch), for the hash index's racy-file rule. */
  | { ok: true; md5: string; size: number; ino: number; mtimeMs: number; readAt: number; added?: boolean }
  | { ok: false; code: string; message: string };

function placeOut(task: Extract<HashTask, { op: 'place' }>): HashTaskResult {
  const make = (at: string) => {
    if (task.link === 'hardlink') fs.linkSync(task.path, at);
    else if (task.link === 'symlink') fs.symlinkSync(task.path, at);
    else {
      fs.copyFileSync(task.path, at);
      fs.chmodSync(at, task.mode);
    }
  };
  let inPlace = false;
  if (task.absent && task.link !== 'copy') {
    try {
      make(task.dst);
      inPlace = true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
  }
  if (!inPlace) {
    const tmp = tempPathFor(task.dst);
    try {
      make(tmp);
      fs.renameSync(tmp, task.dst);
    } finally {
      // Also covers rename() onto another name of the same inode, which leaves `tmp` in place.
      fs.rmSync(tmp, { force: true });
    }
  }
  const st = fs.statSync(task.dst);
  return { ok: true, md5: task.md5, size: st.size, ino: st.ino, mtimeMs: st.mtimeMs, readAt: Date.now() };
}

export function runHashTask(task: HashTask): HashTaskResult {
  try {
    if (task.op === 'place') return placeOut(task);
    const r = task.op === 'hash' ? hashFileSync(task.path, task.kind) : insertFileSync(task.path, task.filesRoot);
    return {
      ok: true,
      md5: r.md5,
      size: r.size,
      ino: r.after.ino,
      mtimeMs: r.after.mtimeMs,
      readAt: Date.now(),
      ...('added' in r ? { added: (r as { added: boolean }).added } : {}),
    };
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    return { ok: false, code: err.code ?? 'EUNKNOWN', message: err.message };
  }
}
