import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { beforeAll, describe, expect, it } from 'vitest';
import { TroveError } from '../../../src/errors.js';
import type { ProgressEvent, Reporter } from '../../../src/progress.js';
import {
  RemoteAuthError,
  RemoteError,
  RemoteObjectMissingError,
  RemoteUnavailableError,
  type Remote,
} from '../../../src/remote/remote.js';
import {
  CorruptObjectError,
  downloadObjects,
  findMissing,
  keyOf,
  listAll,
  oidOf,
  uploadObjects,
  withRetry,
} from '../../../src/remote/transfer.js';
import { caught, listTree, useTempDirs, writeFile } from '../helpers.js';

beforeAll(() => {
  // Backoff of ~1 ms per retry instead of 250 ms.
  process.env.TROVE_RETRY_BASE_MS = '1';
});

const tempDir = useTempDirs('trove-transfer-');
const tick = (ms = 0) => new Promise<void>((r) => setTimeout(r, ms));
const md5 = (data: string | Buffer) => createHash('md5').update(data).digest('hex');

type Op = 'list' | 'exists' | 'get' | 'put' | 'delete';

const transient = (what = 'flaky') => new RemoteError('REMOTE_IO', what, 'transient');
const econnreset = () => Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });

/**
 * A remote held in a Map, counting calls per method and per key, tracking how many calls are in
 * flight, with hooks to inject failures. `fail` is asked before every call: returning an error
 * makes that call reject with it.
 */
class MemoryRemote implements Remote {
  readonly name = 'mem';
  readonly displayUrl = 'mem://bucket';
  readonly defaultJobs = 4;
  readonly verify = false;
  readonly area = 'objects';
  readonly objects = new Map<string, Buffer>();
  readonly calls: Record<Op, number> = { list: 0, exists: 0, get: 0, put: 0, delete: 0 };
  readonly callsByKey = new Map<string, number>();
  readonly listPrefixes: (string | undefined)[] = [];
  inFlight = 0;
  maxInFlight = 0;
  /** Milliseconds each put/get/exists takes, so that calls overlap. */
  delay = 0;
  fail: (op: Op, key: string, attempt: number) => Error | undefined = () => undefined;
  /** Bytes served instead of the stored ones. */
  readonly served = new Map<string, Buffer>();
  /** Keys whose stream errors half-way, with how many more times it does. */
  readonly breakMidStream = new Map<string, number>();
  /** Every stream handed out by get, to check that none is left open. */
  readonly streams: Readable[] = [];

  private async enter(op: Op, key: string): Promise<void> {
    this.calls[op]++;
    const id = `${op} ${key}`;
    const attempt = (this.callsByKey.get(id) ?? 0) + 1;
    this.callsByKey.set(id, attempt);
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      await tick(this.delay);
      const e = this.fail(op, key, attempt);
      if (e) throw e;
    } finally {
      this.inFlight--;
    }
  }

  at(): Remote {
    throw new Error('MemoryRemote holds objects only');
  }

  callsFor(op: Op, key: string): number {
    return this.callsByKey.get(`${op} ${key}`) ?? 0;
  }

  async *list(prefix?: string): AsyncIterable<string[]> {
    this.listPrefixes.push(prefix);
    await this.enter('list', prefix ?? '');
    const keys = [...this.objects.keys()].filter((k) => !prefix || k.startsWith(prefix)).sort();
    for (let i = 0; i < keys.length; i += 1000) yield keys.slice(i, i + 1000);
  }

  async exists(key: string): Promise<boolean> {
    await this.enter('exists', key);
    return this.objects.has(key);
  }

  async put(key: string, localPath: string, size: number): Promise<void> {
    await this.enter('put', key);
    const data = await fs.promises.readFile(localPath);
    expect(data.length).toBe(size);
    this.objects.set(key, data);
  }

  async get(key: string): Promise<Readable> {
    await this.enter('get', key);
    const data = this.served.get(key) ?? this.objects.get(key);
    if (!data) throw new RemoteObjectMissingError(this.name, key);
    const breaks = this.breakMidStream.get(key) ?? 0;
    if (breaks > 0) {
      this.breakMidStream.set(key, breaks - 1);
      return Readable.from(
        (async function* () {
          yield data.subarray(0, Math.floor(data.length / 2));
          await tick(1);
          throw econnreset();
        })(),
      );
    }
    // Several chunks, as a network body would come.
    const chunks: Buffer[] = [];
    for (let i = 0; i < data.length; i += 7) chunks.push(data.subarray(i, i + 7));
    const stream = Readable.from(chunks);
    this.streams.push(stream);
    return stream;
  }

  async delete(key: string): Promise<void> {
    await this.enter('delete', key);
    this.objects.delete(key);
  }
}

