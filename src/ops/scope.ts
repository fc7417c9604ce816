/** Which outputs a transfer covers: targets in the workspace, and optionally other git revisions. */
import { TroveError } from '../errors.js';
import { resolveRevisions } from '../git/revisions.js';
import { readLockedOutputs } from '../repo/lock-file.js';
import { collectPointerFiles } from '../repo/pointer-files.js';
import { eachRevisionFiles } from '../repo/revision-files.js';
import type { Repo } from '../repo/repo.js';
import type { OpIo } from './io.js';
import { uncachedStageOutputs } from './locked-outputs.js';
import type { PointerFile } from '../repo/pointer-file.js';
import { selectOutputs, type TargetOptions } from './targets.js';
import { outRefOf, type OutRef } from './used-objects.js';

export interface ScopeOptions extends TargetOptions {
  /** Pointer files, outputs, stages, dvc.yaml files (see targets.ts). */
  targets?: string[];
  /** -a: the tip of every branch. */
  allBranches?: boolean;
  /** -T: every tag. */
  allTags?: boolean;
  /** --all-commits: every commit. */
  allCommits?: boolean;
  /**
   * Whether imports' outputs are included (marked with their source). DVC pushes no imported
   * data, and compares none with the remote: only fetch takes them, from their source.
   */
  withImports?: boolean;
}

/**
 * The outputs to transfer. Without targets: every pointer file and every `dvc.lock` output of the
 * workspace; with -a/-T/--all-commits, also those of each such revision, read through git.
 */
export function refsInScope(repo: Repo, opts: ScopeOptions, io: OpIo): OutRef[] {
  const refs: OutRef[] = [];
  const hasTargets = (opts.targets?.length ?? 0) > 0;
  const fromPointer = (pf: PointerFile, ref: OutRef | undefined): OutRef | undefined => {
    const source = ref && pf.repoImport;
    if (!source) return ref;
    return opts.withImports ? { ...ref, source } : undefined;
  };
  if (hasTargets) {
    for (const s of selectOutputs(repo, opts.targets, { withDeps: opts.withDeps, recursive: opts.recursive })) {
      const ref = s.kind === 'pointer' ? fromPointer(s.pointer, outRefOf(s.out, io)) : outRefOf(s.out, io);
      if (ref) refs.push(s.inner ? { ...ref, inner: s.inner } : ref);
    }
  } else {
    const lockFiles: string[] = [];
    for (const pf of collectPointerFiles(repo, lockFiles)) for (const out of pf.outs) pushRef(refs, fromPointer(pf, outRefOf(out, io)));
    const uncached = lockFiles.length > 0 ? uncachedStageOutputs(repo) : new Set<string>();
    for (const lock of lockFiles) {
      for (const o of readLockedOutputs(repo, lock)) if (o.hashName === 'md5' && !uncached.has(o.repoPath)) refs.push({ path: o.repoPath, md5: o.md5 });
    }
  }
  if (opts.allBranches || opts.allTags || opts.allCommits) {
    if (hasTargets) {
      throw new TroveError('USAGE', 'targets cannot be combined with -a, -T or --all-commits', { exitCode: 2, hint: 'drop the targets to push every output of those revisions' });
    }
    if (!repo.gitRoot) throw new TroveError('NO_SCM', '-a, -T and --all-commits need a git repository', { hint: 'this repository was set up with --no-scm' });
    const revs = resolveRevisions(repo.root, { allBranches: opts.allBranches, allTags: opts.allTags, allCommits: opts.allCommits });
    const quiet = { reporter: { ...io.reporter, warn: () => {} } };
    // All revisions' trees walked together and their files read with one git process (gc -A's walk).
    for (const [, files] of eachRevisionFiles(repo.root, revs, { onInvalid: (e) => io.reporter.warn(`skipped: ${e.message}`) })) {
      for (const pf of files.pointerFiles) for (const out of pf.outs) pushRef(refs, fromPointer(pf, outRefOf(out, quiet)));
      for (const o of files.lockedOutputs) if (o.hashName === 'md5') refs.push({ path: o.repoPath, md5: o.md5 });
    }
  }
  return refs;
}

function pushRef(refs: OutRef[], ref: OutRef | undefined): void {
  if (ref) refs.push(ref);
}
