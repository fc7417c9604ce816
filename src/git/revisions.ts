/**
 * Reading git revisions without touching the working tree or the index: which commits a
 * `-a` / `-T` / `-A` / `--rev` selection names, which files a commit holds, and their contents.
 *
 * Every read is a fixed number of git processes whatever the number of files: one `ls-tree` per
 * revision to list, one `cat-file --batch` per call to read any number of blobs. Paths are posix and
 * relative to the top of the git tree (`ls-tree --full-tree`), even when `root` is a subdirectory;
 * `gitPrefix` says where `root` sits in that tree.
 */
import { spawnSync } from 'node:child_process';
import { TroveError } from '../errors.js';
import { runGit } from './git.js';

export interface RevisionSelection {
  /** Every local branch (`refs/heads`), as `dvc -a`. */
  allBranches?: boolean;
  /** Every tag, peeled to its commit (tags of trees or blobs are skipped), as `dvc -T`. */
  allTags?: boolean;
  /** Every commit reachable from HEAD, branches, tags and remote-tracking branches, as `dvc -A`. */
  allCommits?: boolean;
  /** Anything git accepts as a commit: sha, branch, tag, `HEAD~2`, `main@{1}`. */
  revs?: string[];
}

/** Revisions the user named that git does not know (or that are not commits). */
export class BadRevisionError extends TroveError {
  readonly revs: string[];
  constructor(revs: string[]) {
    const names = revs.map((r) => `'${r}'`).join(', ');
    super('BAD_REVISION', `unknown git revision${revs.length > 1 ? 's' : ''} ${names}`, {
      hint: 'use a commit sha, a branch or tag name, or an expression such as HEAD~2 (`git rev-parse --verify <rev>` checks one)',
    });
    this.revs = revs;
  }
}

/** One blob in a revision's tree. */
export interface TreeEntry {
  /** Posix path from the top of the git tree. */
  path: string;
  /** Git file mode: '100644', '100755' or '120000' (a symbolic link; the blob holds its target). */
  mode: string;
  /** The blob's object id. */
  oid: string;
  /** The blob's size in bytes, when listed with `long`. */
  size?: number;
}

const MAX_OUTPUT = 1024 * 1024 * 1024;

/** Runs git for its raw output (file contents and `-z` listings are bytes, not text). */
function gitBytes(cwd: string, args: string[], input?: Buffer): { status: number | null; stdout: Buffer; stderr: string } {
  const r = spawnSync('git', args, { cwd, input, maxBuffer: MAX_OUTPUT });
  if (r.error) {
    throw new TroveError('GIT_FAILED', `cannot run git: ${r.error.message}`, { hint: 'install git, or use --no-scm', cause: r.error });
  }
  return { status: r.status, stdout: r.stdout, stderr: r.stderr.toString('utf8').trim() };
}

function failed(args: string[], stderr: string): TroveError {
  return new TroveError('GIT_FAILED', `git ${args[0]} failed: ${stderr}`);
}

function lines(text: string): string[] {
  return text.split('\n').filter((l) => l !== '');
}

/**
 * The commits a selection names, as full shas, each once: first the `revs` in the order given,
 * then branches (by ref name), tags (by ref name), then every commit (`git rev-list` order). A
 * repository without commits yields [] for the flags; an unknown rev throws BadRevisionError naming
 * every unknown one. The workspace is not a revision: callers add it themselves.
 */
export function resolveRevisions(root: string, sel: RevisionSelection): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  const add = (shas: Iterable<string>) => {
    for (const s of shas) {
      if (!seen.has(s)) {
        seen.add(s);
        out.push(s);
      }
    }
  };
  if (sel.revs && sel.revs.length > 0) add(resolveCommits(root, sel.revs));
  if (sel.allBranches || sel.allTags) {
    const refs = [...(sel.allBranches ? ['--branches'] : []), ...(sel.allTags ? ['--tags'] : [])];
    // --no-walk: the commits the refs point at, peeled through (nested) annotated tags, in ref order.
    add(lines(runGit(root, ['rev-list', '--no-walk=unsorted', ...refs])));
  }
  if (sel.allCommits) {
    // --ignore-missing: HEAD may be unborn (no commits yet, or a new orphan branch).
    add(lines(runGit(root, ['rev-list', '--ignore-missing', 'HEAD', '--branches', '--tags', '--remotes'])));
  }
  return out;
}

