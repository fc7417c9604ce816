/**
 * Whether a stage must run, decided as DVC decides, with the reasons said in words: the command
 * changed, a dependency's hash changed, a tracked param's value changed, an output is missing or
 * modified, or the stage is always_changed. Also DVC's `status` shape for the same facts.
 */
import { paramValuesEqual, type LockedPath, type LockedStage, type ParamValue } from './lock-file.js';
import { pyStr } from './params-file.js';
import type { Stage } from './stage.js';

/** A path's hash now; undefined when it does not exist. */
export interface PathState {
  md5: string;
  size: number;
  nfiles?: number;
}

export interface StalenessInputs {
  hashOf(repoPath: string): Promise<PathState | undefined>;
  /** The current values of the params a stage tracks in one file: key → value (undefined: file missing). */
  paramsOf(stage: Stage, file: string): Record<string, unknown> | undefined;
  /** Whether the cache holds an output's object (and, for a directory, all its files). */
  inCache(md5: string): boolean;
}

export type PathStatus = 'modified' | 'deleted' | 'new' | 'not in cache';

export interface StageStatus {
  /** path → status; a params file → key → status (or the file's own status). */
  changedDeps: Record<string, PathStatus | Record<string, PathStatus>>;
  changedOuts: Record<string, PathStatus>;
  changedCommand: boolean;
  alwaysChanged: boolean;
  /** dvc.lock has no entry for the stage: it has never run (or its entry was removed). */
  notInLock: boolean;
  /** Why the stage would run, one phrase each, in the order they were found. */
  reasons: string[];
}

export function isStale(s: StageStatus): boolean {
  return s.notInLock || s.changedCommand || s.alwaysChanged || Object.keys(s.changedDeps).length > 0 || Object.keys(s.changedOuts).length > 0;
}

function sameHash(now: PathState, locked: LockedPath): boolean {
  return now.md5 === locked.md5;
}

function show(v: unknown): string {
  return v === undefined ? 'unset' : pyStr(v as Parameters<typeof pyStr>[0]);
}

function sameValue(a: unknown, b: unknown): boolean {
  return paramValuesEqual(a as ParamValue, b as ParamValue);
}

function isMap(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Map) && v.constructor === Object;
}

/** The leaf keys that differ between two values of `key` (a whole section compares key by key). */
function paramChanges(key: string, a: unknown, b: unknown): string[] {
  if (isMap(a) && isMap(b)) {
    return [...new Set([...Object.keys(a), ...Object.keys(b)])].flatMap((k) => paramChanges(`${key}.${k}`, a[k], b[k]));
  }
  if (a === undefined) return b === undefined ? [] : [`param ${key} is new (${show(b)})`];
  if (b === undefined) return [`param ${key} was removed`];
  return sameValue(a, b) ? [] : [`param ${key} changed (${show(a)} -> ${show(b)})`];
}

