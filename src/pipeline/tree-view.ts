/**
 * The files of the repository as of one version: the workspace, or a git commit read from git's
 * object store (the working tree and the index are never touched). What `metrics` and `params`
 * read, through one interface, at every revision they compare.
 *
 * Paths are posix and relative to the DVC root. At a commit, the tree is listed once (one
 * `git ls-tree`) and file contents are read in batches (one `git cat-file` per batch), shared
 * across commits by blob id, so an unchanged file is read once for a whole `-A` walk.
 */
import fs from 'node:fs';
import { errnoOf } from '../errors.js';
import { gitPrefix, listTreeAt, readBlobsById } from '../git/revisions.js';
import { DvcIgnore } from '../repo/dvcignore.js';
import { revisionFilesAt } from '../repo/revision-files.js';
import type { HashKind } from '../hash/md5.js';
import { walkFiles } from '../fs/walk.js';
import { DVCFILE, findDvcfiles } from './load-stages.js';

export interface TreeView {
  /** The commit read, undefined for the workspace. */
  readonly sha: string | undefined;
  /** A file's text, undefined when there is no such file. */
  read(repoPath: string): string | undefined;
  /** Several files at once (one git process at a commit); absent files are left out. */
  readMany(repoPaths: Iterable<string>): Map<string, string>;
  isDir(repoPath: string): boolean;
  /** Every file below a directory, sorted. */
  filesUnder(dir: string): string[];
  /** Every `dvc.yaml`, sorted. */
  dvcfiles(): string[];
}

/** The workspace as it is on disk. */
export function workspaceView(root: string): TreeView {
  const read = (p: string): string | undefined => {
    try {
      return fs.readFileSync(`${root}/${p}`, 'utf8');
    } catch (e) {
      const code = errnoOf(e);
      if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR') return undefined;
      throw e;
    }
  };
  return {
    sha: undefined,
    read,
    readMany(paths) {
      const out = new Map<string, string>();
      for (const p of paths) {
        const t = read(p);
        if (t !== undefined) out.set(p, t);
      }
      return out;
    },
    isDir: (p) => {
      try {
        return fs.statSync(p === '' ? root : `${root}/${p}`).isDirectory();
      } catch {
        return false;
      }
    },
    filesUnder: (dir) => {
      const abs = dir === '' ? root : `${root}/${dir}`;
      const files = walkFiles(abs, new DvcIgnore(root)).files.map((f) => (dir === '' ? f.rel : `${dir}/${f.rel}`));
      return files.sort(byPath);
    },
    dvcfiles: () => findDvcfiles(root),
  };
}

/** Where a file output recorded at a revision can be read: a cache object, or nothing. */
export type CacheReader = (oid: string, kind: HashKind) => string | undefined;

/**
 * The tree of commit `sha`. `blobCache` (blob id -> text) may be shared by the views of one walk.
 * A file that git does not hold but that the revision's dvc.lock or .dvc files record as a file
 * output (a cached metric, say) is read from the cache through `fromCache`, as DVC's file system
 * does; directory outputs are not looked into.
 */
export function revisionView(root: string, sha: string, blobCache: Map<string, string> = new Map(), fromCache?: CacheReader): TreeView {
  const prefix = gitPrefix(root);
  const oids = new Map<string, string>();
  for (const e of listTreeAt(root, sha, (p) => p.startsWith(prefix))) {
    if (e.mode === '120000') continue; // a symbolic link: DVC does not follow links in git trees
    oids.set(e.path.slice(prefix.length), e.oid);
  }
  let dirs: Set<string> | undefined;
  let outputs: Map<string, { oid: string; kind: HashKind }> | undefined;
  const recordedOutputs = () => {
    if (!outputs) {
      outputs = new Map();
      const { pointerFiles, lockedOutputs } = revisionFilesAt(root, sha, { onInvalid: () => undefined });
      for (const pf of pointerFiles) for (const o of pf.outs) if (o.hash && !o.hash.md5.endsWith('.dir')) outputs.set(o.repoPath, { oid: o.hash.md5, kind: o.hashName });
      for (const o of lockedOutputs) if (!o.md5.endsWith('.dir')) outputs.set(o.repoPath, { oid: o.md5, kind: o.hashName });
    }
    return outputs;
  };
  const readMany = (paths: Iterable<string>): Map<string, string> => {
    const all = [...paths];
    const wanted = all.filter((p) => oids.has(p));
    const missing = wanted.map((p) => oids.get(p)!).filter((oid) => !blobCache.has(oid));
    if (missing.length > 0) {
      for (const [oid, data] of readBlobsById(root, missing)) blobCache.set(oid, data.toString('utf8'));
    }
    const out = new Map<string, string>();
    for (const p of wanted) {
      const text = blobCache.get(oids.get(p)!);
      if (text !== undefined) out.set(p, text);
    }
    if (fromCache && wanted.length < all.length) {
      for (const p of all) {
        const o = oids.has(p) ? undefined : recordedOutputs().get(p);
        const text = o && fromCache(o.oid, o.kind);
        if (text !== undefined) out.set(p, text);
      }
    }
    return out;
  };
  return {
    sha,
    read: (p) => readMany([p]).get(p),
    readMany,
    isDir(p) {
      if (p === '') return true;
      if (!dirs) {
        dirs = new Set();
        for (const f of oids.keys()) {
          for (let i = f.indexOf('/'); i !== -1; i = f.indexOf('/', i + 1)) dirs.add(f.slice(0, i));
        }
      }
      return dirs.has(p);
    },
    filesUnder: (dir) => [...oids.keys()].filter((f) => dir === '' || f.startsWith(`${dir}/`)).sort(byPath),
    dvcfiles: () =>
      [...oids.keys()]
        .filter((f) => (f === DVCFILE || f.endsWith(`/${DVCFILE}`)) && !/^\.(dvc|git)\//.test(f))
        .sort(byPath),
  };
}

function byPath(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
