/**
 * What the targets of a data command name, resolved once for every command (checkout, pull,
 * fetch, push, status, commit, unprotect) as DVC 3's `collect_granular` does. A target may be:
 *
 * - a `.dvc` file, or the output it tracks, or a path inside a tracked directory (granular);
 * - a stage: `train` (in the dvc.yaml where the user is; a foreach/matrix name means all its
 *   `train@...` stages), `dvc.yaml:train`, `sub/dvc.yaml:train`, `train@key`;
 * - a `dvc.yaml` (all its stages);
 * - an output of a stage as dvc.lock records it, or a path inside a directory output;
 * - a directory holding outputs (each of them); with `recursive`, a directory means every `.dvc`
 *   file and every stage declared under it.
 *
 * As in DVC, a bare name is a stage of ./dvc.yaml before it is a path, and `withDeps` adds the
 * stages (and `.dvc` files) that stage and pointer-file targets depend on, not those of a path.
 */
import fs from 'node:fs';
import path from 'node:path';
import { TroveError } from '../errors.js';
import { buildGraph, type GraphNode, type PipelineGraph } from '../pipeline/graph.js';
import { DVCFILE, loadAllStages, loadStages } from '../pipeline/load-stages.js';
import { readLockFile, type LockedPath, type LockFile } from '../pipeline/lock-file.js';
import { stageAddress, type Stage, type StageOut } from '../pipeline/stage.js';
import type { PointerFile, PointerOut } from '../repo/pointer-file.js';
import { collectPointerFiles, isPointerFileName, loadPointerFile, POINTER_SUFFIX } from '../repo/pointer-files.js';
import type { Repo } from '../repo/repo.js';
import { isSameOrParent, posixDirname, posixJoin, relativeInside } from '../util/posix-path.js';
import type { OpIo } from './io.js';
import { parseTarget } from './stage.js';

export interface TargetOptions {
  /** `-d`: the stages and `.dvc` files that stage (and `.dvc` file) targets depend on, too. */
  withDeps?: boolean;
  /** `-R`: a directory target means every `.dvc` file and stage declared under it. */
  recursive?: boolean;
}

/**
 * A pointer file or a pipeline stage that targets named, whole (`filters` undefined) or only the
 * outputs that the repo paths in `filters` lie in (an output, or a path inside one).
 */
export type TargetUnit = { kind: 'pointer'; pointer: PointerFile; filters?: string[] } | { kind: 'stage'; stage: Stage; filters?: string[] };

/** One output the targets select, with what records it. */
export type SelectedOut = PointerSelected | StageSelected;

export interface PointerSelected {
  kind: 'pointer';
  pointer: PointerFile;
  index: number;
  out: PointerOut;
  /** For a target inside a directory output: the path inside it. */
  inner?: string;
}

export interface StageSelected {
  kind: 'stage';
  stage: Stage;
  /** The output as dvc.yaml declares it (`cache`, `persist`, `push`). */
  declared: StageOut;
  /** The output as dvc.lock records it, shaped as a pointer-file output; `hash` undefined when the lock has no record of it. */
  out: PointerOut;
  inner?: string;
}

/** The lock file that records a stage: `dvc.lock` beside its `dvc.yaml`. */
export function lockPathOf(stage: Pick<Stage, 'dvcfile'>): string {
  return posixJoin(posixDirname(stage.dvcfile), 'dvc.lock');
}

/**
 * The units the targets name, merged (a unit named whole and by a path is whole). No targets:
 * every `.dvc` file and every stage of the workspace; given `io`, a dvc.yaml that does not load
 * is warned about and its stages left out, so that pointer files still work.
 */
