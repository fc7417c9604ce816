import fs from 'node:fs';
import { tempPathFor } from '../fs/atomic-write.js';
import type { HashKind } from './md5.js';
import { hashFileSync, insertFileSync } from './md5.js';

/** Work a hashing worker does on one file. Kept serialisable: it crosses the worker boundary. */
export type HashTask =
  | { op: 'hash'; path: string; kind: HashKind }
  | { op: 'insert'; path: string; filesRoot: string }
  /** Copies a cache object into the workspace (temp file + rename, chmod `mode`), for parallel checkouts. */
  | { op: 'copy'; path: string; dst: string; mode: number; md5: string };

export type HashTaskResult =
  /** `readAt`: when the read ended (ms since the epoch), for the hash index's racy-file rule. */
  | { ok: true; md5: string; size: number; ino: number; mtimeMs: number; readAt: number; added?: boolean }
  | { ok: false; code: string; message: string };

function copyOut(task: Extract<HashTask, { op: 'copy' }>): HashTaskResult {
  const tmp = tempPathFor(task.dst);
  try {
    fs.copyFileSync(task.path, tmp);
    fs.chmodSync(tmp, task.mode);
    fs.renameSync(tmp, task.dst);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw e;
  }
  const st = fs.statSync(task.dst);
  return { ok: true, md5: task.md5, size: st.size, ino: st.ino, mtimeMs: st.mtimeMs, readAt: Date.now() };
}

export function runHashTask(task: HashTask): HashTaskResult {
  try {
    if (task.op === 'copy') return copyOut(task);
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
