/**
 * Recording a pipeline stage as it is now: outputs saved to the cache (cached ones) and hashed,
 * dependencies hashed, params read, and the dvc.lock entry built as DVC builds it. What `repro`
 * does after a stage ran, and `commit` for a stage.
 */
import fs from 'node:fs';
import { TroveError } from '../errors.js';
import { addIgnoreEntry } from '../git/gitignore.js';
import { buildOutput, type BuiltOutput } from '../objects/build-output.js';
import { saveOutput } from '../objects/save-output.js';
import { lockEntryFor, MissingParamsError } from '../pipeline/lock-entry.js';
import type { LockedStage, ParamValue } from '../pipeline/lock-file.js';
import { readParamsFile } from '../pipeline/params-file.js';
import { stageAddress, type Stage, type StageOut } from '../pipeline/stage.js';
import type { HashInfo, PointerOut } from '../repo/pointer-file.js';
import type { Repo } from '../repo/repo.js';
import { dropObjectsEditedThroughLinks } from './edited-links.js';
import type { OpIo } from './io.js';
import { hashPath, trackedParams } from './stage-state.js';

export interface RecordOptions {
  /** Hash the outputs without saving them to the cache (`repro --no-commit`). */
  noCommit: boolean;
  linker: ReturnType<Repo['linker']>;
  io: OpIo;
  /** Receives the `.gitignore` files changed. */
  gitFiles: Set<string>;
  /** Which cached outputs are saved to the cache (default: all); the others are only hashed. */
  save?: (out: StageOut) => boolean;
  /** What dvc.lock recorded of an output before: objects of it edited through a link are dropped. */
  previous?: (out: StageOut) => PointerOut | undefined;
  /** How a failure starts (default: `failed to reproduce 'train'`). */
  failure?: string;
  /**
   * Copy `cache: false` outputs into the cache too (the workspace file stays as it is), so that a
   * run-cache entry can restore them later, as DVC's StageCache.save commits them.
   */
  cacheUncached?: boolean;
}

/**
 * What DVC's save_deps checks: every dependency and params file exists and every tracked param is
 * set. Returns the params' values: params file (repo path) -> key -> value.
 */
export function checkInputs(repo: Repo, stage: Stage, failure = `failed to reproduce '${stageAddress(stage)}'`): Record<string, Record<string, ParamValue>> {
  for (const dep of stage.deps) {
    if (!fs.existsSync(repo.abs(dep.repoPath))) {
      throw new TroveError('DEPENDENCY_MISSING', `${failure}: dependency '${dep.path}' does not exist`, {
        hint: 'create it (or run the stage that outputs it), or remove it from the deps in dvc.yaml',
      });
    }
  }
  const byFile = new Map<string, { file: string; keys: string[]; all: boolean }>();
  for (const p of stage.params) {
    const cur = byFile.get(p.repoPath) ?? { file: p.file, keys: [], all: false };
    cur.keys.push(...p.keys);
    cur.all ||= p.all; // tracked whole anywhere: tracked whole (DVC's _merge_params)
    byFile.set(p.repoPath, cur);
  }
  const values: Record<string, Record<string, ParamValue>> = {};
  for (const [repoPath, p] of byFile) {
    if (!fs.existsSync(repo.abs(repoPath))) {
      throw new TroveError('PARAMS_FILE_MISSING', `${failure}: params file '${p.file}' does not exist`, {
        hint: 'create it, or remove it from the params in dvc.yaml',
      });
    }
    const tracked = trackedParams(readParamsFile(repo.abs(repoPath), repoPath, { pyFloats: true }), p.keys, p.all);
    const missing = p.all ? [] : [...new Set(p.keys)].filter((k) => !Object.hasOwn(tracked, k));
    if (missing.length > 0) {
      const e = new MissingParamsError(p.file, missing);
      throw new TroveError(e.code, `${failure}: ${e.message}`, { hint: e.hint, cause: e });
    }
    values[repoPath] = tracked;
  }
  return values;
}

/** Hashes an output without linking it; `intoCache` copies it into the cache all the same (for the run-cache). */
async function buildUncached(repo: Repo, abs: string, intoCache: boolean): Promise<BuiltOutput | undefined> {
  const built = await buildOutput(abs, { index: repo.index, kind: 'md5', filter: repo.dvcignore.prepare(abs), ...(intoCache ? { insertInto: repo.cache } : {}) });
  if (intoCache && built?.type === 'dir') repo.cache.writeTree(built.entries);
  return built;
}

/** Outputs saved (cached ones) and hashed, dependencies hashed, params read; the entry as DVC builds it. */
export async function recordStage(repo: Repo, stage: Stage, opts: RecordOptions): Promise<LockedStage> {
  const hashes = new Map<string, HashInfo>();
  for (const out of stage.outs) {
    const abs = repo.abs(out.repoPath);
    const save = out.cache && !opts.noCommit && (opts.save?.(out) ?? true);
    const built = save
      ? await saveOutput(abs, { cache: repo.cache, index: repo.index, linker: opts.linker, filter: repo.dvcignore.prepare(abs), reporter: opts.io.reporter })
      : await buildUncached(repo, abs, !out.cache && !opts.noCommit && Boolean(opts.cacheUncached));
    if (!built) {
      throw new TroveError('OUTPUT_MISSING', `stage '${stageAddress(stage)}' did not create its output '${out.path}'`, { hint: 'make the command write it, or remove it from the outs in dvc.yaml' });
    }
    if (save) dropObjectsEditedThroughLinks(repo, opts.previous?.(out), built, opts.io);
    hashes.set(out.repoPath, built.type === 'dir' ? { md5: built.oid, size: built.size, nfiles: built.nfiles } : { md5: built.md5, size: built.size });
    if (out.cache && repo.scm) {
      const gi = addIgnoreEntry(repo.root, out.repoPath, built.type === 'dir');
      if (gi) opts.gitFiles.add(gi);
    }
  }
  for (const dep of stage.deps) {
    const st = await hashPath(repo, dep.repoPath);
    if (!st) throw new TroveError('DEPENDENCY_MISSING', `dependency '${dep.path}' of stage '${stageAddress(stage)}' does not exist`, { hint: 'create it, or remove it from the deps in dvc.yaml' });
    hashes.set(dep.repoPath, st);
  }
  return lockEntryFor(stage, hashes, checkInputs(repo, stage, opts.failure));
}