/** `n` distinct objects: their bytes, oid and remote key. */
function makeObjects(n: number, tag = 'obj'): { data: Buffer; oid: string; key: string }[] {
  return Array.from({ length: n }, (_, i) => {
    const data = Buffer.from(`${tag} ${i} ${'x'.repeat(i % 50)}\n`);
    const oid = md5(data);
    return { data, oid, key: keyOf(oid) };
  });
}

/** Writes the objects as local files, returning upload items. */
function uploadItems(dir: string, objs: { data: Buffer; key: string }[]) {
  return objs.map((o, i) => {
    const p = path.join(dir, `f${i}`);
    fs.writeFileSync(p, o.data);
    return { key: o.key, path: p, size: o.data.length };
  });
}

function recordingReporter(): Reporter & { events: ProgressEvent[] } {
  const events: ProgressEvent[] = [];
  return { events, progress: (e) => events.push(e), info() {}, warn() {}, debug() {} };
}

/** Every file under `dir` whose name marks it as a temp file. */
function tempFilesUnder(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return listTree(dir).filter((p) => path.posix.basename(p).startsWith('.trove-tmp-'));
}

describe('keyOf / oidOf', () => {
  it('map an oid to xx/rest and back, keeping .dir', () => {
    const oid = md5('a');
    expect(keyOf(oid)).toBe(`${oid.slice(0, 2)}/${oid.slice(2)}`);
    expect(oidOf(keyOf(oid))).toBe(oid);
    expect(oidOf(keyOf(`${oid}.dir`))).toBe(`${oid}.dir`);
  });
});

describe('withRetry', () => {
  it('retries a transient failure and returns the eventual result', async () => {
    let calls = 0;
    const v = await withRetry(async () => {
      if (++calls < 3) throw transient();
      return 'ok';
    });
    expect(v).toBe('ok');
    expect(calls).toBe(3);
  });

  it('treats network errnos and "socket hang up" as transient', async () => {
    for (const make of [econnreset, () => new Error('socket hang up')]) {
      let calls = 0;
      await withRetry(async () => {
        if (++calls < 2) throw make();
      });
      expect(calls).toBe(2);
    }
  });

  it('gives up after 5 attempts with the last error', async () => {
    let calls = 0;
    const err = await caught(() =>
      withRetry(async () => {
        throw transient(`attempt ${++calls}`);
      }),
    );
    expect(calls).toBe(5);
    expect((err as Error).message).toBe('attempt 5');
  });

  it('tries an unreachable remote 3 times in all', async () => {
    let calls = 0;
    const err = await caught(() =>
      withRetry(async () => {
        calls++;
        throw new RemoteUnavailableError('r', 'mem://', 'connection refused');
      }),
    );
    expect(err).toBeInstanceOf(RemoteUnavailableError);
    expect(calls).toBe(3);
  });

  it('does not retry what is not transient', async () => {
    const errors: Error[] = [
      new RemoteObjectMissingError('r', 'ab/cd'),
      new RemoteAuthError('r', 'mem://', '403'),
      new RemoteError('X', 'fatal', 'fatal'),
      new TroveError('SOMETHING', 'a trove error'),
      new Error('plain bug'),
      Object.assign(new Error('no such file'), { code: 'ENOENT' }),
    ];
    for (const e of errors) {
      let calls = 0;
      const got = await caught(() =>
        withRetry(async () => {
          calls++;
          throw e;
        }),
      );
      expect(got).toBe(e);
      expect(calls, e.message).toBe(1);
    }
  });
});

