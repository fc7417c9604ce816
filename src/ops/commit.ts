import fs from 'node:fs';
import { TroveError, throwCollected } from '../errors.js';
import { writeLockStage } from '../pipeline/lock-file.js';
import { save as saveRunCache } from '../pipeline/run-cache.js';
import { stageStatus, type StageStatus } from '../pipeline/staleness.js';
import { stageAddress, type Stage, type StageOut } from '../pipeline/stage.js';
import type { PointerFile } from '../repo/pointer-file.js';
import type { Repo } from '../repo/repo.js';
import { isSameOrParent } from '../util/posix-path.js';
import { autostage } from './autostage.js';
import type { OpIo } from './io.js';
import { currentState, hashOf, missingFromCache } from './output-state.js';
import { recordPointerOutput } from './record-pointer-output.js';
import { checkInputs, recordStage } from './record-stage.js';
import { stalenessInputs } from './stage-state.js';
import { LockCache, lockPathOf, resolveTargets, stageOutAsPointerOut, type TargetOptions } from './targets.js';

export interface CommitOptions extends TargetOptions {
  /** Pointer files, outputs, stages, dvc.yaml files (see targets.ts); none: every one of them. */
  targets?: string[];
  /** Commit changed outputs and stages without asking. */
  force?: boolean;
}

export interface CommittedStage {
  /** `train` or `sub/dvc.yaml:train`. */
  stage: string;
  lockFile: string;
  /** The lock file did not exist before. */
  created: boolean;
  /** The stage's entry changed (the lock file was written). */
  updated: boolean;
}

export interface CommitResult {
  committed: { path: string; pointerFile: string; md5: string }[];
  /** Pipeline stages recorded in their dvc.lock. */
  stages: CommittedStage[];
  /** Outputs (and stages, by name) that were already recorded as they are. */
  unchanged: string[];
  gitFiles: string[];
  staged: boolean;
}

/**
 * Records the workspace state of tracked outputs in their pointer files (and the cache), and of
 * pipeline stages in dvc.lock, as DVC's `commit`: a stage's dependencies and outputs are hashed,
 * its cached outputs saved, and its entry written. Something that changed is committed only once
 * the user says so, or with `force`.
 */
export async function commit(repo: Repo, opts: CommitOptions, io: OpIo): Promise<CommitResult> {
  repo.lock('commit');
  repo.cache.sweepTemps();
  const units = resolveTargets(repo, opts.targets, opts, io);
  const result: CommitResult = { committed: [], stages: [], unchanged: [], gitFiles: [], staged: false };
  const linker = repo.linker((type) => io.reporter.debug(`Using '${type}' links`));
  const errors: TroveError[] = [];
  const ctx: StageContext = { repo, io, linker, force: Boolean(opts.force), locks: new LockCache(repo), inputs: stalenessInputs(repo), gitFiles: new Set() };
  for (const unit of units) {
    if (unit.kind === 'pointer') {
      await commitPointer(repo, unit.pointer, unit.filters, Boolean(opts.force), linker, io, result, errors);
      continue;
    }
    try {
      await commitStage(ctx, unit.stage, unit.filters, result);
    } catch (e) {
      if (!(e instanceof TroveError)) throw e;
      errors.push(e);
    }
  }
  result.gitFiles.push(...ctx.gitFiles);
  const staged = autostage(repo, result.gitFiles);
  result.gitFiles = staged.files;
  result.staged = staged.staged;
  throwCollected(errors, 'COMMIT_FAILED', (n) => `${n} outputs or stages could not be committed`);
  return result;
}

async function commitPointer(
  repo: Repo,
  pointer: PointerFile,
  filters: readonly string[] | undefined,
  force: boolean,
  linker: ReturnType<Repo['linker']>,
  io: OpIo,
  result: CommitResult,
  errors: TroveError[],
): Promise<void> {
  for (let index = 0; index < pointer.outs.length; index++) {
    const out = pointer.outs[index]!;
    // A path inside a directory output commits the whole output.
    if (filters && !filters.some((f) => isSameOrParent(out.repoPath, f) || isSameOrParent(f, out.repoPath))) continue;
    try {
      const current = await currentState(repo, out, io);
      if (!current) {
        throw new TroveError('NO_SUCH_FILE', `output '${repo.display(out.repoPath)}' does not exist`, { hint: `restore it with \`trove checkout ${repo.display(pointer.relPath)}\`, or stop tracking it with \`trove remove\`` });
      }
      const same = out.hash?.md5 === hashOf(current) && out.hashName === 'md5';
      if (same && (!out.cache || !missingFromCache(repo, out))) {
        result.unchanged.push(out.repoPath);
        continue;
      }
      if (!same && out.hash && !force) {
        const question = `Output '${repo.display(out.repoPath)}' has changed. Are you sure you want to commit it?`;
        const ok = io.confirm ? await io.confirm(question) : false;
        if (!ok) {
          throw new TroveError('COMMIT_REFUSED', `unable to commit changed '${repo.display(pointer.relPath)}'`, { hint: 'use `-f|--force` to commit without asking' });
        }
      }
      const { hash, gitFiles } = await recordPointerOutput(repo, pointer, index, current, linker, io);
      result.committed.push({ path: out.repoPath, pointerFile: pointer.relPath, md5: hash.md5 });
      result.gitFiles.push(...gitFiles);
    } catch (e) {
      if (!(e instanceof TroveError)) throw e;
      errors.push(e);
    }
  }
}

