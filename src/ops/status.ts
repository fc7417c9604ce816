import { isStale, stageStatus, statusEntry } from '../pipeline/staleness.js';
import { stageAddress, type Stage } from '../pipeline/stage.js';
import type { Repo } from '../repo/repo.js';
import { isSameOrParent } from '../util/posix-path.js';
import type { OpIo } from './io.js';
import { outputStatus } from './output-state.js';
import { stalenessInputs } from './stage-state.js';
import { LockCache, outputsOf, resolveTargets, type TargetOptions } from './targets.js';

export interface StatusOptions extends TargetOptions {
  /** Pointer files, outputs, stages, dvc.yaml files (see targets.ts); none: all of them. */
  targets?: string[];
}

/**
 * DVC's `status --json` shape: pointer file or stage -> list of groups, e.g.
 * `[{"changed deps": {...}}, {"changed outs": {...}}, "changed command"]`.
 */
export type StatusGroup = Record<string, Record<string, unknown>> | string;
export type StatusResult = Record<string, StatusGroup[]>;

/**
 * What changed: for a pointer file, its outputs against the workspace and the cache; for a stage,
 * what `repro` would run it for. A target that names a path in a stage reports that stage with
 * only the outputs the path lies in (as DVC's status with a granular target).
 */
export async function status(repo: Repo, opts: StatusOptions, io: OpIo): Promise<StatusResult> {
  const result: StatusResult = {};
  const units = resolveTargets(repo, opts.targets, opts);
  const inputs = stalenessInputs(repo);
  const locks = new LockCache(repo);
  for (const unit of units) {
    if (unit.kind === 'stage') {
      await addStageStatus(result, unit.stage, unit.filters, locks, inputs);
      continue;
    }
    // A path inside a directory output reports the whole output.
    const outs = new Set(outputsOf(repo, [unit]).map((sel) => sel.out));
    for (const out of outs) {
      const st = await outputStatus(repo, out, io);
      if (!st) continue;
      const key = repo.display(unit.pointer.relPath);
      const entry = (result[key] ??= [{ 'changed outs': {} }]);
      (entry[0] as Record<string, Record<string, unknown>>)['changed outs']![repo.display(out.repoPath)] = st;
    }
  }
  // An import whose recorded stage md5 no longer matches its content (edited by hand), as DVC's
  // `changed checksum`. A frozen import's source is not looked at: status stays offline.
  for (const unit of units) {
    if (unit.kind !== 'pointer') continue;
    const pointer = unit.pointer;
    const recorded = pointer.repoImport ? pointer.recordedStageMd5 : undefined;
    if (recorded !== undefined && pointer.computeStageMd5() !== recorded) (result[repo.display(pointer.relPath)] ??= []).push('changed checksum');
  }
  return sortStatus(result);
}

/**
 * A stage that is out of date, as DVC reports it. A frozen stage's dependencies are not looked at
 * (DVC's Stage.status), but its outputs, command and always_changed are.
 */
async function addStageStatus(result: StatusResult, stage: Stage, filters: readonly string[] | undefined, locks: LockCache, inputs: ReturnType<typeof stalenessInputs>): Promise<void> {
  const st = await stageStatus(stage.frozen ? { ...stage, deps: [], params: [] } : stage, locks.lockOf(stage).stages.get(stage.name), inputs);
  if (filters) {
    const named = new Set(stage.outs.filter((o) => filters.some((f) => isSameOrParent(o.repoPath, f))).map((o) => o.path));
    st.changedOuts = Object.fromEntries(Object.entries(st.changedOuts).filter(([p]) => named.has(p)));
  }
  if (isStale(st)) result[stageAddress(stage)] = statusEntry(st) as StatusGroup[];
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