export async function stageStatus(stage: Stage, locked: LockedStage | undefined, inputs: StalenessInputs): Promise<StageStatus> {
  const status: StageStatus = { changedDeps: {}, changedOuts: {}, changedCommand: false, alwaysChanged: false, notInLock: !locked, reasons: [] };
  if (!locked) status.reasons.push('it has no entry in dvc.lock yet');

  if (locked) {
    const lockedCmd = Array.isArray(locked.cmd) ? locked.cmd : [locked.cmd];
    if (!sameValue(lockedCmd, stage.cmd)) {
      status.changedCommand = true;
      status.reasons.push('its command changed');
    }
  }

  const lockedDeps = new Map((locked?.deps ?? []).map((d) => [d.path, d]));
  for (const dep of stage.deps) {
    const now = await inputs.hashOf(dep.repoPath);
    const before = lockedDeps.get(dep.path);
    let st: PathStatus | undefined;
    if (!now) st = 'deleted';
    else if (!locked) st = 'modified';
    else if (!before) st = 'new';
    else if (!sameHash(now, before)) st = 'modified';
    if (!st) continue;
    status.changedDeps[dep.path] = st;
    if (locked) status.reasons.push(`dependency ${dep.path} ${st === 'new' ? 'is new' : `was ${st}`}`);
  }

  for (const p of stage.params) {
    const now = inputs.paramsOf(stage, p.file);
    const before = locked?.params[p.file];
    if (!before) {
      status.changedDeps[p.file] = now === undefined ? 'deleted' : 'new';
      if (locked) status.reasons.push(`params file ${p.file} ${now === undefined ? 'is missing' : 'is new'}`);
      continue;
    }
    if (now === undefined) {
      status.changedDeps[p.file] = 'deleted';
      status.reasons.push(`params file ${p.file} is missing`);
      continue;
    }
    const keys: Record<string, PathStatus> = {};
    for (const key of new Set([...Object.keys(now), ...Object.keys(before)])) {
      const a = before[key];
      const b = now[key];
      if (a === undefined && b !== undefined) keys[key] = 'new';
      else if (b === undefined && a !== undefined) keys[key] = 'deleted';
      else if (!sameValue(a, b)) keys[key] = 'modified';
      else continue;
      status.reasons.push(...paramChanges(key, a, b));
    }
    if (Object.keys(keys).length > 0) status.changedDeps[p.file] = keys;
  }

  const lockedOuts = new Map((locked?.outs ?? []).map((o) => [o.path, o]));
  for (const out of stage.outs) {
    const now = await inputs.hashOf(out.repoPath);
    const before = lockedOuts.get(out.path);
    let st: PathStatus | undefined;
    if (!now) st = 'deleted';
    else if (!before) st = locked ? 'new' : 'modified';
    else if (!sameHash(now, before)) st = 'modified';
    else if (out.cache && !inputs.inCache(before.md5)) st = 'not in cache';
    if (!st) continue;
    status.changedOuts[out.path] = st;
    if (locked) status.reasons.push(`output ${out.path} ${st === 'not in cache' ? 'is not in the cache' : st === 'new' ? 'is new' : `was ${st}`}`);
  }

  if (stage.alwaysChanged) {
    status.alwaysChanged = true;
    status.reasons.push('it is always_changed');
  } else if (stage.deps.length === 0 && stage.params.length === 0 && stage.outs.length === 0) {
    // DVC's callback stage: a command with nothing to compare runs every time.
    status.alwaysChanged = true;
    if (locked) status.reasons.push('it has no dependencies or outputs, so it always runs');
  }
  return status;
}

/** DVC's `status --json` entry for a stage: `[{"changed deps": ...}, {"changed outs": ...}, "changed command"]`. */
export function statusEntry(s: StageStatus): unknown[] {
  const entry: unknown[] = [];
  if (Object.keys(s.changedDeps).length > 0) entry.push({ 'changed deps': s.changedDeps });
  if (Object.keys(s.changedOuts).length > 0) entry.push({ 'changed outs': s.changedOuts });
  // A stage never run has no command on record: with nothing else to say, that is what changed.
  if (s.changedCommand || (s.notInLock && entry.length === 0)) entry.push('changed command');
  if (s.alwaysChanged) entry.push('always changed');
  return entry;
}

/**
 * DVC's `--allow-missing`: a dependency or output that is only missing (or, for an output, not in
 * the cache) does not make the stage stale. A missing dependency still does when the stage that
 * produces it now records another hash than the one this stage's lock entry holds (`upstreamMd5`,
 * by repo path).
 */
export function isStaleAllowingMissing(
  s: StageStatus,
  stage: Stage,
  locked: LockedStage | undefined,
  upstreamMd5: (repoPath: string) => string | undefined,
): boolean {
  if (s.notInLock || s.changedCommand || s.alwaysChanged) return true;
  const lockedDeps = new Map((locked?.deps ?? []).map((d) => [d.path, d.md5]));
  for (const [path, st] of Object.entries(s.changedDeps)) {
    if (st !== 'deleted') return true;
    const dep = stage.deps.find((d) => d.path === path);
    if (!dep) continue; // a params file
    const now = upstreamMd5(dep.repoPath);
    if (now !== undefined && now !== lockedDeps.get(path)) return true;
  }
  return Object.values(s.changedOuts).some((st) => st !== 'deleted' && st !== 'not in cache');
}
