/**
 * `repro`: runs the stages whose inputs changed, in dependency order, records each in dvc.lock as
 * soon as it succeeds, and says why every stage ran or was skipped.
 */
import fs from 'node:fs';
import path from 'node:path';
import { TroveError } from '../errors.js';
import { Linker } from '../fs/links.js';
import { addIgnoreEntry } from '../git/gitignore.js';
import { checkoutOutput } from '../objects/checkout.js';
import { buildGraph, type GraphNode, type PipelineGraph, type StageNode } from '../pipeline/graph.js';
import { loadAllStages } from '../pipeline/load-stages.js';
import type { LockedStage, ParamValue } from '../pipeline/lock-file.js';
import { lookup as lookupRunCache, runCacheSkipReason, save as saveRunCache } from '../pipeline/run-cache.js';
import { runStage, StageFailedError } from '../pipeline/runner.js';
import { runDag } from '../pipeline/scheduler.js';
import { isStale, isStaleAllowingMissing, stageStatus, type StageStatus } from '../pipeline/staleness.js';
import type { Stage } from '../pipeline/stage.js';
import type { PointerFile, PointerOut } from '../repo/pointer-file.js';
import type { BuiltOutput } from '../objects/build-output.js';
import { collectPointerFiles } from '../repo/pointer-files.js';
import type { HashInfo } from '../repo/pointer-file.js';
import type { Repo } from '../repo/repo.js';
import { autostageChanges } from './autostage.js';
import { RunLocks } from './run-locks.js';
import { unprotectPath } from './unprotect.js';
import { nodeLabel } from './node-label.js';
import { IgnoreOrder } from './ignore-order.js';
import type { OpIo } from './io.js';
import { currentState, hashOf, missingFromCache } from './output-state.js';
import { recordPointerOutput } from './record-pointer-output.js';
import { ReproPuller } from './repro-pull.js';
import { checkInputs, recordStage, type RecordOptions } from './record-stage.js';
import { hashPath, stalenessInputs } from './stage-state.js';
import { lockPathOf } from './targets.js';

export interface ReproOptions {
  targets?: string[];
  force?: boolean;
  singleItem?: boolean;
  downstream?: boolean;
  recursive?: boolean;
  dry?: boolean;
  keepGoing?: boolean;
  /** Hash and record outputs without saving them to the cache. */
  noCommit?: boolean;
  /** Restore a stage's outputs from an earlier identical run instead of running it (default true). */
  runCache?: boolean;
  jobs?: number;
  /** Targets' stage names may be shell-style patterns (`--glob`). */
  glob?: boolean;
  /** Run the whole pipelines the targets belong to (`-p`). */
  pipeline?: boolean;
  /** Every stage of every dvc.yaml (`-P`); without targets and without this, ./dvc.yaml's stages. */
  allPipelines?: boolean;
  /** Missing data alone does not make a stage stale (`--allow-missing`). */
  allowMissing?: boolean;
  /** A stage whose only change is missing data is pulled from the remote instead of run (`--pull`). */
  pull?: boolean;
  /** Asked before each stage runs (`-i`). */
  ask?: (stage: string) => Promise<boolean>;
  /** Called as things happen, for the CLI to print in order. */
  onEvent?: (e: ReproEvent) => void;
}

export type ReproEvent =
  | { kind: 'skip'; node: string; pointer: boolean; reason?: string }
  | { kind: 'run'; stage: string; reasons: string[] }
  | { kind: 'command'; stage: string; line: string }
  /** Captured output of a stage that ran beside others (-j). */
  | { kind: 'output'; stage: string; text: string }
  | { kind: 'lock'; stage: string; file: string; created: boolean }
  /** Outputs restored from the run-cache instead of running the command. */
  | { kind: 'restored'; stage: string }
  /** A changed data source (pointer file) re-saved, as DVC's "Verifying data sources". */
  | { kind: 'verify'; node: string }
  /** `--pull`: data fetched for a stage or data source instead of running it (ok false: it could not be, so it runs). */
  | { kind: 'pull'; node: string; ok: boolean }
  | { kind: 'failed'; stage: string; error: TroveError };

export interface ReproResult {
  ran: string[];
  skipped: string[];
  failed: { stage: string; error: TroveError }[];
  /** Not run because a stage they depend on failed. */
  blocked: string[];
  /** Not run because the run stopped at the first failure (no keepGoing), though they did not need the stage that failed. */
  stopped: string[];
  gitFiles: string[];
  staged: boolean;
}

