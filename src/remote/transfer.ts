/**
 * The transfer engine, the same for every backend: work out what is missing on the other side,
 * move it with bounded concurrency, retry what is transient, verify what comes in, and report
 * every failure once at the end instead of stopping at the first.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { TroveError, errnoOf } from '../errors.js';
import { insertLargeFile } from '../hash/large-file.js';
import { adoptTemp, cacheTempPath } from '../hash/md5.js';
import type { Reporter } from '../progress.js';
import { objectPath } from '../util/cache-layout.js';
import { forEachLimit } from '../util/pool.js';
import { isObjectKey, md5HexOf, oidOf } from './keys.js';
import { isTransientNetworkFailure } from './network-errors.js';
import { RemoteError, type Remote } from './remote.js';

// The ops layer takes these from the engine.
export { keyOf, oidOf } from './keys.js';

export class CorruptObjectError extends TroveError {
  constructor(
    readonly key: string,
    readonly remoteName: string,
    actual: string,
  ) {
    super('REMOTE_OBJECT_CORRUPT', `object ${oidOf(key)} in remote '${remoteName}' is corrupt (its content hashes to ${actual}); it was not saved`, {
      hint: 'delete that object from the remote and push it again from a cache that has it',
    });
  }
}

export interface TransferFailure {
  key: string;
  error: TroveError | Error;
}

export interface TransferResult {
  /** Keys that arrived. */
  done: string[];
  failed: TransferFailure[];
  bytes: number;
  /** Set when the remote failed as a whole (unreachable, denied): the rest was not tried. */
  aborted?: RemoteError;
}

export interface TransferOptions {
  jobs: number;
  reporter?: Reporter;
  /** Progress label, e.g. 'Pushing'. */
  task?: string;
}

function isTransient(e: unknown): boolean {
  if (e instanceof RemoteError) return e.kind === 'transient';
  if (e instanceof TroveError) return false;
  const code = errnoOf(e);
  const message = (e as Error)?.message ?? '';
  return isTransientNetworkFailure(code, message) || code === 'UND_ERR_SOCKET' || /aborted/i.test(message);
}

