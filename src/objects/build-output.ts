import fs from 'node:fs';
import { MultiError, TroveError, throwCollected } from '../errors.js';
import { walkFiles, type FileStat, type WalkEntry, type WalkFilter } from '../fs/walk.js';
import type { HashIndex } from '../hash/hash-index.js';
import { insertLargeFile, md5LargeFile } from '../hash/large-file.js';
import { md5Dos2UnixFileSync, type HashKind } from '../hash/md5.js';
import type { HashTask, HashTaskResult } from '../hash/tasks.js';
import { runHashTasks } from '../hash/worker-pool.js';
import type { Reporter } from '../progress.js';
import type { LocalCache } from './local-cache.js';
import { serializeTree, sortTreeEntries, treeOid, type TreeEntry } from './tree.js';

export interface FileRecord {
  /** Path inside the output ('' for a file output). */
  rel: string;
  stat: FileStat;
  md5: string;
}

export type BuiltOutput =
  | { type: 'file'; md5: string; size: number; file: FileRecord }
  | { type: 'dir'; oid: string; size: number; nfiles: number; files: FileRecord[]; entries: TreeEntry[]; manifest: string };

export interface BuildOptions {
  index: HashIndex;
  kind?: HashKind;
  filter?: WalkFilter;
  /** Copy every file whose object the cache lacks into it, hashing while copying. */
  insertInto?: LocalCache;
  reporter?: Reporter;
  /** Shown on the progress bar. */
  label?: string;
  /** For a directory: its files from a walk the caller has just made, so it is not walked again. */
  walked?: readonly WalkEntry[];
}

/** Files at least this big are hashed on the main thread with pipelined I/O. */
const LARGE = 64 * 1024 * 1024;

class FileReadError extends TroveError {
  constructor(rel: string, cause: { code: string; message: string }) {
    super('READ_FAILED', `cannot hash '${rel}': ${cause.code === 'EACCES' ? 'permission denied' : cause.message}`, {
      cause,
    });
  }
}

/**
 * Computes the hash of a workspace file or directory, re-hashing only files whose
 * (inode, mtime, size) the hash index does not know. Returns undefined when nothing is there.
 */
export async function buildOutput(abs: string, opts: BuildOptions): Promise<BuiltOutput | undefined> {
  let top: fs.Stats | undefined;
  try {
    top = fs.statSync(abs, { throwIfNoEntry: false });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOTDIR') return undefined;
    throw e;
  }
  if (!top) return undefined;
  const kind = opts.kind ?? 'md5';
  if (top.isDirectory()) {
    const walked = opts.walked ? { files: opts.walked, errors: [] } : walkFiles(abs, opts.filter);
    if (walked.errors.length > 0) {
      throw new MultiError(
        'READ_FAILED',
        `cannot read ${walked.errors.length} director${walked.errors.length === 1 ? 'y' : 'ies'} under '${abs}'`,
        walked.errors.map((e) => new FileReadError(e.rel, { code: e.error.code ?? '', message: e.error.message })),
      );
    }
    const files = walked.files;
    const md5s = await hashRecords(abs, files, kind, opts);
    const records: FileRecord[] = new Array(files.length);
    let size = 0;
    for (let i = 0; i < files.length; i++) {
      records[i] = { rel: files[i]!.rel, stat: files[i]!.stat, md5: md5s[i]! };
      size += files[i]!.stat.size;
    }
    const entries = sortTreeEntries(records.map((r) => ({ relpath: r.rel, md5: r.md5 })));
    const manifest = serializeTree(entries);
    return { type: 'dir', oid: treeOid(manifest), size, nfiles: records.length, files: records, entries, manifest };
  }
  if (!top.isFile()) {
    throw new TroveError('UNSUPPORTED_FILE', `'${abs}' is neither a regular file nor a directory`);
  }
  const [md5] = await hashRecords(abs, [{ rel: '', stat: top }], kind, opts);
  return { type: 'file', md5: md5!, size: top.size, file: { rel: '', stat: top, md5: md5! } };
}

async function hashRecords(
  root: string,
  files: readonly { rel: string; stat: FileStat }[],
  kind: HashKind,
  opts: BuildOptions,
): Promise<string[]> {
  const { index, insertInto } = opts;
  const md5s: string[] = new Array(files.length);
  const todo: number[] = [];
  for (let i = 0; i < files.length; i++) {
    const known = index.get(files[i]!.stat, kind);
    if (known) md5s[i] = known;
    else todo.push(i);
  }
  if (insertInto && kind === 'md5') {
    // Known hashes whose objects the cache lacks must be copied in too.
    const known = new Set<string>();
    for (const m of md5s) if (m) known.add(m);
    const present = insertInto.presentSet(known);
    for (let i = 0; i < files.length; i++) {
      const m = md5s[i];
      if (m && !present.has(m)) {
        todo.push(i);
        present.add(m); // one copy per distinct object is enough
      }
    }
  }
  if (todo.length === 0) return md5s;

  const pathOf = (i: number) => (files[i]!.rel === '' ? root : `${root}/${files[i]!.rel}`);
  const insert = insertInto !== undefined && kind === 'md5';
  const small: number[] = [];
  const large: number[] = [];
  let totalBytes = 0;
  for (const i of todo) {
    totalBytes += files[i]!.stat.size;
    (files[i]!.stat.size >= LARGE ? large : small).push(i);
  }
  const task = opts.label ?? 'Hashing';
  opts.reporter?.progress({ kind: 'start', task, total: totalBytes, unit: 'bytes' });
  const errors: TroveError[] = [];
  const accept = (i: number, r: HashTaskResult) => {
    if (!r.ok) {
      errors.push(new FileReadError(files[i]!.rel || root, r));
      return;
    }
    md5s[i] = r.md5;
    const st = files[i]!.stat;
    // Record only when the file did not change while it was read (and is not racily new).
    if (r.ino === st.ino && r.mtimeMs === st.mtimeMs && r.size === st.size) index.setIfSettled(st, r.md5, kind, r.readAt);
  };

  const smallTasks: HashTask[] = small.map((i) =>
    insert ? { op: 'insert', path: pathOf(i), filesRoot: insertInto!.filesRoot } : { op: 'hash', path: pathOf(i), kind },
  );
  const smallRun = runHashTasks(
    smallTasks,
    small.map((i) => files[i]!.stat.size),
    (_n, bytes) => opts.reporter?.progress({ kind: 'advance', task, by: bytes }),
  ).then((results) => results.forEach((r, j) => accept(small[j]!, r)));

  for (const i of large) {
    try {
      const r =
        insert
          ? await insertLargeFile(pathOf(i), insertInto!.filesRoot)
          : kind === 'md5'
            ? await md5LargeFile(pathOf(i))
            : md5Dos2UnixFileSync(pathOf(i));
      accept(i, { ok: true, md5: r.md5, size: r.size, ino: r.after.ino, mtimeMs: r.after.mtimeMs, readAt: Date.now() });
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      accept(i, { ok: false, code: err.code ?? 'EUNKNOWN', message: err.message });
    }
    opts.reporter?.progress({ kind: 'advance', task, by: files[i]!.stat.size });
  }
  await smallRun;
  opts.reporter?.progress({ kind: 'end', task });
  throwCollected(errors, 'READ_FAILED', (n) => `cannot read ${n} files`);
  return md5s;
}