export async function repro(repo: Repo, opts: ReproOptions, io: OpIo): Promise<ReproResult> {
  repo.lock('repro');
  const emit = opts.onEvent ?? (() => {});
  const stages = loadAllStages(repo.root);
  if (!opts.allPipelines && !(opts.targets && opts.targets.length > 0) && !fs.existsSync(path.join(repo.cwd, 'dvc.yaml'))) {
    throw new TroveError('NO_DVCFILE', "'dvc.yaml' does not exist", {
      hint:
        stages.length > 0
          ? 'name the stages to run (`trove repro <stage>` or `sub/dvc.yaml:<stage>`), or run them all with `-P`'
          : 'declare a stage first: `trove stage add -n <name> -d <dep> -o <out> <command>`',
    });
  }
  const pointers = collectPointerFiles(repo);
  const pointerByPath = new Map(pointers.map((p) => [p.relPath, p]));
  const graph = buildGraph(stages, pointers, (p) => fs.existsSync(repo.abs(p)));
  const order = selectNodes(repo, graph, opts);
  const result: ReproResult = { ran: [], skipped: [], failed: [], blocked: [], stopped: [], gitFiles: [], staged: false };
  const gitFiles = new Set<string>();
  const inputs = stalenessInputs(repo);
  const lockCreated = new Set<string>();
  const linker = repo.linker((type, skipped) => io.reporter.debug(`Using '${type}' links${skipped.length ? ` (${skipped.join(', ')} not supported)` : ''}`));
  const jobs = Math.max(1, opts.jobs ?? 1);
  const locks = new RunLocks(repo);
  const placeOf = newStagePlaces(locks, order);
  const puller = opts.pull ? new ReproPuller(repo, {}, io) : undefined;
  /** The hash the producer of `repoPath` records now (its lock entry, or its pointer file). */
  const upstreamMd5 = (repoPath: string): string | undefined => {
    const producer = graph.producerOf(repoPath);
    if (!producer || producer.repoPath !== repoPath) return undefined;
    const node = producer.node;
    if (node.kind === 'pointer') return pointerByPath.get(node.pointer.relPath)?.outs.find((o) => o.repoPath === repoPath)?.hash?.md5;
    const out = node.stage.outs.find((o) => o.repoPath === repoPath);
    return out && locks.stages(lockPathOf(node.stage)).get(node.stage.name)?.outs.find((o) => o.path === out.path)?.md5;
  };

  const runNode = async (node: GraphNode): Promise<'ok' | 'failed'> => {
    if (node.kind === 'pointer') {
      const id = nodeLabel(repo, node);
      try {
        return await runPointerNode(id, pointerByPath.get(node.pointer.relPath));
      } catch (e) {
        if (!(e instanceof TroveError)) throw e;
        emit({ kind: 'failed', stage: id, error: e });
        result.failed.push({ stage: id, error: e });
        return 'failed';
      }
    }
    const stage = node.stage;
    const name = nodeLabel(repo, node);
    // Beside other stages (-j), a stage's lines are held and printed together when it finishes.
    const held: ReproEvent[] = [];
    const say = jobs > 1 ? (e: ReproEvent) => held.push(e) : emit;
    try {
      return await runStageNode(stage, name, say);
    } finally {
      for (const e of held) emit(e);
    }
  };

  /**
   * A data source (`.dvc` file), as DVC's repro treats it: changed data is re-saved to the cache and
   * the pointer file; missing data fails, unless allowed (`--allow-missing`) or pulled (`--pull`).
   */
  const runPointerNode = async (id: string, pf: PointerFile | undefined): Promise<'ok' | 'failed'> => {
    const states = await Promise.all((pf?.outs ?? []).map(async (out, index) => ({ out, index, state: await pointerOutState(repo, out, io) })));
    const count = (kind: PointerOutState['kind']) => states.filter((s) => s.state.kind === kind).length;
    const missing = states.filter((s) => s.state.kind === 'missing');
    const dataOnly = count('modified') === 0;
    if (!opts.force && dataOnly && (opts.allowMissing || (count('uncached') === 0 && missing.length === 0))) {
      emit({ kind: 'skip', node: id, pointer: true });
      result.skipped.push(id);
      return 'ok';
    }
    if (puller && !opts.force && dataOnly && count('uncached') === 0) {
      const outs = missing.flatMap(({ out }) => (out.hash && out.cache && out.hashName === 'md5' ? [{ path: out.repoPath, md5: out.hash.md5 }] : []));
      const ok = outs.length === missing.length && (await puller.pull(outs, linker, gitFiles));
      emit({ kind: 'pull', node: id, ok });
      if (ok) {
        result.skipped.push(id);
        return 'ok';
      }
    }
    if (opts.dry) {
      result.ran.push(id);
      return 'ok';
    }
    emit({ kind: 'verify', node: id });
    if (missing.length > 0) {
      const gone = missing.map((s) => repo.display(s.out.repoPath));
      throw new TroveError('MISSING_DATA_SOURCE', `failed to reproduce '${id}': missing data 'source${gone.length > 1 ? 's' : ''}': ${gone.join(', ')}`, {
        hint: 'restore it (`trove pull` / `trove checkout`), or run with `--pull` or `--allow-missing`',
      });
    }
    for (const { index, state } of states) {
      if (state.kind === 'missing' || (state.kind === 'same' && !opts.force)) continue;
      const recorded = await recordPointerOutput(repo, pf!, index, state.current, linker, io);
      for (const f of recorded.gitFiles) gitFiles.add(f);
    }
    result.ran.push(id);
    return 'ok';
  };

  const pullMissingDeps = async (stage: Stage): Promise<void> => {
    const wanted = stage.deps.flatMap((d) => {
      if (fs.existsSync(repo.abs(d.repoPath))) return [];
      const md5 = upstreamMd5(d.repoPath);
      return md5 ? [{ path: d.repoPath, md5 }] : [];
    });
    if (wanted.length > 0) await puller!.pull(wanted, linker, gitFiles);
  };

  const runStageNode = async (stage: Stage, name: string, say: (e: ReproEvent) => void): Promise<'ok' | 'failed'> => {
    if (stage.frozen) {
      say({ kind: 'skip', node: name, pointer: false, reason: 'frozen' });
      result.skipped.push(name);
      return 'ok';
    }
    const lockPath = lockPathOf(stage);
    const locked = locks.stages(lockPath).get(stage.name);
    const status = await stageStatus(stage, locked, inputs);
    const staleForData = !opts.force && isStale(status) && !isStaleAllowingMissing(status, stage, locked, upstreamMd5);
    if (!opts.force && (!isStale(status) || (opts.allowMissing && staleForData))) {
      say({ kind: 'skip', node: name, pointer: false });
      result.skipped.push(name);
      return 'ok';
    }
    if (puller && staleForData && locked) {
      const outs = stage.outs.flatMap((o) => {
        const l = o.cache ? locked.outs.find((x) => x.path === o.path) : undefined;
        return l ? [{ path: o.repoPath, md5: l.md5 }] : [];
      });
      const ok = outs.length === stage.outs.filter((o) => o.cache).length && (await puller.pull(outs, linker, gitFiles));
      say({ kind: 'pull', node: name, ok });
      if (ok) {
        result.skipped.push(name);
        return 'ok';
      }
    }
    if (opts.ask && !(await opts.ask(name))) {
      say({ kind: 'skip', node: name, pointer: false, reason: 'you said no' });
      result.skipped.push(name);
      return 'ok';
    }
    const sayRun = () => say({ kind: 'run', stage: name, reasons: opts.force && !isStale(status) ? ['-f was given'] : reasonsOf(status) });
    if (opts.dry) {
      sayRun();
      for (const line of stage.cmd) say({ kind: 'command', stage: name, line: `> ${line}` });
      result.ran.push(name);
      return 'ok';
    }
    try {
      // As DVC's run_stage with --pull: dependencies that are missing are pulled before anything else.
      if (puller) await pullMissingDeps(stage);
      const useRunCache = opts.runCache !== false && !opts.force && !opts.noCommit;
      let entry: LockedStage | undefined;
      // As DVC's StageCache.restore: a stage whose command, deps and params match its own lock
      // entry (only outputs changed) is restored from that entry, even with --no-run-cache.
      const lockHit = !opts.force && !opts.noCommit && locked && onlyOutputsChanged(status) && !runCacheSkipReason(stage) ? locked : undefined;
      const found = lockHit ?? (useRunCache ? await matchingRun(repo, stage) : undefined);
      const outs = found && recordedOuts(stage, found);
      if (found && outs) {
        // As DVC's restore(pull=True): what the run recorded comes from the remote first. A remote
        // that fails as a whole stops repro, as it does for the other pulls.
        if (puller) await puller.fetch(outs.filter((o) => !objectComplete(repo, o.md5)));
        entry = await restoreFromRunCache(repo, stage, found, { linker, io, gitFiles });
      }
      if (entry) say({ kind: 'restored', stage: name });
      else {
        sayRun();
        checkInputs(repo, stage);
        removeOutputs(repo, stage);
        const run = await runStage(stage, { root: repo.root, capture: jobs > 1, announce: (line) => say({ kind: 'command', stage: name, line }) });
        if (jobs > 1 && run.output) say({ kind: 'output', stage: name, text: run.output });
        entry = await recordStage(repo, stage, { noCommit: Boolean(opts.noCommit), cacheUncached: useRunCache, linker, io, gitFiles });
        if (useRunCache) saveRunCache(repo.cache.dir, stage, entry);
      }
      const created = !fs.existsSync(repo.abs(lockPath)) && !lockCreated.has(lockPath);
      if (created) lockCreated.add(lockPath);
      // As DVC's Lockfile.dump: 'Updating lock file' and a file to add to git only when the entry changed.
      if (locks.write(lockPath, stage.name, entry, (n) => placeOf(lockPath, n))) {
        gitFiles.add(lockPath);
        say({ kind: 'lock', stage: name, file: lockPath, created });
      }
      result.ran.push(name);
      return 'ok';
    } catch (e) {
      if (!(e instanceof TroveError)) throw e;
      if (jobs > 1 && e instanceof StageFailedError) {
        const output = (e as StageFailedError & { output?: string }).output;
        if (output) say({ kind: 'output', stage: name, text: output });
      }
      say({ kind: 'failed', stage: name, error: e });
      result.failed.push({ stage: name, error: e });
      return 'failed';
    }
  };

  const ignoreOrder = jobs > 1 && repo.scm ? new IgnoreOrder(repo.root, order.flatMap((n) => (n.kind === 'stage' ? n.stage.outs : (pointerByPath.get(n.pointer.relPath)?.outs ?? [])).map((o) => o.repoPath))) : undefined;
  let outcome;
  try {
    outcome = await runDag(order, (n) => graph.upstreamOf(n), jobs, runNode, { keepGoing: opts.keepGoing });
  } finally {
    ignoreOrder?.finish();
    await puller?.close();
  }
  result.blocked = outcome.blocked.map((n) => nodeLabel(repo, n));
  result.stopped = outcome.stopped.map((n) => nodeLabel(repo, n));
  const staged = autostageChanges(repo, [...gitFiles]);
  result.gitFiles = staged.gitFiles;
  result.staged = staged.staged;
  return result;
}

