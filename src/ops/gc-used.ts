/**
 * The objects gc must keep: every output that a pointer file or a `dvc.lock` records, in the
 * workspace and at each commit of the scope, with the files that directory manifests list.
 *
 * Commits are read through git's object store (one `ls-tree` per commit, one `cat-file` for the
 * blobs of all of them); a commit whose pointer files or lock files cannot be read stops gc, since what they
 * reference cannot be known. Each directory manifest is read once, whatever the number of
 * commits that name it.
 */
import { TroveError } from '../errors.js';
import type { HashKind } from '../hash/md5.js';
import type { TreeEntry } from '../objects/tree.js';
import { readLockedOutputs } from '../repo/lock-file.js';
import { collectPointerFiles } from '../repo/pointer-files.js';
import { eachRevisionFiles, type RevisionFiles } from '../repo/revision-files.js';
import type { Repo } from '../repo/repo.js';

/** One output gc keeps, named by the first place that records it. */
export interface UsedOutput {
  md5: string;
  kind: HashKind;
  /** The output's path in its project. */
  path: string;
  /** The commit (full sha) that records it; undefined for the workspace. */
  rev?: string;
  /** The other project (`-p`) it belongs to, as given; undefined for the current one. */
  project?: string;
}

/** A directory output whose manifest no cache (nor the remote) holds: its files cannot be known. */
export interface MissingManifest {
  md5: string;
  path: string;
  rev?: string;
  project?: string;
}

/**
 * Adds the outputs of `repo`'s workspace and of each of `commits` to `into` (keyed by kind and
 * md5, first place kept). `blobCache` is shared across calls: a pointer file unchanged between
 * commits (or projects) is read from git once.
 */
export function collectOutputs(
  repo: Repo,
  commits: readonly string[],
  into: Map<string, UsedOutput>,
  blobCache: Map<string, string>,
  project?: string,
): void {
  const add = (md5: string, kind: HashKind, path: string, rev?: string) => {
    const key = `${kind}:${md5}`;
    if (into.has(key)) return;
    const o: UsedOutput = { md5, kind, path };
    if (rev) o.rev = rev;
    if (project !== undefined) o.project = project;
    into.set(key, o);
  };
  const lockFiles: string[] = [];
  for (const pf of collectPointerFiles(repo, lockFiles)) for (const out of pf.outs) if (out.hash) add(out.hash.md5, out.hashName, out.repoPath);
  for (const lock of lockFiles) for (const o of readLockedOutputs(repo, lock)) add(o.md5, o.hashName, o.repoPath);
  const revisions = eachRevisionFiles(repo.root, commits, { blobCache });
  for (;;) {
    let next: IteratorResult<[string, RevisionFiles]>;
    try {
      next = revisions.next();
    } catch (e) {
      if (e instanceof TroveError && e.code === 'FILE_FORMAT') throw new TroveError(e.code, e.message, { hint: UNREADABLE_COMMIT, cause: e });
      throw e;
    }
    if (next.done) break;
    const [sha, files] = next.value;
    for (const pf of files.pointerFiles) for (const out of pf.outs) if (out.hash) add(out.hash.md5, out.hashName, out.repoPath, sha);
    for (const o of files.lockedOutputs) add(o.md5, o.hashName, o.repoPath, sha);
  }
}

const UNREADABLE_COMMIT =
  'gc cannot know what that commit uses, so it deletes nothing: choose a scope without that commit (e.g. -a, -T, or --rev with -n), or keep gc to the workspace (-w)';

/** Where manifests are looked up, in order: caches first; `fetch` (a remote) for what none has. */
export interface ManifestSources {
  /** A manifest from a local cache, or undefined when that cache lacks it. */
  local: (oid: string, kind: HashKind) => TreeEntry[] | undefined;
  /** Manifests read from elsewhere (DVC 3 layout only), oid -> entries; absent ones are left out. */
  fetch?: (oids: string[]) => Promise<Map<string, TreeEntry[]>>;
}

export interface KeepSet {
  /**
   * Every object to keep, in either cache layout: an oid that any output names is kept in both,
   * since trove reads an object from the other layout when its own lacks it.
   */
  oids: Set<string>;
  /** The oids of `oids` that a DVC 2 (md5-dos2unix) output names: no remote holds those for trove. */
  legacy: Set<string>;
  /** Directory outputs whose files are unknown, sorted by path. */
  missingManifests: MissingManifest[];
}

/** The objects the outputs need: each output's object, and for a directory every file its manifest lists. */
export async function keepSetOf(outputs: Iterable<UsedOutput>, sources: ManifestSources): Promise<KeepSet> {
  const oids = new Set<string>();
  const legacy = new Set<string>();
  const unread = new Map<string, UsedOutput>();
  const readOnce = new Set<string>();
  for (const o of outputs) {
    const keep = (oid: string) => {
      oids.add(oid);
      if (o.kind !== 'md5') legacy.add(oid);
    };
    keep(o.md5);
    if (!o.md5.endsWith('.dir') || readOnce.has(`${o.kind}:${o.md5}`)) continue;
    readOnce.add(`${o.kind}:${o.md5}`);
    const entries = sources.local(o.md5, o.kind);
    if (entries) for (const e of entries) keep(e.md5);
    else if (!unread.has(o.md5)) unread.set(o.md5, o);
  }
  if (unread.size > 0 && sources.fetch) {
    const found = await sources.fetch([...unread.values()].filter((o) => o.kind === 'md5').map((o) => o.md5));
    for (const [oid, entries] of found) {
      for (const e of entries) oids.add(e.md5);
      unread.delete(oid);
    }
  }
  const missingManifests = [...unread.values()]
    .map(({ md5, path, rev, project }) => ({ md5, path, ...(rev ? { rev } : {}), ...(project !== undefined ? { project } : {}) }))
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : a.md5 < b.md5 ? -1 : 1));
  return { oids, legacy, missingManifests };
}