describe('findMissing', () => {
  it('returns nothing missing for no keys, without asking the remote', async () => {
    const remote = new MemoryRemote();
    expect(await findMissing(remote, [], 8)).toEqual({ missing: new Set(), strategy: 'exists' });
    expect(remote.calls).toEqual({ list: 0, exists: 0, get: 0, put: 0, delete: 0 });
  });

  it('checks up to 64 keys one by one with exists', async () => {
    const remote = new MemoryRemote();
    const objs = makeObjects(64);
    for (const o of objs.slice(0, 30)) remote.objects.set(o.key, o.data);
    const { missing, strategy } = await findMissing(
      remote,
      objs.map((o) => o.key),
      8,
    );
    expect(strategy).toBe('exists');
    expect(remote.calls.exists).toBe(64);
    expect(remote.calls.list).toBe(0);
    expect([...missing].sort()).toEqual(
      objs
        .slice(30)
        .map((o) => o.key)
        .sort(),
    );
  });

  it('runs at most `jobs` exists checks at once', async () => {
    const remote = new MemoryRemote();
    remote.delay = 2;
    await findMissing(
      remote,
      makeObjects(40).map((o) => o.key),
      3,
    );
    expect(remote.maxInFlight).toBe(3);
  });

  it('lists a small remote once instead of checking many keys', async () => {
    const remote = new MemoryRemote();
    const objs = makeObjects(2000);
    for (const o of objs.slice(0, 1500)) remote.objects.set(o.key, o.data);
    const { missing, strategy } = await findMissing(
      remote,
      objs.map((o) => o.key),
      8,
    );
    expect(strategy).toBe('list');
    expect(remote.calls.exists).toBe(0);
    // One shard to estimate the size, then one full listing (two pages).
    expect(remote.listPrefixes).toEqual(['00/', undefined]);
    expect([...missing].sort()).toEqual(
      objs
        .slice(1500)
        .map((o) => o.key)
        .sort(),
    );
  });

  it('finds nothing missing when a small remote holds every key', async () => {
    const remote = new MemoryRemote();
    const objs = makeObjects(2000);
    for (const o of objs) remote.objects.set(o.key, o.data);
    const { missing, strategy } = await findMissing(
      remote,
      objs.map((o) => o.key),
      8,
    );
    expect(strategy).toBe('list');
    expect(remote.calls.exists).toBe(0);
    expect(missing.size).toBe(0);
  });

  /** A remote whose shard `00` holds 3,000 keys: it looks like it holds ~768,000 objects. */
  function hugeRemote(): MemoryRemote {
    const remote = new MemoryRemote();
    for (let i = 0; i < 3000; i++) remote.objects.set(`00/${md5(`filler ${i}`).slice(2)}`, Buffer.alloc(0));
    return remote;
  }

  it('lists only the shards involved when the keys are few shards of a huge remote', async () => {
    const remote = hugeRemote();
    const keys = Array.from({ length: 100 }, (_, i) => `ab/${md5(`k ${i}`).slice(2)}`);
    for (const k of keys.slice(0, 40)) remote.objects.set(k, Buffer.alloc(0));
    const { missing, strategy } = await findMissing(remote, keys, 8);
    expect(strategy).toBe('list-shards');
    expect(remote.calls.exists).toBe(0);
    expect(remote.listPrefixes).toEqual(['00/', 'ab/']);
    expect([...missing].sort()).toEqual(keys.slice(40).sort());
  });

  it('checks keys one by one when they spread over every shard of a huge remote', async () => {
    const remote = hugeRemote();
    const objs = makeObjects(300);
    expect(new Set(objs.map((o) => o.key.slice(0, 2))).size).toBeGreaterThan(150);
    for (const o of objs.slice(0, 100)) remote.objects.set(o.key, o.data);
    const { missing, strategy } = await findMissing(
      remote,
      objs.map((o) => o.key),
      8,
    );
    expect(strategy).toBe('exists');
    expect(remote.calls.exists).toBe(300);
    expect(remote.listPrefixes).toEqual(['00/']);
    expect([...missing].sort()).toEqual(
      objs
        .slice(100)
        .map((o) => o.key)
        .sort(),
    );
  });

  it('retries a transient exists failure', async () => {
    const remote = new MemoryRemote();
    const objs = makeObjects(5);
    remote.objects.set(objs[0]!.key, objs[0]!.data);
    remote.fail = (op, key, attempt) => (op === 'exists' && key === objs[0]!.key && attempt < 3 ? transient() : undefined);
    const { missing } = await findMissing(
      remote,
      objs.map((o) => o.key),
      2,
    );
    expect(missing.has(objs[0]!.key)).toBe(false);
    expect(missing.size).toBe(4);
    expect(remote.callsFor('exists', objs[0]!.key)).toBe(3);
  });

  it('rejects with the error of a failing exists, and stops checking', async () => {
    const remote = new MemoryRemote();
    const objs = makeObjects(60);
    const boom = new RemoteAuthError('mem', 'mem://bucket', '403 Forbidden');
    remote.fail = (op, key) => (op === 'exists' && key === objs[3]!.key ? boom : undefined);
    const err = await caught(() =>
      findMissing(
        remote,
        objs.map((o) => o.key),
        2,
      ),
    );
    expect(err).toBe(boom);
    expect(remote.calls.exists).toBeLessThan(60);
  });

  it('rejects when listing fails', async () => {
    const remote = new MemoryRemote();
    const boom = new RemoteAuthError('mem', 'mem://bucket', '403 Forbidden');
    remote.fail = (op) => (op === 'list' ? boom : undefined);
    expect(
      await caught(() =>
        findMissing(
          remote,
          makeObjects(100).map((o) => o.key),
          8,
        ),
      ),
    ).toBe(boom);
  });
});