function selectNodes(repo: Repo, graph: PipelineGraph, opts: ReproOptions): GraphNode[] {
  const cwd = repo.cwd === repo.root ? '' : repo.cwd.slice(repo.root.length + 1);
  let targets: GraphNode[] | undefined;
  if (opts.allPipelines) {
    targets = graph.nodes.filter((n): n is StageNode => n.kind === 'stage');
  } else {
    // As DVC: no targets means the dvc.yaml where the user is.
    const given = opts.targets && opts.targets.length > 0 ? opts.targets : ['dvc.yaml'];
    targets = given.flatMap((t) => graph.resolveTarget(t, { cwd, recursive: opts.recursive, glob: opts.glob }));
  }
  const whole = opts.pipeline || opts.allPipelines;
  return graph.select(targets, { pipeline: opts.pipeline, singleItem: !whole && opts.singleItem, downstream: !whole && opts.downstream });
}

/**
 * For each stage the run may write that its lock file does not hold yet: its place in the plan.
 * A serial run appends such stages in plan order; a parallel one finishes them in any order, so
 * the lock is written in plan order instead, and both end with the same bytes.
 */
function newStagePlaces(locks: RunLocks, order: readonly GraphNode[]): (lockPath: string, name: string) => number | undefined {
  const places = new Map<string, number>();
  const held = new Map<string, ReadonlySet<string>>();
  order.forEach((node, i) => {
    if (node.kind !== 'stage') return;
    const lockPath = lockPathOf(node.stage);
    if (!held.has(lockPath)) held.set(lockPath, new Set(locks.stages(lockPath).keys()));
    if (!held.get(lockPath)!.has(node.stage.name)) places.set(`${lockPath}\0${node.stage.name}`, i);
  });
  return (lockPath, name) => places.get(`${lockPath}\0${name}`);
}

