/**
 * The cached outputs one version of the repository holds, as `diff` compares them (DVC 3's data
 * index of a revision): every pointer-file output, and every stage output that a `dvc.yaml`
 * declares and its `dvc.lock` records, except those marked `cache: false`.
 *
 * A git revision is read through git only (the working tree and the index are never touched):
 * its hashes are the recorded ones. The workspace is hashed from disk through the stat-keyed
 * hash index, so files that did not change since they were last hashed are not read again.
 */
import path from 'node:path';
import { FileFormatError, TroveError } from '../errors.js';
import { gitPrefix, readBlobsAt } from '../git/revisions.js';
import type { HashKind } from '../hash/md5.js';
import type { TreeEntry } from '../objects/tree.js';
import type { PointerOut } from '../repo/pointer-file.js';
import { parseRevisionTree, revisionLabel, type RevisionTree } from '../repo/revision-files.js';
import type { Repo } from '../repo/repo.js';
import { isDirOid } from '../util/cache-layout.js';
import { posixDirname, posixJoin, toPosix } from '../util/posix-path.js';
import type { OpIo } from './io.js';

export interface VersionOutput {
  /** Repo-relative posix path. */
  path: string;
  /** md5, or `<md5>.dir` for a directory. */
  hash: string;
  kind: HashKind;
  /** The recorded (or, in the workspace, current) size in bytes. */
  size?: number;
  /** The directory's files, sorted as in a manifest, when they are already known (the workspace's walk). */
  files?: readonly TreeEntry[];
  /** A file's size in bytes, when known without asking the cache (the workspace's files). */
  fileSize?: (relpath: string) => number | undefined;
  /** The pointer file that records it. */
  pointerFile?: string;
  /** The stage that records it: its dvc.yaml and name. */
  stage?: { dvcfile: string; name: string };
}

export function isDirOutput(o: VersionOutput): boolean {
  return isDirOid(o.hash);
}

/** Where the DVC root sits in the git tree, without asking git when the repository knows. */
export function repoGitPrefix(repo: Repo): string {
  if (!repo.gitRoot) return gitPrefix(repo.root);
  const rel = toPosix(path.relative(repo.gitRoot, repo.root));
  return rel === '' ? '' : `${rel}/`;
}

/**
 * The outputs a listed revision records; its files must already be in `blobCache`
 * (readRevisionTrees). A malformed pointer file, dvc.yaml or dvc.lock throws, named
 * `<rev>:<path>:<line>`: a diff that skipped it would report its data as added or deleted.
 */
export async function revisionOutputs(repo: Repo, tree: RevisionTree, blobCache: Map<string, string>): Promise<VersionOutput[]> {
  const files = parseRevisionTree(tree, blobCache, { locks: false, pipelineTexts: true });
  const outputs: VersionOutput[] = [];
  for (const pf of files.pointerFiles) {
    for (const out of pf.outs) {
      if (!out.cache || !out.hash) continue;
      outputs.push({ path: out.repoPath, hash: out.hash.md5, kind: out.hashName, size: out.hash.size, pointerFile: pf.relPath });
    }
  }
  const texts = files.pipelineTexts!;
  const pipelines = [...texts.keys()].filter((p) => path.posix.basename(p) === 'dvc.yaml' && texts.has(posixJoin(posixDirname(p), 'dvc.lock')));
  if (pipelines.length > 0) outputs.push(...(await stageOutputsAt(repo, tree.rev, pipelines, texts)));
  return outputs;
}

/** Stage outputs with `cache: true` that each dvc.yaml declares and its dvc.lock records. */
async function stageOutputsAt(repo: Repo, rev: string, dvcfiles: string[], texts: Map<string, string>): Promise<VersionOutput[]> {
  const [{ loadStagesFromText }, { parseLockFile }] = await Promise.all([import('../pipeline/load-stages.js'), import('../pipeline/lock-file.js')]);
  const prefix = repoGitPrefix(repo);
  // Params and vars files that templating reads, beyond the params.yaml files already in hand.
  const readFile = (p: string) => (texts.has(p) ? texts.get(p) : readBlobsAt(repo.root, rev, [prefix + p]).get(prefix + p));
  const outputs: VersionOutput[] = [];
  for (const dvcfile of dvcfiles) {
    const lockPath = posixJoin(posixDirname(dvcfile), 'dvc.lock');
    const stages = atRevision(rev, () => loadStagesFromText(repo.root, dvcfile, texts.get(dvcfile)!, { readFile }));
    const lock = parseLockFile(texts.get(lockPath)!, revisionLabel(rev, lockPath));
    for (const stage of stages) {
      const entry = lock.stages.get(stage.name);
      for (const out of stage.outs) {
        if (!out.cache) continue;
        const recorded = entry?.outs.find((o) => o.path === out.path);
        if (!recorded) continue;
        outputs.push({ path: out.repoPath, hash: recorded.md5, kind: recorded.hash, size: recorded.size, stage: { dvcfile, name: stage.name } });
      }
    }
  }
  return outputs;
}

/** Names the revision in errors from files that only know their path. */
function atRevision<T>(rev: string, body: () => T): T {
  try {
    return body();
  } catch (e) {
    if (e instanceof FileFormatError) throw new FileFormatError(revisionLabel(rev, e.file), e.line, e.message.slice(e.message.indexOf(': ') + 2), e.hint);
    if (e instanceof TroveError) throw new TroveError(e.code, `at revision ${revisionLabel(rev, '').slice(0, -1)}: ${e.message}`, { hint: e.hint, cause: e });
    throw e;
  }
}

/** An output the workspace declares, before it is hashed. */
export interface DeclaredOutput {
  out: PointerOut;
  pointerFile?: string;
  stage?: { dvcfile: string; name: string };
}

/** The cached outputs that the workspace's pointer files and dvc.yaml stages declare (the targets resolver's "everything"). */
export async function declaredWorkspaceOutputs(repo: Repo): Promise<DeclaredOutput[]> {
  const { selectOutputs } = await import('./targets.js');
  return selectOutputs(repo, undefined)
    .filter((s) => s.out.cache)
    .map((s) => (s.kind === 'pointer' ? { out: s.out, pointerFile: s.pointer.relPath } : { out: s.out, stage: { dvcfile: s.stage.dvcfile, name: s.stage.name } }));
}

/** The declared outputs that exist in the workspace, hashed now (through the hash index). */
export async function hashWorkspaceOutputs(repo: Repo, declared: readonly DeclaredOutput[], io: OpIo): Promise<VersionOutput[]> {
  const { currentState } = await import('./output-state.js');
  const outputs: VersionOutput[] = [];
  for (const d of declared) {
    const built = await currentState(repo, d.out, io);
    if (!built) continue;
    const where = d.pointerFile ? { pointerFile: d.pointerFile } : { stage: d.stage! };
    if (built.type === 'dir') {
      let sizes: Map<string, number> | undefined;
      const fileSize = (rel: string) => (sizes ??= new Map(built.files.map((f) => [f.rel, f.stat.size]))).get(rel);
      outputs.push({ path: d.out.repoPath, hash: built.oid, kind: d.out.hashName, size: built.size, files: built.entries, fileSize, ...where });
    } else {
      outputs.push({ path: d.out.repoPath, hash: built.md5, kind: d.out.hashName, size: built.size, ...where });
    }
  }
  return outputs;
}