describe('listAll', () => {
  it('lists every object key and skips foreign files', async () => {
    const remote = new MemoryRemote();
    const objs = makeObjects(3);
    for (const o of objs) remote.objects.set(o.key, o.data);
    remote.objects.set(`${objs[0]!.key}.dir`, Buffer.from('[]'));
    remote.objects.set('ab/.trove-tmp-1-2', Buffer.alloc(0));
    remote.objects.set('README', Buffer.alloc(0));
    expect((await listAll(remote)).sort()).toEqual([...objs.map((o) => o.key), `${objs[0]!.key}.dir`].sort());
  });
});

describe('uploadObjects', () => {
  it('uploads everything, counting bytes, with at most `jobs` puts in flight', async () => {
    const remote = new MemoryRemote();
    remote.delay = 2;
    const objs = makeObjects(30);
    const items = uploadItems(tempDir(), objs);
    const result = await uploadObjects(remote, items, { jobs: 4 });
    expect(remote.maxInFlight).toBe(4);
    expect(result.done).toEqual(items.map((i) => i.key).sort());
    expect(result.failed).toEqual([]);
    expect(result.aborted).toBeUndefined();
    expect(result.bytes).toBe(items.reduce((n, i) => n + i.size, 0));
    for (const o of objs) expect(remote.objects.get(o.key)).toEqual(o.data);
  });

  it('retries transient failures until they succeed', async () => {
    const remote = new MemoryRemote();
    const objs = makeObjects(6);
    const flaky = objs[2]!.key;
    remote.fail = (op, key, attempt) => (op === 'put' && key === flaky && attempt <= 3 ? transient() : undefined);
    const result = await uploadObjects(remote, uploadItems(tempDir(), objs), { jobs: 2 });
    expect(result.failed).toEqual([]);
    expect(result.done).toHaveLength(6);
    expect(remote.callsFor('put', flaky)).toBe(4);
    expect(remote.calls.put).toBe(6 + 3);
  });

  it('reports an object that keeps failing and finishes the others', async () => {
    const remote = new MemoryRemote();
    const objs = makeObjects(8);
    const broken = objs[1]!.key;
    const alwaysFlaky = objs[5]!.key;
    const bug = new Error('disk on fire');
    remote.fail = (op, key) => (op !== 'put' ? undefined : key === broken ? bug : key === alwaysFlaky ? transient() : undefined);
    const items = uploadItems(tempDir(), objs);
    const result = await uploadObjects(remote, items, { jobs: 3 });
    expect(result.aborted).toBeUndefined();
    expect(result.failed.map((f) => f.key)).toEqual([broken, alwaysFlaky].sort());
    expect(result.failed.find((f) => f.key === broken)!.error).toBe(bug);
    expect(result.done).toEqual(
      objs
        .map((o) => o.key)
        .filter((k) => k !== broken && k !== alwaysFlaky)
        .sort(),
    );
    expect(remote.callsFor('put', broken)).toBe(1);
    expect(remote.callsFor('put', alwaysFlaky)).toBe(5);
    expect(result.bytes).toBe(items.filter((i) => i.key !== broken && i.key !== alwaysFlaky).reduce((n, i) => n + i.size, 0));
  });

  it('aborts when the remote becomes unreachable, starting nothing more', async () => {
    const remote = new MemoryRemote();
    remote.delay = 1;
    const objs = makeObjects(40);
    let puts = 0;
    remote.fail = (op) => (op === 'put' && ++puts > 3 ? new RemoteUnavailableError('mem', 'mem://bucket', 'ECONNREFUSED') : undefined);
    const result = await uploadObjects(remote, uploadItems(tempDir(), objs), { jobs: 2 });
    expect(result.aborted).toBeInstanceOf(RemoteUnavailableError);
    expect(result.failed).toEqual([]);
    expect(result.done.length).toBe(3);
    // The items in flight when it died (at most `jobs`), each tried 3 times; no other started.
    const started = objs.filter((o) => remote.callsFor('put', o.key) > 0).length;
    expect(started).toBeLessThanOrEqual(3 + 2);
    expect(remote.calls.put).toBeLessThanOrEqual(3 + 2 * 3);
  });

  it('aborts at once when the remote refuses access', async () => {
    const remote = new MemoryRemote();
    const objs = makeObjects(40);
    remote.fail = (op) => (op === 'put' ? new RemoteAuthError('mem', 'mem://bucket', '403 Forbidden') : undefined);
    const result = await uploadObjects(remote, uploadItems(tempDir(), objs), { jobs: 3 });
    expect(result.aborted).toBeInstanceOf(RemoteAuthError);
    expect(result.aborted!.kind).toBe('denied');
    expect(result.done).toEqual([]);
    expect(result.failed).toEqual([]);
    // Not retried: one attempt for each of the first `jobs` items, then nothing starts.
    expect(remote.calls.put).toBe(3);
  });

  it('sends start, advance (with bytes) and end events to the reporter', async () => {
    const remote = new MemoryRemote();
    const objs = makeObjects(5);
    const broken = objs[0]!.key;
    remote.fail = (op, key) => (op === 'put' && key === broken ? new Error('nope') : undefined);
    const items = uploadItems(tempDir(), objs);
    const reporter = recordingReporter();
    const result = await uploadObjects(remote, items, { jobs: 2, reporter, task: 'Pushing' });
    const { events } = reporter;
    const totalBytes = items.reduce((n, i) => n + i.size, 0);
    expect(events[0]).toEqual({ kind: 'start', task: 'Pushing', total: 5, unit: 'files', totalBytes });
    expect(events.at(-1)).toEqual({ kind: 'end', task: 'Pushing' });
    const advances = events.slice(1, -1);
    expect(advances).toHaveLength(5);
    for (const e of advances) expect(e).toMatchObject({ kind: 'advance', task: 'Pushing', by: 1 });
    const moved = advances.reduce((n, e) => n + (e.kind === 'advance' ? (e.bytes ?? 0) : 0), 0);
    expect(moved).toBe(result.bytes);
    expect(moved).toBe(totalBytes - items[0]!.size);
  });

  it('reports start and end for an empty batch', async () => {
    const reporter = recordingReporter();
    const result = await uploadObjects(new MemoryRemote(), [], { jobs: 4, reporter });
    expect(result).toEqual({ done: [], failed: [], bytes: 0 });
    expect(reporter.events.map((e) => e.kind)).toEqual(['start', 'end']);
  });
});

