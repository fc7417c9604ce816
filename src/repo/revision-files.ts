/**
 * The pointer files and lock files of a git revision, read from git's object store: the working
 * tree and the index are never touched. What `push -a/-T/-A`, `gc -a/-T/-A` and `diff` read at
 * every revision they visit.
 *
 * Per revision this costs one `git ls-tree` and at most one `git cat-file --batch`, whatever the
 * number of files; with a shared `blobCache`, a file unchanged since a revision already read is not
 * read again (most `.dvc` files are the same blob across most commits).
 *
 * As in the workspace: `.dvc` files and `dvc.lock` files anywhere below the repository root, except
 * under `.dvc/` and `.git/`, skipping what the revision's own `.dvcignore` files ignore. Paths are
 * relative to the DVC root (which may be a subdirectory of the git tree). Symbolic links are not
 * followed: a link named `x.dvc` is not a pointer file.
 */
import { FileFormatError, MultiError, TroveError, throwCollected } from '../errors.js';
import { gitPrefix, listTreeAt, readBlobsById, type TreeEntry } from '../git/revisions.js';
import { listTreesAt } from '../git/tree-walk.js';
import { ignore } from '../util/lazy-ignore.js';
import { posixDirname } from '../util/posix-path.js';
import { DVCIGNORE } from './dvcignore.js';
import { parseLockedOutputs, type LockedOutput } from './lock-file.js';
import { PointerFile } from './pointer-file.js';
import { LOCK_FILE, isPointerFileName } from './pointer-files.js';

export interface RevisionReadOptions {
  /**
   * Malformed files. Without this callback the revision's malformed files throw, all of them at
   * once (a FileFormatError, or a MultiError listing each), named `<rev>:<path>:<line>`: the right
   * default for gc, which must not delete what an unreadable file might reference. With it, each
   * malformed file is reported here, with the same name, and skipped: push and diff can go on.
   */
  onInvalid?: (error: TroveError) => void;
  /**
   * Blob id -> contents, shared across calls (one Map for a whole `-A` walk), so that a file
   * unchanged between revisions is read from git once.
   */
  blobCache?: Map<string, string>;
}

export interface RevisionFiles {
  /** Every pointer file of the revision, sorted by path. */
  pointerFiles: PointerFile[];
  /** The outputs every `dvc.lock` of the revision records, lock files sorted by path. */
  lockedOutputs: LockedOutput[];
  /**
   * With `pipelineTexts`: the text of every `dvc.yaml` and `dvc.lock` of the revision, and of each
   * `params.yaml` beside a `dvc.yaml` (its default vars), by path; nothing is parsed.
   */
  pipelineTexts?: Map<string, string>;
}

/** The DVC files of one revision's tree, listed with one `git ls-tree` and not yet read. */
export interface RevisionTree {
  rev: string;
  /** Pointer files, lock files, dvc.yaml, params.yaml and .dvcignore files, sorted by path. */
  entries: Entry[];
}

const PIPELINE_FILES = new Set([LOCK_FILE, 'dvc.yaml', 'params.yaml']);

export interface ListRevisionOptions {
  /** Where the DVC root sits in the git tree (`gitPrefix`), when the caller knows it without asking git. */
  prefix?: string;
  /** List pointer files (default true). */
  pointers?: boolean;
  /** List lock files (default true). */
  locks?: boolean;
  /** List dvc.yaml and params.yaml files too. */
  pipeline?: boolean;
}

type Entry = TreeEntry & { rel: string };

/** Lists the DVC files of `rev`, with one `git ls-tree`; `.dvcignore` files always. */
export function listRevisionTree(root: string, rev: string, opts: ListRevisionOptions = {}): RevisionTree {
  const prefix = opts.prefix ?? gitPrefix(root);
  const pointers = opts.pointers ?? true;
  const locks = opts.locks ?? true;
  const wanted = (name: string) =>
    (pointers && isPointerFileName(name)) || (locks && name === LOCK_FILE) || (opts.pipeline === true && PIPELINE_FILES.has(name)) || name === DVCIGNORE;
  return { rev, entries: keepEntries(listTreeAt(root, rev, (p) => p.startsWith(prefix) && wanted(baseName(p))), prefix) };
}