/** The checked-out branch's short name; undefined on a detached HEAD or without git. */
export function activeBranch(root: string): string | undefined {
  const r = gitBytes(root, ['symbolic-ref', '--quiet', '--short', 'HEAD']);
  return r.status === 0 ? r.stdout.toString('utf8').trim() || undefined : undefined;
}

/** A commit a selection names, with the names DVC shows for it. */
export interface NamedRevision {
  sha: string;
  /**
   * The names that led to this commit, comma-joined as DVC's brancher joins them: `main`,
   * `main,v1` (a branch and a tag on one commit), `HEAD~1` as typed, or the sha itself for `-A`.
   */
  name: string;
}

/**
 * The commits of a selection as DVC's brancher walks them: `revs` as typed, then (with
 * `allCommits`) every commit, else branches then tags, by ref name; names of one commit grouped
 * under its first position. Tags that do not point at a commit are skipped.
 */
export function namedRevisions(root: string, sel: RevisionSelection): NamedRevision[] {
  const names: string[] = [...(sel.revs ?? [])];
  const shas: string[] = sel.revs && sel.revs.length > 0 ? resolveCommits(root, sel.revs) : [];
  if (sel.allCommits) {
    const all = lines(runGit(root, ['rev-list', '--ignore-missing', 'HEAD', '--branches', '--tags', '--remotes']));
    names.push(...all);
    shas.push(...all);
  } else {
    const prefixes = [...(sel.allBranches ? ['refs/heads/'] : []), ...(sel.allTags ? ['refs/tags/'] : [])];
    for (const prefix of prefixes) {
      const refs = lines(runGit(root, ['for-each-ref', '--format=%(refname)', prefix]));
      const found = batchCheck(root, refs.map((r) => `${r}^{commit}`));
      for (const r of refs) {
        const sha = found.get(`${r}^{commit}`);
        if (!sha) continue;
        names.push(r.slice(prefix.length));
        shas.push(sha);
      }
    }
  }
  const bySha = new Map<string, string[]>();
  shas.forEach((sha, i) => {
    const group = bySha.get(sha);
    if (group) group.push(names[i]!);
    else bySha.set(sha, [names[i]!]);
  });
  return [...bySha].map(([sha, group]) => ({ sha, name: group.join(',') }));
}

/** Whether HEAD names a commit (false in a repository without commits, or on an unborn branch). */
export function hasHead(root: string): boolean {
  return batchCheck(root, ['HEAD^{commit}']).size > 0;
}

/**
 * Resolves revisions to commit shas, in order (duplicates resolve to the same sha), with one
 * `cat-file --batch-check`. A name that only exists on a remote (`feature` for `origin/feature`)
 * resolves when exactly one remote has it, as DVC does.
 */
function resolveCommits(root: string, revs: string[]): string[] {
  const usable = (r: string) => r !== '' && !r.includes('\n') && !r.includes('\0');
  const found = batchCheck(root, revs.filter(usable).map((r) => `${r}^{commit}`));
  const shaOf = new Map<string, string>();
  for (const r of revs) {
    const sha = usable(r) ? found.get(`${r}^{commit}`) : undefined;
    if (sha) shaOf.set(r, sha);
  }
  const unknown = [...new Set(revs.filter((r) => !shaOf.has(r)))];
  if (unknown.length > 0) {
    const remotes = lines(runGit(root, ['remote']));
    const tries = unknown.filter(usable).flatMap((r) => remotes.map((remote) => `refs/remotes/${remote}/${r}^{commit}`));
    const viaRemote = tries.length > 0 ? batchCheck(root, tries) : new Map<string, string>();
    for (const r of unknown.filter(usable)) {
      const shas = new Set(remotes.map((remote) => viaRemote.get(`refs/remotes/${remote}/${r}^{commit}`)).filter((s) => s !== undefined));
      if (shas.size === 1) shaOf.set(r, [...shas][0]!);
    }
  }
  const bad = [...new Set(revs.filter((r) => !shaOf.has(r)))];
  if (bad.length > 0) throw new BadRevisionError(bad);
  return revs.map((r) => shaOf.get(r)!);
}