function onlyOutputsChanged(status: StageStatus): boolean {
  return !status.notInLock && !status.changedCommand && !status.alwaysChanged && Object.keys(status.changedDeps).length === 0;
}

/**
 * DVC's run-cache: an earlier run with the same command, dependencies and params, recorded under
 * `.dvc/cache/runs/`. Undefined when there is none, or the inputs cannot be read (the run reports
 * what is wrong with them).
 */
async function matchingRun(repo: Repo, stage: Stage): Promise<LockedStage | undefined> {
  try {
    const params = checkInputs(repo, stage);
    const hashes = new Map<string, HashInfo>();
    for (const dep of stage.deps) {
      const st = await hashPath(repo, dep.repoPath);
      if (!st) return undefined;
      hashes.set(dep.repoPath, st);
    }
    return lookupRunCache(repo.cache.dir, stage, hashes, params);
  } catch (e) {
    if (!(e instanceof TroveError)) throw e;
    return undefined;
  }
}

/** The outputs a recorded run produced, one per output of the stage (DVC 3 objects only); undefined when one is not recorded. */
function recordedOuts(stage: Stage, entry: LockedStage): { path: string; md5: string }[] | undefined {
  const outs: { path: string; md5: string }[] = [];
  for (const out of stage.outs) {
    const locked = entry.outs.find((l) => l.path === out.path);
    if (!locked || locked.hash !== 'md5') return undefined;
    outs.push({ path: out.repoPath, md5: locked.md5 });
  }
  return outs;
}