/** Files below the DVC root `prefix`, outside its `.dvc/` and `.git/`, symbolic links left out, sorted. */
function keepEntries(listed: readonly TreeEntry[], prefix: string): Entry[] {
  const entries: Entry[] = [];
  for (const e of listed) {
    if (!e.path.startsWith(prefix)) continue;
    const rel = e.path.slice(prefix.length);
    const top = rel.split('/', 1)[0];
    if (top === '.dvc' || top === '.git' || e.mode === '120000') continue;
    entries.push({ ...e, rel });
  }
  // Sorted as the workspace's collectPointerFiles sorts (ls-tree's byte order differs beyond the BMP).
  return entries.sort((a, b) => (a.rel < b.rel ? -1 : a.rel > b.rel ? 1 : 0));
}

/** Reads the files of several listed revisions into `blobCache` with one `git cat-file`. */
export function readRevisionTrees(root: string, trees: readonly RevisionTree[], blobCache: Map<string, string>): void {
  const toRead = new Set<string>();
  for (const t of trees) for (const e of t.entries) if (!blobCache.has(e.oid)) toRead.add(e.oid);
  if (toRead.size > 0) for (const [oid, bytes] of readBlobsById(root, toRead)) blobCache.set(oid, bytes.toString('utf8'));
}

/**
 * `revisionFilesAt` for many revisions, yielded in order, for the cost of a few git processes
 * whatever their number: their trees are walked together (a directory that several revisions
 * share is read once, see tree-walk.ts), and one `cat-file` reads the blobs of all of them (those
 * not in `blobCache` already). A file that many revisions share is parsed once. What `gc -A` walks.
 */
export function* eachRevisionFiles(root: string, revs: readonly string[], opts: RevisionReadOptions = {}): Generator<[rev: string, files: RevisionFiles]> {
  const prefix = gitPrefix(root);
  const under = (dir: string) => {
    const rel = `${dir}/`.slice(prefix.length);
    const top = rel.split('/', 1)[0];
    return top !== '.dvc' && top !== '.git';
  };
  const listed = listTreesAt(root, revs, {
    descend: (dir) => prefix.startsWith(`${dir}/`) || (`${dir}/`.startsWith(prefix) && under(dir)),
    wantName: (name) => isPointerFileName(name) || name === LOCK_FILE || name === DVCIGNORE,
  });
  const trees = listed.map((entries, i) => ({ rev: revs[i]!, entries: keepEntries(entries, prefix) }));
  const cache = opts.blobCache ?? new Map<string, string>();
  readRevisionTrees(root, trees, cache);
  const parsed = new Map<string, PointerFile | LockedOutput[]>();
  for (const t of trees) yield [t.rev, parseRevisionTree(t, cache, opts, parsed)];
}

/** The pointer files and locked outputs of `rev`, with one listing and one batch read. */
export function revisionFilesAt(root: string, rev: string, opts: RevisionReadOptions = {}): RevisionFiles {
  return readRevision(root, rev, true, true, opts);
}

/** Every `.dvc` file at `rev`, parsed, sorted by path (relative to the DVC root `root`). */
export function pointerFilesAt(root: string, rev: string, opts: RevisionReadOptions = {}): PointerFile[] {
  return readRevision(root, rev, true, false, opts).pointerFiles;
}

/** The outputs recorded in every `dvc.lock` at `rev`, as `readLockedOutputs` gives them for the workspace. */
export function lockedOutputsAt(root: string, rev: string, opts: RevisionReadOptions = {}): LockedOutput[] {
  return readRevision(root, rev, false, true, opts).lockedOutputs;
}

/** `<rev>:<path>`, with a full sha shortened to 7 digits, as errors name a file at a revision. */
export function revisionLabel(rev: string, relPath: string): string {
  return `${/^[0-9a-f]{40}([0-9a-f]{24})?$/.test(rev) ? rev.slice(0, 7) : rev}:${relPath}`;
}

function baseName(p: string): string {
  return p.slice(p.lastIndexOf('/') + 1);
}

function readRevision(root: string, rev: string, wantPointers: boolean, wantLocks: boolean, opts: RevisionReadOptions): RevisionFiles {
  const tree = listRevisionTree(root, rev, { pointers: wantPointers, locks: wantLocks });
  const cache = opts.blobCache ?? new Map<string, string>();
  readRevisionTrees(root, [tree], cache);
  return parseRevisionTree(tree, cache, { ...opts, pointers: wantPointers, locks: wantLocks });
}

export interface ParseRevisionOptions extends RevisionReadOptions {
  /** Parse the pointer files (default true). */
  pointers?: boolean;
  /** Parse the lock files into `lockedOutputs` (default true). */
  locks?: boolean;
  /** Hand back the pipeline files unparsed, in `pipelineTexts`. */
  pipelineTexts?: boolean;
}