/** `git cat-file --batch-check` for object names (one per line): name -> oid, for the ones that exist. */
function batchCheck(root: string, names: string[]): Map<string, string> {
  const result = new Map<string, string>();
  if (names.length === 0) return result;
  const args = ['cat-file', '--batch-check=%(objectname)'];
  const r = gitBytes(root, args, Buffer.from(`${names.join('\n')}\n`, 'utf8'));
  if (r.status !== 0) throw failed(args, r.stderr);
  const replies = r.stdout.toString('utf8').split('\n');
  names.forEach((name, i) => {
    const reply = replies[i] ?? '';
    // A known object prints its id; an unknown one prints `<name> missing` (or `ambiguous`).
    if (/^[0-9a-f]{40}([0-9a-f]{24})?$/.test(reply)) result.set(name, reply);
  });
  return result;
}

/** Throws BadRevisionError when git could not find `rev`, GIT_FAILED for anything else. */
function revisionFailure(rev: string, args: string[], stderr: string): TroveError {
  if (/not a valid object name|not a tree object|bad revision|unknown revision/i.test(stderr)) return new BadRevisionError([rev]);
  return failed(args, stderr);
}

/**
 * Every blob in the tree of `rev` whose path passes `filter`, in git's order (sorted by path
 * bytes). Submodules (gitlinks) are not blobs and never listed.
 */
export function listTreeAt(root: string, rev: string, filter: (path: string) => boolean = () => true, opts: { long?: boolean } = {}): TreeEntry[] {
  if (rev === '' || rev.includes('\0')) throw new BadRevisionError([rev]);
  const args = ['ls-tree', '-r', '-z', '--full-tree', ...(opts.long ? ['--long'] : []), '--end-of-options', rev];
  const r = gitBytes(root, args);
  if (r.status !== 0) throw revisionFailure(rev, args, r.stderr);
  const entries: TreeEntry[] = [];
  const buf = r.stdout;
  let pos = 0;
  while (pos < buf.length) {
    let end = buf.indexOf(0, pos);
    if (end === -1) end = buf.length;
    // `<mode> SP <type> SP <oid> [SP+ <size>] TAB <path>`, the path verbatim (no quoting with -z).
    const tab = buf.indexOf(9, pos);
    if (tab === -1 || tab > end) throw new TroveError('GIT_FAILED', `git ls-tree printed an entry trove cannot read: ${buf.subarray(pos, end).toString('utf8')}`);
    const [mode, type, oid, size] = buf.toString('latin1', pos, tab).split(/ +/);
    const path = buf.toString('utf8', tab + 1, end);
    pos = end + 1;
    if (type !== 'blob' || !mode || !oid) continue;
    if (filter(path)) entries.push(opts.long && size !== undefined ? { path, mode, oid, size: Number(size) } : { path, mode, oid });
  }
  return entries;
}

/** The paths of the files (blobs) at `rev` that pass `filter`, sorted as git sorts them. */
export function listFilesAt(root: string, rev: string, filter: (path: string) => boolean = () => true): string[] {
  return listTreeAt(root, rev, filter).map((e) => e.path);
}

export interface GitObject {
  oid: string;
  type: string;
  data: Buffer;
}

/**
 * Feeds object names to one `git cat-file --batch` and returns each object, in the order asked
 * (undefined for a name that is missing or ambiguous). Names holding a newline are sent
 * NUL-terminated (`-z`, git >= 2.38); others line by line, which any git reads.
 */