export function resolveTargets(repo: Repo, targets: readonly string[] | undefined, opts: TargetOptions = {}, io?: OpIo): TargetUnit[] {
  const r = new Resolver(repo, opts);
  if (!targets || targets.length === 0) {
    const units: TargetUnit[] = r.allPointers().map((pointer) => ({ kind: 'pointer', pointer }));
    let stages: Stage[] = [];
    try {
      stages = r.allStages();
    } catch (e) {
      if (!(e instanceof TroveError) || !io) throw e;
      io.reporter.warn(`stages were left out: ${e.message.split('\n')[0]}`);
    }
    for (const stage of stages) units.push({ kind: 'stage', stage });
    return units;
  }
  const merged = new Map<string, TargetUnit>();
  for (const target of targets) {
    for (const { unit, filter } of r.resolve(target)) {
      const key = unit.kind === 'pointer' ? unit.pointer.relPath : `${unit.stage.dvcfile}:${unit.stage.name}`;
      const prev = merged.get(key);
      if (!prev) merged.set(key, filter === undefined ? unit : { ...unit, filters: [filter] });
      else if (prev.filters && filter === undefined) delete prev.filters;
      else if (prev.filters && !prev.filters.includes(filter!)) prev.filters.push(filter!);
    }
  }
  return [...merged.values()];
}

/** The outputs the targets select (see resolveTargets). */
export function selectOutputs(repo: Repo, targets: readonly string[] | undefined, opts: TargetOptions = {}, io?: OpIo): SelectedOut[] {
  return outputsOf(repo, resolveTargets(repo, targets, opts, io));
}

/** Expands units into their outputs; stage outputs carry what dvc.lock records of them. */
export function outputsOf(repo: Repo, units: readonly TargetUnit[]): SelectedOut[] {
  const locks = new LockCache(repo);
  const selected: SelectedOut[] = [];
  for (const unit of units) {
    if (unit.kind === 'pointer') {
      unit.pointer.outs.forEach((out, index) => {
        for (const inner of innerPaths(out.repoPath, unit.filters)) selected.push({ kind: 'pointer', pointer: unit.pointer, index, out, ...inner });
      });
      continue;
    }
    const stage = unit.stage;
    for (const declared of stage.outs) {
      const matches = innerPaths(declared.repoPath, unit.filters);
      if (matches.length === 0) continue;
      const out = stageOutAsPointerOut(declared, locks.recordOf(stage, declared));
      for (const inner of matches) selected.push({ kind: 'stage', stage, declared, out, ...inner });
    }
  }
  return selected;
}

/** For an output and the filters of its unit: nothing, the whole output (`{}`), or one entry per path inside it. */
function innerPaths(outPath: string, filters: readonly string[] | undefined): { inner?: string }[] {
  if (!filters) return [{}];
  if (filters.includes(outPath)) return [{}];
  return filters.filter((f) => isSameOrParent(outPath, f) && f !== outPath).map((f) => ({ inner: f.slice(outPath.length + 1) }));
}

/** A stage output with its dvc.lock record, in the shape checkout and transfers take. */
export function stageOutAsPointerOut(declared: StageOut, locked: LockedPath | undefined): PointerOut {
  return {
    path: declared.path,
    repoPath: declared.repoPath,
    hash: locked
      ? {
          md5: locked.md5,
          ...(locked.size !== undefined ? { size: locked.size } : {}),
          ...(locked.nfiles !== undefined ? { nfiles: locked.nfiles } : {}),
          ...(locked.isexec ? { isexec: true } : {}),
        }
      : undefined,
    hashName: locked?.hash ?? 'md5',
    cache: declared.cache,
    line: undefined,
  };
}

/** dvc.lock files read once per command. */
export class LockCache {
  private readonly locks = new Map<string, LockFile>();
  constructor(private readonly repo: Repo) {}

  lockOf(stage: Stage): LockFile {
    const p = lockPathOf(stage);
    let lock = this.locks.get(p);
    if (!lock) this.locks.set(p, (lock = readLockFile(this.repo.root, p)));
    return lock;
  }

  recordOf(stage: Stage, declared: StageOut): LockedPath | undefined {
    return this.lockOf(stage).stages.get(stage.name)?.outs.find((o) => o.path === declared.path);
  }
}

/** The error for a target that names nothing trove tracks. */
function notTracked(repo: Repo, target: string, abs: string): TroveError {
  return new TroveError('NOT_TRACKED', `'${target}' is not tracked by trove, and no stage has that name`, {
    hint: fs.existsSync(abs) ? `run \`trove add ${target}\` to track it, or name a stage (\`trove stage list\`)` : 'check the path: it does not exist either; stages are listed by `trove stage list`',
  });
}

