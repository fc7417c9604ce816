/**
 * `trove params diff`, as DVC 3's: the params that stages depend on, the whole of `params.yaml`
 * and of top-level `params:` files (or, with `--targets`, whole files named), read in two
 * versions and compared key by key.
 */
import { declaredFiles } from '../pipeline/declared-files.js';
import { DEFAULT_PARAMS_FILE } from '../pipeline/load-stages.js';
import { isParamMap, paramAt, parseStructured, setKey, type ParamMap, type ParamValue } from '../pipeline/params-file.js';
import { diffFiles, type DiffResult } from '../pipeline/value-diff.js';
import type { Repo } from '../repo/repo.js';
import type { OpIo } from './io.js';
import { dataOf, expandTargets, hasCommits, readFiles, versionError, versionNamed, type Version, type VersionResult } from './versions.js';

export interface ParamsDiffOptions {
  /** Old version: `HEAD` by default. */
  aRev?: string;
  /** New version: `workspace` by default. */
  bRev?: string;
  /** Params files to compare whole (relative to the current directory), instead of the defaults. */
  targets?: string[];
  /** Unchanged params too. */
  all?: boolean;
  /** Only params that stages depend on (no whole files; targets are then ignored, as in DVC). */
  deps?: boolean;
}

export interface ParamsDiffResult {
  aRev: string;
  bRev: string;
  diff: DiffResult;
  versions: VersionResult[];
}

export async function paramsDiff(repo: Repo, opts: ParamsDiffOptions, _io: OpIo): Promise<ParamsDiffResult> {
  const aRev = opts.aRev ?? 'HEAD';
  const bRev = opts.bRev ?? 'workspace';
  if (!hasCommits(repo)) return { aRev, bRev, diff: {}, versions: [] };
  const targets = opts.deps ? [] : (opts.targets ?? []).map((t) => repo.toRepoPath(t));
  const blobs = new Map<string, string>();
  const [a, b] = [aRev, bRev].map((name) => paramsAt(repo, versionNamed(repo, name, blobs), targets, Boolean(opts.deps))) as [VersionResult, VersionResult];
  return { aRev, bRev, diff: diffFiles(dataOf(a), dataOf(b), Boolean(opts.all)), versions: [a, b] };
}

/** DVC's `_collect_params`: file -> keys to read (null: the whole file). */
function paramsFilesAt(repo: Repo, v: Version, targets: string[], depsOnly: boolean): Map<string, string[] | null> {
  const files = new Map<string, string[] | null>();
  if (targets.length > 0) {
    for (const t of targets) files.set(t, null);
  } else {
    const declared = declaredFiles(repo.root, v.view);
    for (const [f, keys] of declared.paramDeps) files.set(f, keys);
    if (!depsOnly) {
      for (const f of declared.topParams) files.set(f, null);
      if (v.view.read(DEFAULT_PARAMS_FILE) !== undefined) files.set(DEFAULT_PARAMS_FILE, null);
    }
  }
  const out = new Map<string, string[] | null>();
  for (const [f, keys] of files) for (const file of expandTargets(v.view, [f])) out.set(file, keys);
  return out;
}

function paramsAt(repo: Repo, v: Version, targets: string[], depsOnly: boolean): VersionResult {
  try {
    const files = paramsFilesAt(repo, v, targets, depsOnly);
    const parsers = new Map([...files].map(([f, keys]) => [f, (text: string, shown: string) => pick(parseStructured(text, shown), keys)] as const));
    return { name: v.name, files: readFiles(v.view, parsers, repo) };
  } catch (e) {
    return { name: v.name, error: versionError(e) };
  }
}

/** The tracked keys of a params file, nested again (`train.lr` -> {train: {lr}}); all of it for null. */
function pick(data: ParamValue, keys: string[] | null): ParamValue {
  if (keys === null || keys.length === 0) return data;
  const out: ParamMap = {};
  for (const key of keys) {
    const value = paramAt(data, key);
    if (value === undefined) continue;
    const parts = key.split('.');
    let node = out;
    for (const part of parts.slice(0, -1)) {
      const next = node[part];
      if (!isParamMap(next)) setKey(node, part, {});
      node = node[part] as ParamMap;
    }
    setKey(node, parts[parts.length - 1]!, value);
  }
  return out;
}