interface StageContext {
  repo: Repo;
  io: OpIo;
  linker: ReturnType<Repo['linker']>;
  force: boolean;
  locks: LockCache;
  inputs: ReturnType<typeof stalenessInputs>;
  gitFiles: Set<string>;
}

/** What changed in a stage since dvc.lock recorded it, as DVC's changed_entries: deps, outs, command (an output only missing from the cache is no change). */
function changesOf(status: StageStatus): { deps: string[]; outs: string[]; command: boolean; unrecorded: boolean } {
  return {
    deps: Object.keys(status.changedDeps),
    outs: Object.entries(status.changedOuts).filter(([, st]) => st !== 'not in cache').map(([p]) => p),
    command: status.changedCommand,
    unrecorded: status.notInLock,
  };
}

function describeChanges(c: ReturnType<typeof changesOf>): string {
  if (c.unrecorded) return 'it has no entry in dvc.lock yet';
  const parts: string[] = [];
  if (c.deps.length > 0) parts.push(`dependencies ${c.deps.join(', ')}`);
  if (c.outs.length > 0) parts.push(`outputs ${c.outs.join(', ')}`);
  if (c.command) parts.push('its command');
  return parts.join('; ');
}

/**
 * One stage, as DVC's commit: everything it depends on must exist, and so must its outputs; when
 * something changed since dvc.lock recorded it, the user is asked (unless `force`); then its
 * outputs are saved (only those the targets named, when they named paths) and its entry written.
 */
async function commitStage(ctx: StageContext, stage: Stage, filters: readonly string[] | undefined, result: CommitResult): Promise<void> {
  const { repo, io } = ctx;
  const name = stageAddress(stage);
  for (const out of stage.outs) {
    if (!fs.existsSync(repo.abs(out.repoPath))) {
      throw new TroveError('NO_SUCH_FILE', `output '${repo.display(out.repoPath)}' of stage '${name}' does not exist`, {
        hint: `run the stage (\`trove repro ${name}\`), or restore its outputs (\`trove checkout ${name}\`)`,
      });
    }
  }
  checkInputs(repo, stage, `cannot commit stage '${name}'`);
  const lockPath = lockPathOf(stage);
  const lock = ctx.locks.lockOf(stage);
  const locked = lock.stages.get(stage.name);
  const status = await stageStatus(stage, locked, ctx.inputs);
  const changes = changesOf(status);
  const changed = changes.unrecorded || changes.command || changes.deps.length > 0 || changes.outs.length > 0;
  const named = (o: StageOut) => !filters || filters.some((f) => isSameOrParent(o.repoPath, f));
  const uncached = stage.outs.some((o) => o.cache && named(o) && status.changedOuts[o.path] === 'not in cache');
  if (!changed && !uncached && !ctx.force) {
    result.unchanged.push(name);
    return;
  }
  if (changed && !ctx.force) {
    const question = `Stage '${name}' has changed (${describeChanges(changes)}). Are you sure you want to commit it?`;
    const ok = io.confirm ? await io.confirm(question) : false;
    if (!ok) throw new TroveError('COMMIT_REFUSED', `unable to commit changed stage '${name}'`, { hint: 'use `-f|--force` to commit without asking' });
  }
  const entry = await recordStage(repo, stage, {
    noCommit: false,
    linker: ctx.linker,
    io,
    gitFiles: ctx.gitFiles,
    save: named,
    previous: (o) => stageOutAsPointerOut(o, locked?.outs.find((l) => l.path === o.path)),
    failure: `cannot commit stage '${name}'`,
    cacheUncached: true,
  });
  const created = !fs.existsSync(repo.abs(lockPath));
  const updated = writeLockStage(repo.root, lockPath, stage.name, entry);
  lock.stages.set(stage.name, entry);
  // As DVC's commit (stage.save): the run is remembered in the run-cache (cache: false outputs
  // were copied into the cache for it above). A granular commit leaves other outputs unsaved.
  if ((changed || ctx.force) && !filters) saveRunCache(repo.cache.dir, stage, entry);
  if (updated) ctx.gitFiles.add(lockPath);
  result.stages.push({ stage: name, lockFile: lockPath, created, updated });
}