/**
 * When every output the run recorded is in the cache, checks them out instead of running the
 * command, and returns the run's entry; else (or when a checkout fails) undefined, to run it.
 * Outputs git tracks (cache: false) come back as plain copies, never as links into the cache.
 */
async function restoreFromRunCache(repo: Repo, stage: Stage, entry: LockedStage, opts: Omit<RecordOptions, 'noCommit' | 'cacheUncached'>): Promise<LockedStage | undefined> {
  const outs = stage.outs.map((o) => ({ out: o, locked: entry.outs.find((l) => l.path === o.path)! }));
  if (outs.some(({ locked }) => !objectComplete(repo, locked.md5))) return undefined;
  let copier: Linker | undefined;
  try {
    removeOutputs(repo, stage);
    for (const { out, locked } of outs) {
      const abs = repo.abs(out.repoPath);
      const linker = out.cache ? opts.linker : (copier ??= new Linker(['copy']));
      await checkoutOutput(
        { abs, display: repo.display(out.repoPath), md5: locked.md5, hashName: 'md5' },
        { cache: repo.cache, index: repo.index, linker, force: true, filter: repo.dvcignore.prepare(abs), reporter: opts.io.reporter },
      );
      if (out.cache && repo.scm) {
        const gi = addIgnoreEntry(repo.root, out.repoPath, locked.md5.endsWith('.dir'));
        if (gi) opts.gitFiles.add(gi);
      }
    }
  } catch (e) {
    if (!(e instanceof TroveError)) throw e;
    return undefined;
  }
  return entry;
}

function objectComplete(repo: Repo, md5: string): boolean {
  if (!repo.cache.has(md5)) return false;
  if (!md5.endsWith('.dir')) return true;
  const entries = repo.cache.tryReadTree(md5);
  return entries !== undefined && repo.cache.isTreeComplete(md5, entries);
}

function reasonsOf(status: StageStatus): string[] {
  return status.reasons.length > 0 ? status.reasons : ['it changed'];
}

type PointerOutState = { kind: 'same' | 'modified' | 'uncached'; current: BuiltOutput } | { kind: 'missing' };

/** A data source's output against its pointer file: unchanged, modified (or new), missing, or not in the cache. */
async function pointerOutState(repo: Repo, out: PointerOut, io: OpIo): Promise<PointerOutState> {
  const current = await currentState(repo, out, io);
  if (!current) return { kind: 'missing' };
  if (!out.hash || hashOf(current) !== out.hash.md5) return { kind: 'modified', current };
  if (out.cache && missingFromCache(repo, out, current.type === 'dir' ? current.entries : undefined)) return { kind: 'uncached', current };
  return { kind: 'same', current };
}

/**
 * DVC removes a stage's outputs before running it, unless they persist; a persistent output is
 * made a private writable copy instead, so that the command cannot write through a link into
 * the cache.
 */
function removeOutputs(repo: Repo, stage: Stage): void {
  for (const out of stage.outs) {
    if (out.persist) unprotectPath(repo, repo.abs(out.repoPath));
    else fs.rmSync(repo.abs(out.repoPath), { recursive: true, force: true });
  }
}
