/**
 * `push --run-cache` and `fetch --run-cache`: moving the entries under `runs/` between the cache
 * and a remote, as DVC's StageCache.transfer does. An entry moves only when the other side has no
 * entry at all under its key, and then only one per key; each side is listed once instead of
 * asked about every entry. Every entry is checked before it is trusted, both ways: it must parse
 * as a lock entry and hash to its own name and key.
 */
import fs from 'node:fs';
import { TroveError } from '../errors.js';
import { checkRunCacheEntry, listRunCache, writeRunCacheEntry } from '../pipeline/run-cache.js';
import type { LockedStage } from '../pipeline/lock-file.js';
import { parseRunKey, runKeyOf } from '../remote/keys.js';
import type { Remote } from '../remote/remote.js';
import { readSmall, transferEach, withRetry, type TransferFailure, type TransferOptions } from '../remote/transfer.js';
import type { Repo } from '../repo/repo.js';
import type { OpIo } from './io.js';
import type { OutRef } from './used-objects.js';

/** An entry is a few hundred bytes; anything this big under `runs/` is not one. */
const ENTRY_LIMIT = 16 * 1024 * 1024;

export class RunCacheEntryCorruptError extends TroveError {
  constructor(
    /** `runs/<key[:2]>/<key>/<value>`, under the remote's root or the cache directory. */
    readonly location: string,
    where: { remote: string } | { cache: true },
    problem: string,
  ) {
    super(
      'RUN_CACHE_ENTRY_CORRUPT',
      'remote' in where
        ? `run-cache entry in remote '${where.remote}' is corrupt (${problem}); it was not saved`
        : `run-cache entry in the cache is corrupt (${problem}); it was not pushed`,
      {
        hint:
          'remote' in where
            ? 'delete it from the remote (runs/ beside files/); `trove push --run-cache` from a clone that has that run sends it again'
            : "delete it from the cache's runs/ folder (the stage's next run records it again), then push again",
      },
    );
  }
}

/** Where an entry is, as messages and failures name it: `runs/<key[:2]>/<key>/<value>`. */
export function runLocation(key: string, value: string): string {
  return `runs/${runKeyOf(key, value)}`;
}

/** The entries on the remote, key -> values (sorted), from one listing. */
async function remoteEntries(runs: Remote): Promise<Map<string, string[]>> {
  const byKey = new Map<string, string[]>();
  await withRetry(async () => {
    byKey.clear();
    for await (const page of runs.list()) {
      for (const name of page) {
        const r = parseRunKey(name);
        if (r) byKey.set(r.key, [...(byKey.get(r.key) ?? []), r.value]);
      }
    }
  });
  for (const values of byKey.values()) values.sort();
  return byKey;
}

export interface PlannedEntry {
  key: string;
  value: string;
  /** The entry's file in the cache. */
  path: string;
  entry: LockedStage;
}

export interface RunCachePushPlan {
  /** For each key the remote lacks, the first sound entry the cache has under it. */
  entries: PlannedEntry[];
  /** Entries of the cache that are corrupt, and so are not pushed. */
  failed: TransferFailure[];
}

/** What `push --run-cache` sends: listed once on each side, the cache's entries checked. */
export async function planRunCachePush(repo: Repo, runs: Remote, io: OpIo): Promise<RunCachePushPlan> {
  const present = await remoteEntries(runs);
  const local = new Map<string, { value: string; path: string }[]>();
  for (const e of listRunCache(repo.cache.dir)) local.set(e.key, [...(local.get(e.key) ?? []), e]);
  const plan: RunCachePushPlan = { entries: [], failed: [] };
  for (const [key, candidates] of local) {
    if (present.has(key)) continue;
    for (const { value, path } of candidates) {
      const location = runLocation(key, value);
      const checked = checkRunCacheEntry(fs.readFileSync(path, 'utf8'), key, value);
      if ('entry' in checked) {
        plan.entries.push({ key, value, path, entry: checked.entry });
        break;
      }
      plan.failed.push({ key: location, error: new RunCacheEntryCorruptError(location, { cache: true }, checked.problem) });
    }
  }
  io.reporter.debug(`run-cache: ${local.size} keys in the cache, ${present.size} on remote '${runs.name}', ${plan.entries.length} to push`);
  return plan;
}