/**
 * Parses a listed revision whose files `readRevisionTrees` has put in `blobCache`. `parsed` (blob
 * and path -> result) lets a walk over many revisions parse a file that many of them share once.
 */
export function parseRevisionTree(
  tree: RevisionTree,
  blobCache: Map<string, string>,
  opts: ParseRevisionOptions = {},
  parsed?: Map<string, PointerFile | LockedOutput[]>,
): RevisionFiles {
  const { rev, entries } = tree;
  const wantPointers = opts.pointers ?? true;
  const wantLocks = opts.locks ?? true;
  const textOf = (e: TreeEntry) => blobCache.get(e.oid) ?? '';

  const ignores = new RevisionIgnore(entries.filter((e) => baseName(e.rel) === DVCIGNORE).map((e) => [posixDirname(e.rel), textOf(e)]));
  const problems: TroveError[] = [];
  const report = (e: unknown) => {
    if (!(e instanceof TroveError)) throw e;
    if (opts.onInvalid) opts.onInvalid(e);
    else problems.push(e);
  };

  const pointerFiles: PointerFile[] = [];
  const lockedOutputs: LockedOutput[] = [];
  const pipelineTexts = opts.pipelineTexts ? new Map<string, string>() : undefined;
  for (const e of entries) {
    const name = baseName(e.rel);
    if (name === DVCIGNORE || ignores.ignored(e.rel)) continue;
    const label = revisionLabel(rev, e.rel);
    if (PIPELINE_FILES.has(name)) pipelineTexts?.set(e.rel, textOf(e));
    const key = `${e.oid}\0${e.rel}`;
    const known = parsed?.get(key);
    if (wantPointers && isPointerFileName(name)) {
      try {
        const pf = (known as PointerFile | undefined) ?? PointerFile.parse(textOf(e), e.rel);
        parsed?.set(key, pf);
        pointerFiles.push(pf);
      } catch (err) {
        report(relabel(err, e.rel, label));
      }
    } else if (wantLocks && name === LOCK_FILE) {
      try {
        const outs = (known as LockedOutput[] | undefined) ?? parseLockedOutputs(textOf(e), e.rel, label);
        parsed?.set(key, outs);
        lockedOutputs.push(...outs);
      } catch (err) {
        report(err);
      }
    }
  }
  throwCollected(problems, 'FILE_FORMAT', (n) => `${n} malformed files at revision ${revisionLabel(rev, '').slice(0, -1)}`, 'fix the files in a new commit, or skip that revision');
  return pipelineTexts ? { pointerFiles, lockedOutputs, pipelineTexts } : { pointerFiles, lockedOutputs };
}

/** The same error, naming `label` (`rev:path`) where it named `relPath`. */
function relabel(e: unknown, relPath: string, label: string): unknown {
  if (e instanceof FileFormatError && e.file === relPath) {
    const head = `${relPath}${e.line ? `:${e.line}` : ''}: `;
    const detail = e.message.startsWith(head) ? e.message.slice(head.length) : e.message;
    return new FileFormatError(label, e.line, detail, e.hint);
  }
  if (e instanceof MultiError) {
    const errors = e.errors.map((x) => relabel(x, relPath, label) as TroveError);
    return new MultiError(e.code, `${label}: ${errors.length} problems`, errors, e.hint);
  }
  return e;
}

/**
 * A revision's `.dvcignore` rules, with the workspace's semantics (DvcIgnore): each file applies
 * below its directory, later matches override earlier ones, and an ignored directory ignores all
 * below it.
 */
export class RevisionIgnore {
  private readonly rules = new Map<string, ReturnType<typeof ignore>>();

  constructor(files: [dir: string, text: string][]) {
    for (const [dir, text] of files) {
      const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '' && !l.trim().startsWith('#'));
      if (lines.length > 0) this.rules.set(dir, ignore().add(lines));
    }
  }

  /** Whether the file `rel` (or a directory above it) is ignored. */
  ignored(rel: string): boolean {
    if (this.rules.size === 0) return false;
    const parts = rel.split('/');
    for (let i = 1; i <= parts.length; i++) {
      if (this.test(parts.slice(0, i), i < parts.length)) return true;
    }
    return false;
  }

  private test(parts: string[], isDir: boolean): boolean {
    let verdict = false;
    for (let i = 0; i < parts.length; i++) {
      const ig = this.rules.get(parts.slice(0, i).join('/'));
      if (!ig) continue;
      const r = ig.test(parts.slice(i).join('/') + (isDir ? '/' : ''));
      if (r.ignored) verdict = true;
      else if (r.unignored) verdict = false;
    }
    return verdict;
  }
}
