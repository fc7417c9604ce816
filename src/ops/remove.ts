/**
 * `remove` (DVC's dvc/repo/remove.py): stops tracking. A `.dvc` file is deleted; a pipeline stage
 * is taken out of dvc.yaml (by splicing the text, so the rest of the file keeps its bytes) and its
 * entry out of dvc.lock. Either way the outputs' `.gitignore` entries go, and the data stays in
 * the workspace (unprotected) unless `outs`.
 */
import fs from 'node:fs';
import { TroveError } from '../errors.js';
import { readFileIfExists } from '../fs/atomic-write.js';
import { removeIgnoreEntry } from '../git/gitignore.js';
import { DvcYaml, writeDvcYaml } from '../pipeline/dvc-yaml-edit.js';
import { DVCFILE, loadAllStages, loadStages, loadStagesFromText } from '../pipeline/load-stages.js';
import { removeLockStage } from '../pipeline/lock-file.js';
import { stageAddress, type Stage } from '../pipeline/stage.js';
import type { PointerFile } from '../repo/pointer-file.js';
import { isPointerFileName, loadPointerFile, POINTER_SUFFIX } from '../repo/pointer-files.js';
import type { Repo } from '../repo/repo.js';
import { isSameOrParent, posixJoin, relativeInside } from '../util/posix-path.js';
import { autostageChanges } from './autostage.js';
import type { OpIo } from './io.js';
import { parseTarget } from './stage.js';
import { lockPathOf } from './targets.js';
import { unprotectPath } from './unprotect.js';

export interface RemoveOptions {
  /** `.dvc` files (or the outputs they track), stage names (`train`, `sub/dvc.yaml:train`), dvc.yaml files (every stage). */
  targets: string[];
  /** Delete the outputs from the workspace too. */
  outs?: boolean;
}

export interface RemoveResult {
  removed: { pointerFile: string; outputs: string[] }[];
  /** Stages taken out of their dvc.yaml (and dvc.lock). */
  stages: { stage: string; file: string; outputs: string[] }[];
  /** Files to stage with git (deleted pointer files, edited or deleted dvc.yaml/dvc.lock, changed .gitignore files); empty without git. */
  gitFiles: string[];
  /** Whether they were staged already (core.autostage). */
  staged: boolean;
}

type Removal = { kind: 'pointer'; pointer: PointerFile } | { kind: 'stage'; file: string; stages: Stage[] };

export async function remove(repo: Repo, opts: RemoveOptions, _io: OpIo): Promise<RemoveResult> {
  if (opts.targets.length === 0) throw new TroveError('USAGE', 'name the pointer files or stages to remove', { exitCode: 2 });
  repo.lock('remove');
  const result: RemoveResult = { removed: [], stages: [], gitFiles: [], staged: false };
  // Every target is resolved before anything changes: one bad target removes nothing.
  const removals = opts.targets.map((t) => resolveRemoval(repo, t));
  for (const r of removals) {
    if (r.kind === 'pointer') {
      const pf = r.pointer;
      for (const out of pf.outs) dropOutput(repo, out.repoPath, Boolean(opts.outs), result);
      fs.rmSync(repo.abs(pf.relPath), { force: true });
      result.gitFiles.push(pf.relPath);
      result.removed.push({ pointerFile: pf.relPath, outputs: pf.outs.map((o) => o.repoPath) });
    } else {
      for (const stage of r.stages) removeStage(repo, r.file, stage, Boolean(opts.outs), result);
    }
  }
  result.gitFiles = [...new Set(result.gitFiles)];
  Object.assign(result, autostageChanges(repo, result.gitFiles));
  return result;
}

/**
 * Kept data must not stay a read-only link into a cache that gc may empty: it becomes a plain
 * copy. Either way its `.gitignore` entry goes.
 */
function dropOutput(repo: Repo, repoPath: string, deleteIt: boolean, result: RemoveResult): void {
  const gi = removeIgnoreEntry(repo.root, repoPath);
  if (gi) result.gitFiles.push(gi);
  if (deleteIt) fs.rmSync(repo.abs(repoPath), { recursive: true, force: true });
  else unprotectPath(repo, repo.abs(repoPath));
}

