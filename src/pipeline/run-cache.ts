/**
 * The run-cache, laid out and keyed exactly as DVC 3's `dvc/stage/cache.py`, so that DVC and
 * trove find each other's entries:
 *
 *   <cache dir>/runs/<key[:2]>/<key>/<value>
 *
 * The entry file is the stage's lock entry (cmd, deps, params, outs), written as DVC writes it.
 * `value` is the sha256 of that entry and `key` the sha256 of the same entry with each out reduced
 * to its path, both hashed as DVC's `dict_sha256` does: Python's
 * `json.dumps(d, sort_keys=True)` (", " and ": " separators, ASCII escapes) of the entry with every
 * `size` and `nfiles` key removed, at any depth (params named `size` included).
 */
import fs from 'node:fs';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { errnoOf, MultiError, TroveError } from '../errors.js';
import { writeFileAtomic } from '../fs/atomic-write.js';
import { compareCodePoints, pyFloatRepr, pyJsonString } from '../util/py-json.js';
import { lockKeyParts, type ParamValues, type PathHashes } from './lock-entry.js';
import { isPyFloat, lockedPathValue, parseLockStage, serializeLockStage, type LockedPath, type LockedStage, type ParamValue } from './lock-file.js';
import type { Stage } from './stage.js';

export const RUNS_DIR = 'runs';

/** Keys DVC leaves out of both hashes (`Meta.PARAM_SIZE`, `Meta.PARAM_NFILES`). */
const EXCLUDED = new Set(['size', 'nfiles']);

/**
 * Why DVC would neither save nor restore this stage through the run-cache (`_can_hash`), or
 * undefined when it would: always_changed, no command, no dependencies (params count), no
 * outputs, or an output with `persist: true`. (Callback stages have no deps, so they are covered.)
 */
export function runCacheSkipReason(stage: Stage): string | undefined {
  if (stage.alwaysChanged) return 'always_changed is set';
  if (stage.cmd.length === 0) return 'it has no command';
  if (stage.deps.length === 0 && stage.params.length === 0) return 'it has no dependencies';
  if (stage.outs.length === 0) return 'it has no outputs';
  const persisted = stage.outs.find((o) => o.persist);
  if (persisted) return `output '${persisted.path}' has persist: true`;
  return undefined;
}

/** DVC also refuses a params file that yields no values (its hash is empty, so `_can_hash` fails). */
function emptyParamsReason(params: LockedStage['params']): string | undefined {
  const empty = Object.entries(params).find(([, v]) => Object.keys(v).length === 0);
  return empty ? `params file '${empty[0]}' has no values` : undefined;
}

/** The run-cache key: sha256 of the entry with outs reduced to their paths. */
export function runCacheKey(parts: Pick<LockedStage, 'cmd' | 'deps' | 'params'> & { outPaths: readonly string[] }): string {
  return sha256(pyJsonSorted(entryDict(parts, parts.outPaths)));
}

/** The run-cache value (the entry file's name): sha256 of the whole entry. */
export function runCacheValue(entry: LockedStage): string {
  return sha256(pyJsonSorted(entryDict(entry, entry.outs)));
}

export function runCacheEntryPath(cacheDir: string, key: string, value: string): string {
  return path.join(cacheDir, RUNS_DIR, key.slice(0, 2), key, value);
}

/**
 * The entry a run recorded for this stage with these deps and params, or undefined. Any valid
 * entry under the key is a hit (DVC takes the first one `listdir` gives); unreadable ones are
 * skipped. A hit is only usable if every out's object is in the cache (DVC's `outs_cached`): the
 * caller checks that, checks the outs out, and records the entry in dvc.lock.
 */
export function lookup(cacheDir: string, stage: Stage, depsHashes: PathHashes, params: ParamValues): LockedStage | undefined {
  if (runCacheSkipReason(stage)) return undefined;
  const parts = lockKeyParts(stage, depsHashes, params);
  if (emptyParamsReason(parts.params)) return undefined;
  const key = runCacheKey(parts);
  const dir = path.dirname(runCacheEntryPath(cacheDir, key, 'x'));
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch (e) {
    if (errnoOf(e) === 'ENOENT' || errnoOf(e) === 'ENOTDIR') return undefined;
    throw e;
  }
  for (const name of names.sort()) {
    if (!/^[0-9a-f]{64}$/.test(name)) continue; // temp files of a write in progress
    try {
      return parseLockStage(fs.readFileSync(path.join(dir, name), 'utf8'), path.join(dir, name));
    } catch (e) {
      if (e instanceof TroveError || errnoOf(e) === 'ENOENT' || errnoOf(e) === 'EISDIR') continue;
      throw e;
    }
  }
  return undefined;
}

export type RunCacheSaveResult =
  | { kind: 'saved' | 'exists'; key: string; value: string; path: string }
  | { kind: 'skipped'; reason: string };

/**
 * Records a successful run of `stage` (its lock entry, outs hashed). An entry already there is
 * kept. As in DVC, outputs with `cache: false` must have been committed to the cache by the
 * caller beforehand (DVC copies them in), or the entry cannot be restored later.
 */