type Resolved = { unit: TargetUnit; filter?: string };

/** Resolves targets one by one, loading pointer files, stages and the graph only when a target needs them. */
class Resolver {
  private pointers: PointerFile[] | undefined;
  private stages: Stage[] | undefined;
  private readonly fileStages = new Map<string, Stage[]>();
  private graph: PipelineGraph | undefined;
  private readonly here: string;

  constructor(
    private readonly repo: Repo,
    private readonly opts: TargetOptions,
  ) {
    this.here = relativeInside(repo.root, repo.cwd) ?? '';
  }

  allPointers(): PointerFile[] {
    return (this.pointers ??= collectPointerFiles(this.repo));
  }

  allStages(): Stage[] {
    return (this.stages ??= loadAllStages(this.repo.root));
  }

  /** The stages of one dvc.yaml (repo-relative), from the whole set when that is loaded already. */
  private stagesOf(file: string): Stage[] {
    if (this.stages) return this.stages.filter((s) => s.dvcfile === file);
    let stages = this.fileStages.get(file);
    if (!stages) this.fileStages.set(file, (stages = loadStages(this.repo.root, file)));
    return stages;
  }

  private pipelineGraph(): PipelineGraph {
    // Problems of the pipeline (a missing dependency, a cycle) do not stop a data command.
    return (this.graph ??= buildGraph(this.allStages(), this.allPointers(), (p) => fs.existsSync(this.repo.abs(p)), { collect: true }));
  }

  /** Stage units, with what they depend on under `withDeps`. */
  private stageUnits(stages: readonly Stage[]): Resolved[] {
    if (!this.opts.withDeps) return stages.map((stage) => ({ unit: { kind: 'stage', stage } }));
    const g = this.pipelineGraph();
    const nodes = stages.map((s) => g.node(stageAddress(s))).filter((n): n is GraphNode => n !== undefined);
    return this.nodeUnits([...g.ancestorsOf(nodes)]);
  }

  private pointerUnits(pointer: PointerFile): Resolved[] {
    if (!this.opts.withDeps) return [{ unit: { kind: 'pointer', pointer } }];
    const g = this.pipelineGraph();
    const node = g.node(pointer.relPath);
    return node ? this.nodeUnits([...g.ancestorsOf([node])]) : [{ unit: { kind: 'pointer', pointer } }];
  }

  private nodeUnits(nodes: readonly GraphNode[]): Resolved[] {
    return [...nodes]
      .sort((a, b) => a.index - b.index)
      .map((n) => ({ unit: n.kind === 'stage' ? { kind: 'stage', stage: n.stage } : { kind: 'pointer', pointer: n.pointer as PointerFile } }));
  }

  /** Stages of `file` named `name`: exactly, or the `name@...` stages of a foreach/matrix. */
  private named(file: string, name: string): Stage[] {
    const stages = this.stagesOf(file);
    const exact = stages.filter((s) => s.name === name);
    return exact.length > 0 ? exact : stages.filter((s) => s.name.startsWith(`${name}@`));
  }

  /** The repo path of a target; '' for the repository root (`.` at the top), which holds every output. */
  private repoPathOf(target: string): string {
    const abs = path.resolve(this.repo.cwd, target);
    const real = fs.existsSync(abs) ? fs.realpathSync(abs) : abs;
    if (relativeInside(fs.realpathSync(this.repo.root), real) === '') return '';
    return this.repo.toRepoPath(target);
  }