function isWholeRemoteFailure(e: unknown): e is RemoteError {
  return e instanceof RemoteError && (e.kind === 'fatal' || e.kind === 'denied');
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Runs `op`, retrying transient failures with exponential backoff and jitter (5 attempts), and an
 * unreachable remote twice more (a restarting server), then gives up with the last error.
 */
export async function withRetry<T>(op: () => Promise<T>): Promise<T> {
  const base = Number(process.env.TROVE_RETRY_BASE_MS ?? 250);
  for (let attempt = 1; ; attempt++) {
    try {
      return await op();
    } catch (e) {
      const unreachable = e instanceof RemoteError && e.code === 'REMOTE_UNAVAILABLE';
      const limit = unreachable ? 3 : isTransient(e) ? 5 : 1;
      if (attempt >= limit) throw e;
      await sleep(Math.min(8000, base * 2 ** (attempt - 1)) * (0.5 + Math.random()));
    }
  }
}

/** How many of the remote's keys sit under one of its 256 shards, to estimate its size. */
async function countShard(remote: Remote, shard: string): Promise<number> {
  let n = 0;
  for await (const page of remote.list(`${shard}/`)) n += page.length;
  return n;
}

export type MissingStrategy = 'exists' | 'list' | 'list-shards';

/**
 * The keys the remote lacks, found the cheaper way for the numbers involved, counted in
 * sequential round trips: one existence check per key (`jobs` at a time), one listing of the
 * whole remote (1,000 keys a page), or listings of just the shards the keys fall in, in parallel.
 * The remote's size is estimated from one shard, as dvc-objects does.
 */
export async function findMissing(
  remote: Remote,
  keys: Iterable<string>,
  jobs: number,
): Promise<{ missing: Set<string>; strategy: MissingStrategy }> {
  const wanted = new Set(keys);
  if (wanted.size === 0) return { missing: new Set(), strategy: 'exists' };
  let strategy: MissingStrategy = 'exists';
  if (wanted.size > 64) {
    const estimate = Math.max(1, await withRetry(() => countShard(remote, '00'))) * 256;
    const shards = new Set([...wanted].map((k) => k.slice(0, 2)));
    const costExists = Math.ceil(wanted.size / jobs);
    const costList = Math.ceil(estimate / 1000);
    const costShards = Math.ceil(shards.size / jobs) * Math.ceil(estimate / 256 / 1000);
    if (costList <= costExists && (costList <= 4 * costShards || estimate < 100_000)) strategy = 'list';
    else if (costShards < costExists) strategy = 'list-shards';
  }
  const missing = new Set(wanted);
  if (strategy === 'exists') {
    let failure: unknown;
    await forEachLimit(
      wanted,
      jobs,
      async (key) => {
        try {
          if (await withRetry(() => remote.exists(key))) missing.delete(key);
        } catch (e) {
          failure ??= e;
        }
      },
      { stopped: () => failure !== undefined },
    );
    if (failure !== undefined) throw failure;
  } else if (strategy === 'list') {
    await withRetry(async () => {
      for await (const page of remote.list()) for (const k of page) missing.delete(k);
    });
  } else {
    const shards = [...new Set([...wanted].map((k) => k.slice(0, 2)))];
    let failure: unknown;
    await forEachLimit(
      shards,
      jobs,
      async (shard) => {
        try {
          await withRetry(async () => {
            for await (const page of remote.list(`${shard}/`)) for (const k of page) missing.delete(k);
          });
        } catch (e) {
          failure ??= e;
        }
      },
      { stopped: () => failure !== undefined },
    );
    if (failure !== undefined) throw failure;
  }
  return { missing, strategy };
}

/** Every object key on the remote (for `gc -c` and tests), skipping foreign files. */
export async function listAll(remote: Remote): Promise<string[]> {
  const out: string[] = [];
  await withRetry(async () => {
    out.length = 0;
    for await (const page of remote.list()) for (const k of page) if (isObjectKey(k)) out.push(k);
  });
  return out;
}

/** Every object key on the remote with its size in bytes (undefined when the backend lists no sizes). */
export async function listAllSized(remote: Remote): Promise<Map<string, number | undefined>> {
  const out = new Map<string, number | undefined>();
  await withRetry(async () => {
    out.clear();
    if (remote.listSized) {
      for await (const page of remote.listSized()) for (const { key, size } of page) if (isObjectKey(key)) out.set(key, size);
    } else {
      for await (const page of remote.list()) for (const k of page) if (isObjectKey(k)) out.set(k, undefined);
    }
  });
  return out;
}

/** Test hook: dies by SIGKILL after this many objects, to test interrupted transfers for real. */
const killAfter = Number(process.env.TROVE_FAULT_KILL_AFTER ?? 0);
let transferredInProcess = 0;
function countTransfer(): void {
  if (killAfter > 0 && ++transferredInProcess >= killAfter) process.kill(process.pid, 'SIGKILL');
}

/**
 * Runs `one` for each item, `jobs` at a time, each retried as withRetry does: what every transfer
 * shares (progress, per-item failures, stopping when the remote fails as a whole). `one` returns
 * the bytes it moved.
 */
export async function transferEach<T extends { key: string; size?: number }>(
  items: readonly T[],
  opts: TransferOptions,
  one: (item: T) => Promise<number>,
): Promise<TransferResult> {
  const result: TransferResult = { done: [], failed: [], bytes: 0 };
  const task = opts.task ?? 'Transferring';
  const totalBytes = items.reduce((n, i) => n + (i.size ?? 0), 0);
  opts.reporter?.progress({ kind: 'start', task, total: items.length, unit: 'files', ...(totalBytes ? { totalBytes } : {}) });
  await forEachLimit(
    items,
    opts.jobs,
    async (item) => {
      try {
        const bytes = await withRetry(() => one(item));
        result.done.push(item.key);
        result.bytes += bytes;
        countTransfer();
        opts.reporter?.progress({ kind: 'advance', task, by: 1, bytes });
      } catch (e) {
        if (isWholeRemoteFailure(e)) result.aborted ??= e;
        else result.failed.push({ key: item.key, error: e as Error });
        opts.reporter?.progress({ kind: 'advance', task, by: 1 });
      }
    },
    { stopped: () => result.aborted !== undefined },
  );
  opts.reporter?.progress({ kind: 'end', task });
  result.done.sort();
  result.failed.sort((a, b) => (a.key < b.key ? -1 : 1));
  return result;
}

/** Uploads cache objects. Each item names the local file that holds the object's bytes. */
export function uploadObjects(
  remote: Remote,
  items: readonly { key: string; path: string; size: number }[],
  opts: TransferOptions,
): Promise<TransferResult> {
  return transferEach(items, opts, async (item) => {
    await remote.put(item.key, item.path, item.size);
    return item.size;
  });
}

/**
 * Deletes objects from the remote, `jobs` at a time, retrying transient failures. Failures are
 * collected, not thrown; a remote that fails as a whole (unreachable, denied) stops the rest.
 */
export function deleteObjects(remote: Remote, items: readonly { key: string; size?: number }[], opts: TransferOptions): Promise<TransferResult> {
  return transferEach(items, opts, async (item) => {
    await remote.delete(item.key);
    return item.size ?? 0;
  });
}

/**
 * Downloads objects into the cache under `filesRoot`. Each is hashed while it is written to a temp
 * file beside the cache's objects and renamed to its address only when its md5 matches the key.
 */
export function downloadObjects(
  remote: Remote,
  filesRoot: string,
  items: readonly { key: string; size?: number }[],
  opts: TransferOptions,
): Promise<TransferResult> {
  return transferEach(items, opts, (item) => downloadOne(remote, filesRoot, item.key));
}

/** One object's bytes, in memory and verified (for small objects such as manifests). */
export function readVerified(remote: Remote, key: string): Promise<Buffer> {
  return withRetry(async () => {
    const body = await remote.get(key);
    const chunks: Buffer[] = [];
    for await (const chunk of body as AsyncIterable<Buffer>) chunks.push(chunk);
    const bytes = Buffer.concat(chunks);
    const actual = createHash('md5').update(bytes).digest('hex');
    if (actual !== md5HexOf(key)) throw new CorruptObjectError(key, remote.name, actual);
    return bytes;
  });
}

/** The whole of a small file from the remote (a run-cache entry), or an error past `limit` bytes. */
export async function readSmall(remote: Remote, key: string, limit: number): Promise<Buffer> {
  const body = await remote.get(key);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) {
      body.destroy();
      throw new TroveError('REMOTE_FILE_TOO_LARGE', `'${key}' in remote '${remote.name}' is larger than ${limit} bytes`);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

async function openTemp(filesRoot: string): Promise<{ tmp: string; fh: fs.promises.FileHandle }> {
  const tmp = cacheTempPath(filesRoot);
  try {
    return { tmp, fh: await fs.promises.open(tmp, 'wx', 0o444) };
  } catch (e) {
    if (errnoOf(e) !== 'ENOENT') throw e;
    await fs.promises.mkdir(filesRoot, { recursive: true });
    return { tmp, fh: await fs.promises.open(tmp, 'wx', 0o444) };
  }
}

/** From this size on, an object on a mounted remote is copied by the kernel while it is hashed. */
const BIG_LOCAL_OBJECT = 64 * 1024 * 1024;

async function downloadOne(remote: Remote, filesRoot: string, key: string): Promise<number> {
  const oid = oidOf(key);
  const mounted = remote.localPath?.(key);
  if (mounted !== undefined) {
    const size = await fs.promises.stat(mounted).then(
      (st) => st.size,
      () => undefined,
    );
    if (size !== undefined && size >= BIG_LOCAL_OBJECT) return copyMounted(remote, filesRoot, key, mounted);
  }
  const body = await remote.get(key);
  let opened: Awaited<ReturnType<typeof openTemp>>;
  try {
    opened = await openTemp(filesRoot);
  } catch (e) {
    // The body holds a socket or a file descriptor until it is read or destroyed.
    body.destroy();
    throw e;
  }
  const { tmp, fh } = opened;
  const md5 = createHash('md5');
  let bytes = 0;
  // The write of one chunk (thread pool) overlaps the hashing of the next (this thread).
  let writing: Promise<unknown> = Promise.resolve();
  try {
    for await (const chunk of body as AsyncIterable<Buffer>) {
      md5.update(chunk);
      bytes += chunk.length;
      await writing;
      writing = writeAll(fh, chunk);
    }
    await writing;
    await fh.close();
  } catch (e) {
    body.destroy();
    await writing.catch(() => {});
    await fh.close().catch(() => {});
    await fs.promises.rm(tmp, { force: true });
    throw e;
  }
  const actual = md5.digest('hex');
  if (actual !== md5HexOf(key)) {
    await fs.promises.rm(tmp, { force: true });
    throw new CorruptObjectError(key, remote.name, actual);
  }
  adoptTemp(tmp, objectPath(filesRoot, oid));
  return bytes;
}

async function writeAll(fh: fs.promises.FileHandle, chunk: Buffer): Promise<void> {
  let off = 0;
  while (off < chunk.length) off += (await fh.write(chunk, off, chunk.length - off)).bytesWritten;
}

/**
 * A big object on a mounted remote: copied by the kernel while this thread hashes the source, and
 * kept only if the hash names it (a mismatch removes the copy again).
 */
async function copyMounted(remote: Remote, filesRoot: string, key: string, src: string): Promise<number> {
  const r = await insertLargeFile(src, filesRoot);
  if (r.md5 !== md5HexOf(key)) {
    if (r.added) await fs.promises.rm(objectPath(filesRoot, r.md5), { force: true });
    throw new CorruptObjectError(key, remote.name, r.md5);
  }
  return r.size;
}