describe('downloadObjects', () => {
  function setup(n = 5) {
    const remote = new MemoryRemote();
    const objs = makeObjects(n);
    for (const o of objs) remote.objects.set(o.key, o.data);
    const filesRoot = path.join(tempDir(), 'files', 'md5');
    return { remote, objs, filesRoot };
  }
  const cachePath = (filesRoot: string, key: string) => path.join(filesRoot, key);

  it('puts good objects at files/md5/xx/rest, read-only, with the right bytes', async () => {
    const { remote, objs, filesRoot } = setup(12);
    const reporter = recordingReporter();
    const result = await downloadObjects(
      remote,
      filesRoot,
      objs.map((o) => ({ key: o.key, size: o.data.length })),
      { jobs: 4, reporter, task: 'Fetching' },
    );
    expect(result.failed).toEqual([]);
    expect(result.done).toEqual(objs.map((o) => o.key).sort());
    expect(result.bytes).toBe(objs.reduce((n, o) => n + o.data.length, 0));
    for (const o of objs) {
      const p = cachePath(filesRoot, o.key);
      expect(fs.readFileSync(p)).toEqual(o.data);
      expect(fs.statSync(p).mode & 0o777).toBe(0o444);
    }
    expect(tempFilesUnder(filesRoot)).toEqual([]);
    expect(reporter.events[0]).toMatchObject({ kind: 'start', task: 'Fetching', total: 12, totalBytes: result.bytes });
    expect(reporter.events.at(-1)).toEqual({ kind: 'end', task: 'Fetching' });
  });

  it('refuses an object whose bytes do not hash to its key, leaving nothing behind', async () => {
    const { remote, objs, filesRoot } = setup(3);
    const bad = objs[1]!.key;
    remote.served.set(bad, Buffer.from('not what was pushed\n'));
    const result = await downloadObjects(
      remote,
      filesRoot,
      objs.map((o) => ({ key: o.key })),
      { jobs: 2 },
    );
    expect(result.done).toEqual([objs[0]!.key, objs[2]!.key].sort());
    expect(result.failed).toHaveLength(1);
    const { key, error } = result.failed[0]!;
    expect(key).toBe(bad);
    expect(error).toBeInstanceOf(CorruptObjectError);
    expect(error).toMatchObject({ code: 'REMOTE_OBJECT_CORRUPT', key: bad, remoteName: 'mem' });
    expect(error.message).toContain(md5('not what was pushed\n'));
    expect(fs.existsSync(cachePath(filesRoot, bad))).toBe(false);
    expect(tempFilesUnder(filesRoot)).toEqual([]);
    // Corruption is not transient: asked once.
    expect(remote.callsFor('get', bad)).toBe(1);
  });

  it('fails a missing object with RemoteObjectMissingError, without retrying', async () => {
    const { remote, objs, filesRoot } = setup(3);
    const gone = objs[0]!.key;
    remote.objects.delete(gone);
    const result = await downloadObjects(
      remote,
      filesRoot,
      objs.map((o) => ({ key: o.key })),
      { jobs: 2 },
    );
    expect(result.aborted).toBeUndefined();
    expect(result.failed.map((f) => f.key)).toEqual([gone]);
    expect(result.failed[0]!.error).toBeInstanceOf(RemoteObjectMissingError);
    expect(remote.callsFor('get', gone)).toBe(1);
    expect(result.done).toHaveLength(2);
    expect(tempFilesUnder(filesRoot)).toEqual([]);
  });

  it('retries a stream that breaks half-way, and keeps only the whole object', async () => {
    const { remote, objs, filesRoot } = setup(3);
    const flaky = objs[2]!.key;
    remote.breakMidStream.set(flaky, 2);
    const result = await downloadObjects(
      remote,
      filesRoot,
      objs.map((o) => ({ key: o.key })),
      { jobs: 3 },
    );
    expect(result.failed).toEqual([]);
    expect(result.done).toEqual(objs.map((o) => o.key).sort());
    expect(remote.callsFor('get', flaky)).toBe(3);
    expect(fs.readFileSync(cachePath(filesRoot, flaky))).toEqual(objs[2]!.data);
    // Bytes of the whole objects only, not of the broken attempts.
    expect(result.bytes).toBe(objs.reduce((n, o) => n + o.data.length, 0));
    expect(tempFilesUnder(filesRoot)).toEqual([]);
  });

  it('fails an object whose stream always breaks, leaving no temp file', async () => {
    const { remote, objs, filesRoot } = setup(2);
    const flaky = objs[0]!.key;
    remote.breakMidStream.set(flaky, 100);
    const result = await downloadObjects(
      remote,
      filesRoot,
      objs.map((o) => ({ key: o.key })),
      { jobs: 2 },
    );
    expect(result.failed.map((f) => f.key)).toEqual([flaky]);
    expect(remote.callsFor('get', flaky)).toBe(5);
    expect(fs.existsSync(cachePath(filesRoot, flaky))).toBe(false);
    expect(tempFilesUnder(filesRoot)).toEqual([]);
  });

  it('verifies a .dir object against its md5 without the suffix', async () => {
    const { remote, filesRoot } = setup(0);
    const manifest = Buffer.from('[{"md5": "d41d8cd98f00b204e9800998ecf8427e", "relpath": "empty"}]');
    const key = `${keyOf(md5(manifest))}.dir`;
    remote.objects.set(key, manifest);
    const result = await downloadObjects(remote, filesRoot, [{ key }], { jobs: 1 });
    expect(result.failed).toEqual([]);
    expect(result.done).toEqual([key]);
    expect(fs.readFileSync(cachePath(filesRoot, key))).toEqual(manifest);
    expect(fs.statSync(cachePath(filesRoot, key)).mode & 0o777).toBe(0o444);

    // And a .dir whose bytes do not match is refused like any other object.
    const wrongKey = `${keyOf(md5('other'))}.dir`;
    remote.objects.set(wrongKey, manifest);
    const bad = await downloadObjects(remote, filesRoot, [{ key: wrongKey }], { jobs: 1 });
    expect(bad.failed[0]!.error).toBeInstanceOf(CorruptObjectError);
    expect(fs.existsSync(cachePath(filesRoot, wrongKey))).toBe(false);
  });

  it('leaves an object that is already in the cache alone', async () => {
    const { remote, objs, filesRoot } = setup(2);
    const have = objs[0]!;
    const p = cachePath(filesRoot, have.key);
    writeFile(p, have.data);
    fs.chmodSync(p, 0o444);
    const before = fs.statSync(p);
    const result = await downloadObjects(
      remote,
      filesRoot,
      objs.map((o) => ({ key: o.key })),
      { jobs: 2 },
    );
    expect(result.failed).toEqual([]);
    expect(result.done).toEqual(objs.map((o) => o.key).sort());
    const after = fs.statSync(p);
    expect(after.ino).toBe(before.ino);
    expect(after.mtimeMs).toBe(before.mtimeMs);
    expect(fs.readFileSync(p)).toEqual(have.data);
    expect(fs.readFileSync(cachePath(filesRoot, objs[1]!.key))).toEqual(objs[1]!.data);
    expect(tempFilesUnder(filesRoot)).toEqual([]);
  });

  it('closes the object stream when the cache cannot take the object', async () => {
    const { remote, objs } = setup(2);
    const notADir = path.join(tempDir(), 'file');
    writeFile(notADir, 'x');
    const result = await downloadObjects(
      remote,
      path.join(notADir, 'files', 'md5'),
      objs.map((o) => ({ key: o.key })),
      { jobs: 2 },
    );
    expect(result.failed).toHaveLength(2);
    expect(remote.streams).toHaveLength(2);
    for (const s of remote.streams) expect(s.destroyed).toBe(true);
  });

  it('aborts when the remote refuses access, and writes nothing', async () => {
    const { remote, objs, filesRoot } = setup(20);
    remote.fail = (op) => (op === 'get' ? new RemoteAuthError('mem', 'mem://bucket', '403') : undefined);
    const result = await downloadObjects(
      remote,
      filesRoot,
      objs.map((o) => ({ key: o.key })),
      { jobs: 4 },
    );
    expect(result.aborted).toBeInstanceOf(RemoteAuthError);
    expect(result.done).toEqual([]);
    expect(remote.calls.get).toBe(4);
    expect(fs.existsSync(filesRoot) ? listTree(filesRoot).filter((p) => !p.endsWith('/')) : []).toEqual([]);
  });
});