  resolve(target: string): Resolved[] {
    const repo = this.repo;
    if (path.posix.basename(target.replace(/\\/g, '/').replace(/\/+$/, '')) === 'dvc.lock') {
      throw new TroveError('BAD_TARGET', `'${target}' is a lock file: did you mean \`${target.replace(/dvc\.lock$/, 'dvc.yaml')}\`?`, { hint: 'stages live in dvc.yaml; dvc.lock only records their state' });
    }
    const { file, name } = parseTarget(target);

    if (file !== undefined) {
      let rel = repo.toRepoPath(file);
      if (name !== undefined || !isPointerFileName(rel)) {
        // A stage file: `dvc.yaml`, `sub/dvc.yaml:train`, `sub:train` (a directory means its dvc.yaml).
        if (!/\.ya?ml$/.test(rel)) rel = posixJoin(rel, DVCFILE);
        if (!fs.existsSync(repo.abs(rel))) throw new TroveError('NO_SUCH_FILE', `'${repo.display(rel)}' does not exist`, { hint: 'check the path; stages are listed by `trove stage list`' });
        if (name === undefined) {
          const all = this.stagesOf(rel);
          if (all.length === 0) throw new TroveError('TARGET_NOT_FOUND', `'${repo.display(rel)}' declares no stages`);
          return this.stageUnits(all);
        }
        const found = this.named(rel, name);
        if (found.length === 0) throw new TroveError('STAGE_NOT_FOUND', `Stage '${name}' not found inside '${repo.display(rel)}' file`, { hint: 'list the stages with `trove stage list`' });
        return this.stageUnits(found);
      }
      const abs = repo.abs(rel);
      if (fs.statSync(abs, { throwIfNoEntry: false })?.isFile()) return this.pointerUnits(loadPointerFile(repo, rel));
      // A `.dvc` name that is not a file: perhaps an output or directory of that name, below.
    }

    const repoPath = this.repoPathOf(target);
    const abs = repo.abs(repoPath);
    if (this.opts.recursive && fs.statSync(abs, { throwIfNoEntry: false })?.isDirectory()) {
      const pointers = this.allPointers().filter((p) => isSameOrParent(repoPath, p.relPath));
      const stages = this.allStages().filter((s) => isSameOrParent(repoPath, s.dvcfile));
      if (pointers.length > 0 || stages.length > 0) {
        return [...pointers.flatMap((p) => this.pointerUnits(p)), ...this.stageUnits(stages)];
      }
    }

    // A bare name is a stage of the dvc.yaml where the user is, before it is a path (as DVC).
    if (name !== undefined && !/[\\/]/.test(target)) {
      const here = posixJoin(this.here, DVCFILE);
      if (fs.existsSync(repo.abs(here))) {
        const found = this.named(here, target);
        if (found.length > 0) return this.stageUnits(found);
      }
    }

    // An output tracked by its own pointer file (the common case, without walking the repo).
    if (repoPath !== '' && fs.existsSync(`${abs}${POINTER_SUFFIX}`) && !fs.statSync(`${abs}${POINTER_SUFFIX}`).isDirectory()) {
      const pointer = loadPointerFile(repo, `${repoPath}${POINTER_SUFFIX}`);
      if (pointer.outs.some((o) => o.repoPath === repoPath)) return [{ unit: { kind: 'pointer', pointer }, filter: repoPath }];
    }
    // An output, or a path inside one: of a pointer file, then of a stage.
    for (const pointer of this.allPointers()) {
      if (pointer.outs.some((o) => isSameOrParent(o.repoPath, repoPath))) return [{ unit: { kind: 'pointer', pointer }, filter: repoPath }];
    }
    for (const stage of this.allStages()) {
      if (stage.outs.some((o) => isSameOrParent(o.repoPath, repoPath))) return [{ unit: { kind: 'stage', stage }, filter: repoPath }];
    }
    // A directory holding outputs: each of them.
    const found: Resolved[] = [];
    for (const pointer of this.allPointers()) {
      for (const o of pointer.outs) if (isSameOrParent(repoPath, o.repoPath)) found.push({ unit: { kind: 'pointer', pointer }, filter: o.repoPath });
    }
    for (const stage of this.allStages()) {
      for (const o of stage.outs) if (isSameOrParent(repoPath, o.repoPath)) found.push({ unit: { kind: 'stage', stage }, filter: o.repoPath });
    }
    if (found.length > 0) return found;
    if (this.opts.recursive && fs.statSync(abs, { throwIfNoEntry: false })?.isDirectory()) return []; // as DVC: -R on a directory with nothing in it
    throw notTracked(repo, target, abs);
  }
}