/**
 * The outputs an entry records, as transfers see them. Entries DVC 2 wrote (md5-dos2unix) name
 * objects in the legacy layout, which trove does not transfer: their outputs are left out.
 */
export function entryOutRefs(planned: PlannedEntry, io: OpIo): OutRef[] {
  const refs: OutRef[] = [];
  for (const out of planned.entry.outs) {
    if (out.hash === 'md5') refs.push({ path: out.path, md5: out.md5 });
    else io.reporter.warn(`run-cache entry ${runLocation(planned.key, planned.value)} was recorded by DVC 2 (md5-dos2unix): the output '${out.path}' it names is not pushed`);
  }
  return refs;
}

export interface RunCacheTransfer {
  /** Entries that arrived, as (key, value). */
  done: { key: string; value: string }[];
  failed: TransferFailure[];
}

/** Uploads planned entries; each appears on the remote whole or not at all. */
export async function uploadRunCache(runs: Remote, entries: readonly PlannedEntry[], opts: TransferOptions): Promise<RunCacheTransfer> {
  const items = entries.map((e) => ({ key: runKeyOf(e.key, e.value), path: e.path, size: fs.statSync(e.path).size }));
  const r = await transferEach(items, { ...opts, task: 'Pushing run-cache' }, async (item) => {
    await runs.put(item.key, item.path, item.size);
    return item.size;
  });
  if (r.aborted) throw r.aborted;
  return {
    done: r.done.map((k) => parseRunKey(k)!),
    failed: r.failed.map((f) => ({ key: `runs/${f.key}`, error: f.error })),
  };
}

/**
 * `fetch --run-cache`: for each key the cache has no entry under, downloads the remote's first
 * entry, checks it and saves it atomically; a corrupt one is reported and the next entry under the
 * same key, if any, is tried. As in DVC, only entries move: the outputs they record are fetched
 * when a stage is restored with `repro --pull`.
 */
export async function fetchRunCache(repo: Repo, runs: Remote, opts: TransferOptions): Promise<RunCacheTransfer> {
  const available = await remoteEntries(runs);
  const local = new Set(listRunCache(repo.cache.dir).map((e) => e.key));
  const wanted = [...available.keys()].filter((k) => !local.has(k)).sort();
  const corrupt: TransferFailure[] = [];
  const adopted: { key: string; value: string }[] = [];
  const r = await transferEach(
    wanted.map((key) => ({ key: `${key.slice(0, 2)}/${key}`, sha: key })),
    { ...opts, task: 'Fetching run-cache' },
    async ({ sha: key }) => {
      for (const value of available.get(key)!) {
        const location = runLocation(key, value);
        if (corrupt.some((c) => c.key === location)) continue; // a retry of this key: already reported
        let bytes: Buffer;
        try {
          bytes = await readSmall(runs, runKeyOf(key, value), ENTRY_LIMIT);
        } catch (e) {
          if (!(e instanceof TroveError && e.code === 'REMOTE_FILE_TOO_LARGE')) throw e;
          corrupt.push({ key: location, error: new RunCacheEntryCorruptError(location, { remote: runs.name }, `it is larger than ${ENTRY_LIMIT} bytes`) });
          continue;
        }
        const checked = checkRunCacheEntry(bytes.toString('utf8'), key, value);
        if ('problem' in checked) {
          corrupt.push({ key: location, error: new RunCacheEntryCorruptError(location, { remote: runs.name }, checked.problem) });
          continue;
        }
        writeRunCacheEntry(repo.cache.dir, key, value, bytes);
        adopted.push({ key, value });
        return bytes.length;
      }
      return 0;
    },
  );
  if (r.aborted) throw r.aborted;
  const failed = [...corrupt, ...r.failed.map((f) => ({ key: `runs/${f.key}`, error: f.error }))];
  failed.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  adopted.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return { done: adopted, failed };
}