/** As DVC's Stage.remove then ProjectFile.remove_stage: outputs, then dvc.lock, then dvc.yaml (deleted when no stage is left). */
function removeStage(repo: Repo, file: string, stage: Stage, deleteOuts: boolean, result: RemoveResult): void {
  const doc = DvcYaml.parse(readFileIfExists(repo.abs(file)), file);
  const remains = doc.removeStage(stage.name);
  // What is left must still load, as it did before.
  if (remains) loadStagesFromText(repo.root, file, doc.text);
  for (const out of stage.outs) dropOutput(repo, out.repoPath, deleteOuts, result);
  const lockPath = lockPathOf(stage);
  if (removeLockStage(repo.root, lockPath, stage.name)) result.gitFiles.push(lockPath);
  if (remains) writeDvcYaml(repo.abs(file), doc.text);
  else fs.rmSync(repo.abs(file), { force: true });
  result.gitFiles.push(file);
  result.stages.push({ stage: stageAddress(stage), file, outputs: stage.outs.map((o) => o.repoPath) });
}

function resolveRemoval(repo: Repo, target: string): Removal {
  const { file, name } = parseTarget(target);
  if (file !== undefined && name === undefined && isPointerFileName(file)) {
    return { kind: 'pointer', pointer: loadPointerFile(repo, repo.toRepoPath(file)) };
  }
  if (file !== undefined) {
    let rel = repo.toRepoPath(file);
    if (!/\.ya?ml$/.test(rel)) rel = posixJoin(rel, DVCFILE);
    if (!fs.existsSync(repo.abs(rel))) throw new TroveError('NO_SUCH_FILE', `'${repo.display(rel)}' does not exist`);
    return stageRemoval(repo, rel, name);
  }
  // A bare name: a stage of the dvc.yaml where the user is, else the output of a `.dvc` file.
  if (!/[\\/]/.test(target)) {
    const here = posixJoin(relativeInside(repo.root, repo.cwd) ?? '', DVCFILE);
    const text = readFileIfExists(repo.abs(here));
    if (text !== undefined) {
      const doc = DvcYaml.parse(text, here);
      const at = target.indexOf('@');
      if (doc.has(target) || (at > 0 && doc.has(target.slice(0, at)))) return stageRemoval(repo, here, target);
    }
  }
  const rel = repo.toRepoPath(target);
  if (fs.existsSync(repo.abs(`${rel}${POINTER_SUFFIX}`))) return { kind: 'pointer', pointer: loadPointerFile(repo, `${rel}${POINTER_SUFFIX}`) };
  throw new TroveError('BAD_TARGET', `'${target}' is neither a .dvc file nor a stage`, { hint: removeHint(repo, rel) });
}

/** Names what the target is, when it is the output of a stage. */
function removeHint(repo: Repo, rel: string): string {
  let producer: Stage | undefined;
  try {
    producer = loadAllStages(repo.root).find((s) => s.outs.some((o) => isSameOrParent(o.repoPath, rel)));
  } catch {
    producer = undefined;
  }
  if (producer) return `it is an output of stage '${stageAddress(producer)}': remove the stage (\`trove remove ${stageAddress(producer)}\`)`;
  return `name a .dvc file (\`trove remove data.dvc\`) or a stage (\`trove remove train\`, \`trove remove sub/dvc.yaml:train\`)`;
}

/**
 * The stages of `file` to remove: `name`, or all of them. As DVC, a stage that foreach or matrix
 * generates cannot be removed alone, nor a whole group.
 */
function stageRemoval(repo: Repo, file: string, name: string | undefined): Removal {
  const shown = repo.display(file);
  const doc = DvcYaml.parse(fs.readFileSync(repo.abs(file), 'utf8'), file);
  const stages = loadStages(repo.root, file);
  const parametrized = (n: string, group: string) =>
    new TroveError('PARAMETRIZED_STAGE', `cannot remove '${n}': it is generated by foreach/matrix stage '${group}' in '${shown}'`, {
      hint: `to remove every stage it generates, delete the definition of '${group}' from ${shown} by hand`,
    });
  if (name === undefined) {
    const group = doc.stageNames().find((n) => doc.isGroup(n));
    if (group) throw parametrized(shown, group);
    return { kind: 'stage', file, stages };
  }
  if (doc.isGroup(name)) {
    throw new TroveError('PARAMETRIZED_STAGE', `cannot remove '${name}': it is a foreach/matrix group in '${shown}'`, {
      hint: `delete its definition from ${shown} by hand to remove every stage it generates`,
    });
  }
  const stage = stages.find((s) => s.name === name);
  if (!stage || !doc.has(name)) {
    const at = name.indexOf('@');
    if (at > 0 && doc.isGroup(name.slice(0, at))) throw parametrized(name, name.slice(0, at));
    throw new TroveError('STAGE_NOT_FOUND', `Stage '${name}' not found inside '${shown}' file`, { hint: 'list the stages with `trove stage list`' });
  }
  return { kind: 'stage', file, stages: [stage] };
}