export function catFileBatch(root: string, names: string[]): (GitObject | undefined)[] {
  if (names.length === 0) return [];
  const z = names.some((n) => n.includes('\n'));
  const args = ['cat-file', '--batch', '--buffer', ...(z ? ['-z'] : [])];
  const sep = z ? '\0' : '\n';
  const r = gitBytes(root, args, Buffer.from(names.join(sep) + sep, 'utf8'));
  if (r.status !== 0) throw failed(args, r.stderr);
  const out = r.stdout;
  const objects: (GitObject | undefined)[] = [];
  let pos = 0;
  for (const name of names) {
    // Not found: `<name> missing\n` (or `ambiguous`), echoing the name verbatim, newlines and all.
    const notFound = ['missing', 'ambiguous'].map((w) => Buffer.from(`${name} ${w}\n`, 'utf8')).find((b) => out.subarray(pos, pos + b.length).equals(b));
    if (notFound) {
      objects.push(undefined);
      pos += notFound.length;
      continue;
    }
    // Found: `<oid> SP <type> SP <size> LF <contents> LF`.
    const nl = out.indexOf(10, pos);
    const header = nl === -1 ? '' : out.toString('latin1', pos, nl);
    const m = /^([0-9a-f]{40}(?:[0-9a-f]{24})?) (\S+) (\d+)$/.exec(header);
    const size = m ? Number(m[3]) : NaN;
    if (!m || out.length < nl + 1 + size + 1 || out[nl + 1 + size] !== 10) {
      throw new TroveError('GIT_FAILED', `git cat-file answered '${name}' with output trove cannot read: ${out.toString('utf8', pos, Math.min(out.length, pos + 80))}`);
    }
    objects.push({ oid: m[1]!, type: m[2]!, data: out.subarray(nl + 1, nl + 1 + size) });
    pos = nl + 1 + size + 1;
  }
  return objects;
}

/**
 * From this many paths on, `readBlobBuffersAt` lists the tree and reads blobs by id: git resolves
 * each `rev:path` name from the commit down, which costs ~20x more than reading the blob itself.
 */
const LIST_THEN_READ = 32;

/**
 * The bytes of the files `paths` (from the top of the tree, as `listFilesAt` gives them) at `rev`,
 * read with one `cat-file` process (plus one `ls-tree` for many paths). Paths that are not files
 * at `rev` (absent, directories, submodules) are left out; a bad `rev` throws BadRevisionError.
 */
export function readBlobBuffersAt(root: string, rev: string, paths: Iterable<string>): Map<string, Buffer> {
  const unique = [...new Set(paths)];
  const result = new Map<string, Buffer>();
  if (unique.length >= LIST_THEN_READ) {
    const wanted = new Set(unique);
    const entries = listTreeAt(root, rev, (p) => wanted.has(p));
    const blobs = readBlobsById(root, entries.map((e) => e.oid));
    for (const e of entries) {
      const b = blobs.get(e.oid);
      if (b) result.set(e.path, b);
    }
    return result;
  }
  if (rev === '' || /[\n\0]/.test(rev)) throw new BadRevisionError([rev]);
  // The first name tells a bad revision from absent files.
  const [tree, ...objects] = catFileBatch(root, [`${rev}^{tree}`, ...unique.map((p) => `${rev}:${p}`)]);
  if (!tree) throw new BadRevisionError([rev]);
  unique.forEach((p, i) => {
    const o = objects[i];
    if (o?.type === 'blob') result.set(p, o.data);
  });
  return result;
}

/** The contents (UTF-8) of the files `paths` at `rev`; see readBlobBuffersAt. */
export function readBlobsAt(root: string, rev: string, paths: Iterable<string>): Map<string, string> {
  const result = new Map<string, string>();
  for (const [p, b] of readBlobBuffersAt(root, rev, paths)) result.set(p, b.toString('utf8'));
  return result;
}

/** The bytes of blobs by object id (as `listTreeAt` gives them), read with one git process. */
export function readBlobsById(root: string, oids: Iterable<string>): Map<string, Buffer> {
  const unique = [...new Set(oids)];
  const objects = catFileBatch(root, unique);
  const result = new Map<string, Buffer>();
  unique.forEach((oid, i) => {
    const o = objects[i];
    if (o?.type === 'blob') result.set(oid, o.data);
  });
  return result;
}

/** One file's contents (UTF-8) at `rev`, or undefined when it does not exist there. */
export function showFileAt(root: string, rev: string, path: string): string | undefined {
  return readBlobsAt(root, rev, [path]).get(path);
}

const prefixes = new Map<string, string>();

/** Where `root` sits in its git tree: '' at the top, else a posix path ending in '/' (`sub/dir/`). */
export function gitPrefix(root: string): string {
  let p = prefixes.get(root);
  if (p === undefined) {
    p = runGit(root, ['rev-parse', '--show-prefix']).replace(/\n$/, '');
    prefixes.set(root, p);
  }
  return p;
}
