import { loadAllStages } from '../pipeline/load-stages.js';
import { readLockFile, type LockFile } from '../pipeline/lock-file.js';
import { isStale, stageStatus, statusEntry } from '../pipeline/staleness.js';
import { stageAddress, type Stage } from '../pipeline/stage.js';
import type { Repo } from '../repo/repo.js';
import { posixDirname, posixJoin } from '../util/posix-path.js';
import { stalenessInputs } from './stage-state.js';
import type { OpIo } from './io.js';
import { outputStatus, type OutStatus } from './output-state.js';
import { selectOutputs } from './targets.js';

export interface StatusOptions {
  targets?: string[];
}

/**
 * DVC's `status --json` shape: pointer file or stage -> list of groups, e.g.
 * `[{"changed deps": {...}}, {"changed outs": {...}}, "changed command"]`.
 */
export type StatusGroup = Record<string, Record<string, unknown>> | string;
export type StatusResult = Record<string, StatusGroup[]>;

export async function status(repo: Repo, opts: StatusOptions, io: OpIo): Promise<StatusResult> {
  const result: StatusResult = {};
  const noTargets = !opts.targets || opts.targets.length === 0;
  let targets = opts.targets;
  if (noTargets) await addStageStatuses(repo, result);
  else {
    // Targets naming stages (`train`, `dvc.yaml:train`) are reported as stages, the rest as data.
    const stages = loadAllStages(repo.root);
    const byName = new Map(stages.flatMap((st) => [[stageAddress(st), st], [`${st.dvcfile}:${st.name}`, st]] as const));
    const named = targets!.filter((t) => byName.has(t));
    if (named.length > 0) await addStageStatuses(repo, result, new Set(named.map((t) => byName.get(t)!)));
    targets = targets!.filter((t) => !byName.has(t));
    if (targets.length === 0) return sortStatus(result);
  }
  const selected = selectOutputs(repo, targets);
  for (const { pointer, out } of selected) {
    const st = await outputStatus(repo, out, io);
    if (!st) continue;
    const stage = repo.display(pointer.relPath);
    const entry = (result[stage] ??= [{ 'changed outs': {} }]);
    (entry[0] as Record<string, Record<string, unknown>>)['changed outs']![repo.display(out.repoPath)] = st;
  }
  // An import whose recorded stage md5 no longer matches its content (edited by hand), as DVC's
  // `changed checksum`. A frozen import's source is not looked at: status stays offline.
  const seen = new Set<string>();
  for (const { pointer } of selected) {
    if (seen.has(pointer.relPath)) continue;
    seen.add(pointer.relPath);
    const recorded = pointer.repoImport ? pointer.recordedStageMd5 : undefined;
    if (recorded !== undefined && pointer.computeStageMd5() !== recorded) (result[repo.display(pointer.relPath)] ??= []).push('changed checksum');
  }
  return sortStatus(result);
}

/**
 * Stages of every dvc.yaml that are out of date, as DVC reports them. A frozen stage's dependencies
 * are not looked at (DVC's Stage.status), but its outputs, command and always_changed are.
 */
async function addStageStatuses(repo: Repo, result: StatusResult, only?: ReadonlySet<Stage>): Promise<void> {
  const inputs = stalenessInputs(repo);
  const locks = new Map<string, LockFile>();
  for (const stage of only ?? loadAllStages(repo.root)) {
    const lockPath = posixJoin(posixDirname(stage.dvcfile), 'dvc.lock');
    if (!locks.has(lockPath)) locks.set(lockPath, readLockFile(repo.root, lockPath));
    const st = await stageStatus(stage.frozen ? { ...stage, deps: [], params: [] } : stage, locks.get(lockPath)!.stages.get(stage.name), inputs);
    if (isStale(st)) result[stageAddress(stage)] = statusEntry(st) as StatusGroup[];
  }
}

function sortKeys(v: unknown): unknown {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return v;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(v).sort()) out[k] = sortKeys((v as Record<string, unknown>)[k]);
  return out;
}

function sortStatus(r: StatusResult): StatusResult {
  const out: StatusResult = {};
  for (const stage of Object.keys(r).sort()) out[stage] = r[stage]!.map((g) => sortKeys(g) as StatusGroup);
  return out;
}
