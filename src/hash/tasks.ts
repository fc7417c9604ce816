import type { HashKind } from './md5.js';
import { hashFileSync, insertFileSync } from './md5.js';

/** Work a hashing worker does on one file. Kept serialisable: it crosses the worker boundary. */
export type HashTask =
  | { op: 'hash'; path: string; kind: HashKind }
  | { op: 'insert'; path: string; filesRoot: string };

export type HashTaskResult =
  | { ok: true; md5: string; size: number; ino: number; mtimeMs: number; added?: boolean }
  | { ok: false; code: string; message: string };

export function runHashTask(task: HashTask): HashTaskResult {
  try {
    const r = task.op === 'hash' ? hashFileSync(task.path, task.kind) : insertFileSync(task.path, task.filesRoot);
    return {
      ok: true,
      md5: r.md5,
      size: r.size,
      ino: r.after.ino,
      mtimeMs: r.after.mtimeMs,
      ...('added' in r ? { added: (r as { added: boolean }).added } : {}),
    };
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    return { ok: false, code: err.code ?? 'EUNKNOWN', message: err.message };
  }
}