export function save(cacheDir: string, stage: Stage, entry: LockedStage): RunCacheSaveResult {
  const reason = runCacheSkipReason(stage) ?? emptyParamsReason(entry.params);
  if (reason) return { kind: 'skipped', reason };
  const key = runCacheKeyOf(entry);
  const value = runCacheValue(entry);
  const file = runCacheEntryPath(cacheDir, key, value);
  if (fs.existsSync(file)) {
    try {
      parseLockStage(fs.readFileSync(file, 'utf8'), file);
      return { kind: 'exists', key, value, path: file };
    } catch (e) {
      if (!(e instanceof TroveError)) throw e;
      // A corrupted entry is replaced, as DVC's _load_cache deletes it.
    }
  }
  writeFileAtomic(file, serializeLockStage(entry));
  return { kind: 'saved', key, value, path: file };
}

/** What parse errors of an entry name as its file, to be cut from the problem they describe. */
const ENTRY = 'entry';

/** The key an entry is filed under: its own hash with outs reduced to their paths. */
export function runCacheKeyOf(entry: LockedStage): string {
  return runCacheKey({ ...entry, outPaths: entry.outs.map((o) => o.path) });
}

/**
 * Reads the bytes stored as entry (key, value), from a remote or from the cache, and says whether
 * they can be trusted: they must parse as a lock-stage entry, and hash to `value` (the file's name)
 * and to `key` (its folder), so that no entry can answer for a stage it was not recorded for.
 */
export function checkRunCacheEntry(text: string, key: string, value: string): { entry: LockedStage } | { problem: string } {
  let entry: LockedStage;
  try {
    entry = parseLockStage(text, ENTRY);
  } catch (e) {
    if (!(e instanceof TroveError)) throw e;
    const first = e instanceof MultiError ? e.errors[0]! : e;
    const detail = first.message.startsWith(ENTRY) ? first.message.slice(ENTRY.length).replace(/^:(\d+):/, 'line $1:').replace(/^: /, '') : first.message;
    const more = e instanceof MultiError ? ` (and ${e.errors.length - 1} more)` : '';
    return { problem: `it is not a stage's lock entry: ${detail}${more}` };
  }
  const actual = runCacheValue(entry);
  if (actual !== value) return { problem: `its content hashes to ${actual}` };
  const filed = runCacheKeyOf(entry);
  if (filed !== key) return { problem: `it belongs under key ${filed}` };
  return { entry };
}

/** Adopts a checked entry's bytes as they came, atomically (a temp file in its folder, then a rename). */
export function writeRunCacheEntry(cacheDir: string, key: string, value: string, bytes: string | Uint8Array): string {
  const file = runCacheEntryPath(cacheDir, key, value);
  writeFileAtomic(file, bytes);
  return file;
}

/** Every entry under `<cacheDir>/runs`, as (key, value) pairs: what push/pull --run-cache move. */
export function listRunCache(cacheDir: string): { key: string; value: string; path: string }[] {
  const out: { key: string; value: string; path: string }[] = [];
  const runs = path.join(cacheDir, RUNS_DIR);
  for (const prefix of readdirOrEmpty(runs)) {
    for (const key of readdirOrEmpty(path.join(runs, prefix))) {
      if (!key.startsWith(prefix)) continue;
      for (const value of readdirOrEmpty(path.join(runs, prefix, key))) {
        if (/^[0-9a-f]{64}$/.test(value)) out.push({ key, value, path: path.join(runs, prefix, key, value) });
      }
    }
  }
  return out.sort((a, b) => compareCodePoints(a.path, b.path));
}

function readdirOrEmpty(dir: string): string[] {
  try {
    return fs.readdirSync(dir);
  } catch (e) {
    if (errnoOf(e) === 'ENOENT' || errnoOf(e) === 'ENOTDIR') return [];
    throw e;
  }
}

// ---------------------------------------------------------------------------------------------

type Dict = ParamValue;

/** The dict DVC hashes: `to_single_stage_lockfile` with `outs` replaced (paths for the key). */
function entryDict(parts: Pick<LockedStage, 'cmd' | 'deps' | 'params'>, outs: readonly (string | LockedPath)[]): Dict {
  const d = new Map<string, Dict>([['cmd', Array.isArray(parts.cmd) ? [...parts.cmd] : parts.cmd]]);
  if (parts.deps.length > 0) d.set('deps', parts.deps.map(lockedPathValue));
  if (Object.keys(parts.params).length > 0) d.set('params', new Map(Object.entries(parts.params).map(([f, v]) => [f, new Map(Object.entries(v))])));
  d.set('outs', outs.map((o) => (typeof o === 'string' ? o : lockedPathValue(o))));
  return d;
}

/** `json.dumps(dict_filter(v, EXCLUDED), sort_keys=True)`, byte for byte. */
function pyJsonSorted(v: Dict): string {
  if (v === null) return 'null';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'bigint') return v.toString();
  if (isPyFloat(v)) return pyJsonFloat(v.value);
  if (typeof v === 'number') {
    return Number.isInteger(v) && !Object.is(v, -0) && Math.abs(v) < 2 ** 53 ? String(v) : pyJsonFloat(v);
  }
  if (typeof v === 'string') return pyJsonString(v);
  if (Array.isArray(v)) return `[${v.map(pyJsonSorted).join(', ')}]`;
  const entries = (v instanceof Map ? [...v] : Object.entries(v)).filter(([k]) => !EXCLUDED.has(k));
  entries.sort(([a], [b]) => compareCodePoints(a, b));
  return `{${entries.map(([k, x]) => `${pyJsonString(k)}: ${pyJsonSorted(x)}`).join(', ')}}`;
}

function pyJsonFloat(n: number): string {
  if (Number.isNaN(n)) return 'NaN';
  if (!Number.isFinite(n)) return n > 0 ? 'Infinity' : '-Infinity';
  return pyFloatRepr(n);
}

function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}
