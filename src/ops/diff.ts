/**
 * `trove diff [a_rev] [b_rev]`, as DVC 3's `dvc diff`: the tracked data that was added, deleted,
 * modified or renamed between two versions of the repository, down to the files inside tracked
 * directories. A version is a git revision (read through git, never checked out) or the workspace.
 *
 * DVC's rules (dvc/repo/diff.py over dvc_data's index diff):
 * - every cached output is an entry (a directory output as `dir/`, with its `.dir` hash), and so is
 *   every file inside a directory output; `cache: false` outputs are not data, and are left out;
 * - an entry is modified when its hash, or whether it is a directory, differs;
 * - an added entry whose hash equals a deleted one's is a rename: additions in path order each
 *   take the first deletion (in path order) of the same hash;
 * - only when the new side is the workspace by default, each change whose old object is absent
 *   from the cache is also listed as "not in cache".
 * A directory whose manifest is neither in the cache nor on the default remote is compared as a
 * whole: its files are left out, with a warning (DVC would list them all as added or deleted).
 */
import fs from 'node:fs';
import { TroveError } from '../errors.js';
import { BadRevisionError, hasHead, namedRevisions } from '../git/revisions.js';
import type { HashKind } from '../hash/md5.js';
import { listRevisionTree, readRevisionTrees, type RevisionTree } from '../repo/revision-files.js';
import type { Repo } from '../repo/repo.js';
import { diffTreeTexts, parseTree, sortTreeEntries, type TreeChange, type TreeEntry } from '../objects/tree.js';
import { compareCodePoints } from '../util/py-json.js';
import type { OpIo } from './io.js';
import {
  declaredWorkspaceOutputs,
  hashWorkspaceOutputs,
  isDirOutput,
  repoGitPrefix,
  revisionOutputs,
  type DeclaredOutput,
  type VersionOutput,
} from './version-outputs.js';

export const WORKSPACE = 'workspace';

export interface DiffOptions {
  /** The old version: `HEAD` by default. */
  aRev?: string;
  /** The new version: the workspace by default (then "not in cache" is reported too). */
  bRev?: string;
  /** Outputs, paths inside them, pointer files, dvc.yaml files or stages (relative to the current directory). */
  targets?: string[];
  /** Give each changed file's size in bytes (for `--stat`). */
  sizes?: boolean;
}

/** A path as DVC shows it: repo-relative, a directory output ending in '/'. */
export interface DiffFile {
  path: string;
  hash: string;
  /** The top-level output the path belongs to, as shown (`images/`, `model.bin`). */
  output: string;
  /** Bytes, with `sizes`; undefined when neither the record nor the cache knows. */
  size?: number;
  isDir: boolean;
}

export interface DiffModified {
  path: string;
  old: string;
  new: string;
  output: string;
  oldSize?: number;
  newSize?: number;
  isDir: boolean;
}

export interface DiffRenamed {
  old: string;
  new: string;
  hash: string;
  output: string;
  size?: number;
  isDir: boolean;
}

export interface DiffResult {
  aRev: string;
  bRev: string;
  /** The repository has no commits yet: nothing was compared (DVC prints nothing then). */
  noCommits: boolean;
  /** Each list sorted by path (renames by old path), in code-point order. */
  added: DiffFile[];
  deleted: DiffFile[];
  modified: DiffModified[];
  renamed: DiffRenamed[];
  /** Only when the new side is the workspace by default, as DVC reports it. */
  notInCache?: DiffFile[];
}

/** One entry of a version: an output, or a file inside a directory output. */
interface Entry {
  hash: string;
  kind: HashKind;
  isDir: boolean;
  output: VersionOutput;
  /** The path inside the output; '' for the output itself. */
  inner: string;
  size?: number;
}

interface Side {
  /** `workspace`, or the revision as the user named it. */
  name: string;
  outputs: VersionOutput[];
}

export async function diff(repo: Repo, opts: DiffOptions, io: OpIo): Promise<DiffResult> {
  const aRev = opts.aRev ?? 'HEAD';
  const bRev = opts.bRev ?? WORKSPACE;
  const withMissing = opts.bRev === undefined;
  const empty: DiffResult = { aRev, bRev, noCommits: false, added: [], deleted: [], modified: [], renamed: [], ...(withMissing ? { notInCache: [] } : {}) };
  if (!repo.scm) {
    throw new TroveError('NO_SCM', 'diff compares git revisions, and this repository has no git (it was initialised with --no-scm)', {
      hint: '`trove status` shows what changed in the workspace since the last `trove add` or `trove commit`',
    });
  }
  let trees: Map<string, RevisionTree>;
  try {
    trees = listTrees(repo, [aRev, bRev].filter((n) => n !== WORKSPACE));
  } catch (e) {
    if (e instanceof BadRevisionError && !hasHead(repo.root)) return { ...empty, noCommits: true };
    throw e;
  }
  const blobs = new Map<string, string>();
  readRevisionTrees(repo.root, [...trees.values()], blobs);

  // The workspace is hashed after targets are known, so that only what they name is hashed.
  const declared = aRev === WORKSPACE || bRev === WORKSPACE ? await declaredWorkspaceOutputs(repo) : [];
  const sides: Side[] = [];
  for (const name of [aRev, bRev]) sides.push({ name, outputs: name === WORKSPACE ? [] : await revisionOutputs(repo, trees.get(name)!, blobs) });

  const roots = opts.targets && opts.targets.length > 0 ? targetRoots(repo, opts.targets, sides, declared) : undefined;
  const relevant = (p: string) => !roots || roots.some((r) => r === p || r.startsWith(`${p}/`) || p.startsWith(`${r}/`));
  for (const side of sides) {
    if (side.name === WORKSPACE) side.outputs = await hashWorkspaceOutputs(repo, declared.filter((d) => relevant(d.out.repoPath)), io);
  }
  const [a, b] = sides as [Side, Side];

  const files = await directoryFiles(repo, a, b, relevant, io);
  const inRoots = (p: string) => !roots || roots.some((r) => p === r || p.startsWith(`${r}/`));
  const { old, neu, modified } = changes(a, b, files, inRoots);
  let added = [...neu.keys()].filter((p) => !old.has(p));
  let deleted = [...old.keys()].filter((p) => !neu.has(p));

  // Renames, as dvc_data pairs them: each addition, in key order, takes the first deletion in key
  // order with the same hash (name and value).
  added = sortKeys(added);
  deleted = sortKeys(deleted);
  const byHash = new Map<string, string[]>();
  for (const p of deleted) {
    const id = identity(old.get(p)!);
    const q = byHash.get(id);
    if (q) q.push(p);
    else byHash.set(id, [p]);
  }
  const renamed: [string, string][] = [];
  const addedLeft: string[] = [];
  for (const p of added) {
    const q = byHash.get(identity(neu.get(p)!));
    if (q && q.length > 0) renamed.push([q.shift()!, p]);
    else addedLeft.push(p);
  }
  const renamedFrom = new Set(renamed.map(([from]) => from));
  added = addedLeft;
  deleted = deleted.filter((p) => !renamedFrom.has(p));

  const sizeOf = opts.sizes ? (e: Entry) => sizeOfEntry(repo, e) : () => undefined;
  const result: DiffResult = {
    ...empty,
    added: added.map((p) => file(p, neu.get(p)!, sizeOf)),
    deleted: deleted.map((p) => file(p, old.get(p)!, sizeOf)),
    modified: modified.map((p) => {
      const o = old.get(p)!;
      const n = neu.get(p)!;
      return { path: shown(p, o), old: o.hash, new: n.hash, output: outputShown(n), oldSize: sizeOf(o), newSize: sizeOf(n), isDir: o.isDir };
    }),
    renamed: renamed.map(([from, to]) => {
      const o = old.get(from)!;
      const n = neu.get(to)!;
      return { old: shown(from, o), new: shown(to, n), hash: o.hash, output: outputShown(n), size: sizeOf(n), isDir: o.isDir };
    }),
  };
  if (withMissing) {
    const changedOld = [...deleted, ...modified, ...renamed.map(([from]) => from)];
    const absent = absentFromCache(repo, changedOld.map((p) => old.get(p)!));
    result.notInCache = changedOld.filter((p) => absent.has(identity(old.get(p)!))).map((p) => file(p, old.get(p)!, () => undefined));
  }
  const byPath = (x: { path: string }, y: { path: string }) => compareCodePoints(x.path, y.path);
  result.added.sort(byPath);
  result.deleted.sort(byPath);
  result.modified.sort(byPath);
  result.renamed.sort((x, y) => compareCodePoints(x.old, y.old));
  result.notInCache?.sort(byPath);
  return result;
}

/**
 * Lists each revision's tree (one `git ls-tree` each). A name git cannot list directly is resolved
 * first, which also finds a branch that only a remote has, and names every unknown revision.
 */
function listTrees(repo: Repo, names: string[]): Map<string, RevisionTree> {
  const prefix = repoGitPrefix(repo);
  const trees = new Map<string, RevisionTree>();
  for (const name of names) {
    if (trees.has(name)) continue;
    const list = (rev: string) => ({ ...listRevisionTree(repo.root, rev, { prefix, pipeline: true }), rev: name });
    if (name.includes(':')) {
      trees.set(name, list(namedRevisions(repo.root, { revs: [name] })[0]!.sha));
      continue;
    }
    try {
      trees.set(name, list(name));
    } catch (e) {
      if (!(e instanceof BadRevisionError)) throw e;
      trees.set(name, list(namedRevisions(repo.root, { revs: [name] })[0]!.sha));
    }
  }
  return trees;
}

/** The paths each target names (an output, a path inside one, a pointer file, a dvc.yaml, a stage). */
function targetRoots(repo: Repo, targets: readonly string[], sides: readonly Side[], declared: readonly DeclaredOutput[]): string[] {
  const roots = new Set<string>();
  for (const target of targets) {
    const repoPath = repo.toRepoPath(target);
    let found = false;
    for (const side of sides) {
      const outputs: Pick<VersionOutput, 'path' | 'pointerFile' | 'stage'>[] =
        side.name === WORKSPACE ? declared.map((d) => ({ path: d.out.repoPath, pointerFile: d.pointerFile, stage: d.stage })) : side.outputs;
      const named = rootsNamed(outputs, target, repoPath);
      if (named.length > 0) found = true;
      for (const r of named) roots.add(r);
    }
    if (!found) {
      const where = [...new Set(sides.map((s) => (s.name === WORKSPACE ? 'the workspace' : s.name)))].join(' or in ');
      throw new TroveError('NOT_TRACKED', `'${target}' is not tracked in ${where}`, {
        hint: 'name a tracked output, a path inside a tracked directory, a .dvc file, a dvc.yaml or a stage',
      });
    }
  }
  return [...roots];
}

function rootsNamed(outputs: readonly Pick<VersionOutput, 'path' | 'pointerFile' | 'stage'>[], target: string, p: string): string[] {
  if (outputs.some((o) => o.path === p || p.startsWith(`${o.path}/`))) return [p];
  const isStage = (s: { dvcfile: string; name: string } | undefined) =>
    s !== undefined && (s.dvcfile === p || `${s.dvcfile}:${s.name}` === p || (s.dvcfile === 'dvc.yaml' && (s.name === target || s.name === p)));
  return outputs.filter((o) => o.pointerFile === p || isStage(o.stage) || o.path.startsWith(`${p}/`)).map((o) => o.path);
}

/** A directory's files as one side knows them: the text of its manifest, or the workspace's entries. */
type Files = { text: string } | { entries: readonly TreeEntry[] };

interface DirectoryFiles {
  /** The files of each side's directory outputs that need comparing. */
  of(side: Side): (o: VersionOutput) => Files | undefined;
  /** Output paths whose files one side could not list. */
  unknown: Set<string>;
}

/**
 * The files of the directory outputs that differ between the sides (an output with the same hash
 * on both sides holds the same files). A revision's come from its `.dir` manifest in the cache;
 * manifests the cache lacks are fetched from the default remote first.
 */
async function directoryFiles(repo: Repo, a: Side, b: Side, relevant: (p: string) => boolean, io: OpIo): Promise<DirectoryFiles> {
  const sameIn = (other: Side) => {
    const m = new Map(other.outputs.map((o) => [o.path, o]));
    return (o: VersionOutput) => {
      const x = m.get(o.path);
      return x !== undefined && x.hash === o.hash && x.kind === o.kind;
    };
  };
  const wanted = new Map<Side, VersionOutput[]>();
  for (const [side, other] of [[a, b], [b, a]] as const) {
    const same = sameIn(other);
    wanted.set(side, side.outputs.filter((o) => isDirOutput(o) && relevant(o.path) && !same(o)));
  }
  const missing: { side: Side; output: VersionOutput }[] = [];
  for (const [side, outs] of wanted) for (const o of outs) if (!o.files && !repo.cache.has(o.hash, o.kind)) missing.push({ side, output: o });
  const reasons = missing.length > 0 ? await fetchMissingManifests(repo, missing.map((m) => m.output), io) : new Map<string, string>();
  const unknown = new Set<string>();
  for (const { side, output } of missing) {
    if (repo.cache.has(output.hash, output.kind)) continue;
    unknown.add(output.path);
    const reason = reasons.get(output.hash) ?? 'it could not be read';
    io.reporter.warn(`the files of '${output.path}/' at ${side.name} are not compared: its directory object ${output.hash} is not in the cache, and ${reason}`);
  }
  return {
    of(side) {
      const outs = new Set(wanted.get(side));
      return (o) => {
        if (!outs.has(o) || unknown.has(o.path)) return undefined;
        if (o.files) return { entries: o.files };
        const text = repo.cache.readTreeText(o.hash, o.kind);
        return text === undefined ? undefined : { text };
      };
    },
    unknown,
  };
}

/** Fetches the manifests from the default remote; for each one still missing, why (by oid). */
async function fetchMissingManifests(repo: Repo, outputs: VersionOutput[], io: OpIo): Promise<Map<string, string>> {
  const reasons = new Map<string, string>();
  for (const o of outputs) if (o.kind !== 'md5') reasons.set(o.hash, 'DVC 2 (md5-dos2unix) objects are not fetched by trove');
  const refs = outputs.filter((o) => o.kind === 'md5').map((o) => ({ path: o.path, md5: o.hash }));
  if (refs.length === 0) return reasons;
  try {
    const [{ withRemote, jobsFor }, { fetchManifests }, { oidOf }] = await Promise.all([import('./remote-session.js'), import('./fetch.js'), import('../remote/keys.js')]);
    repo.lock('diff');
    const r = await withRemote(repo, undefined, (remote) => fetchManifests(repo.cache, remote, refs, jobsFor(remote, undefined), io));
    if (r.fetched > 0) io.reporter.info(`Fetched ${r.fetched} director${r.fetched === 1 ? 'y manifest' : 'y manifests'} from remote '${r.remote}'`);
    for (const m of r.missing) reasons.set(m.md5, `remote '${r.remote}' does not have it either`);
    for (const f of r.failed) reasons.set(oidOf(f.key), `fetching it from remote '${r.remote}' failed: ${f.error.message}`);
  } catch (e) {
    if (!(e instanceof TroveError)) throw e;
    const why = e.code === 'NO_REMOTE' ? 'no default remote is set to fetch it from' : `it could not be fetched: ${e.message.split('\n')[0]}`;
    for (const r of refs) if (!reasons.has(r.md5)) reasons.set(r.md5, why);
  }
  return reasons;
}

/**
 * The entries that differ between the sides: `old` and `neu` hold the changed entries of each side
 * by path (modified ones in both), `modified` lists the paths present on both sides. Outputs with
 * the same hash on both sides are skipped whole; the files of two versions of a directory are
 * compared by merging their sorted lists, so unchanged files cost one string comparison each.
 */
function changes(a: Side, b: Side, files: DirectoryFiles, inRoots: (p: string) => boolean): { old: Map<string, Entry>; neu: Map<string, Entry>; modified: string[] } {
  const old = new Map<string, Entry>();
  const neu = new Map<string, Entry>();
  const aOut = new Map(a.outputs.map((o) => [o.path, o]));
  const bOut = new Map(b.outputs.map((o) => [o.path, o]));
  const [aFiles, bFiles] = [files.of(a), files.of(b)];
  const keep = (m: Map<string, Entry>, p: string, o: VersionOutput, inner: string, hash: string) => {
    if (!inRoots(p)) return;
    const isDir = inner === '' && isDirOutput(o);
    const size = inner === '' ? o.size : o.fileSize?.(inner);
    m.set(p, { hash, kind: o.kind, isDir, output: o, inner, size });
  };
  for (const p of new Set([...aOut.keys(), ...bOut.keys()])) {
    const oa = aOut.get(p);
    const ob = bOut.get(p);
    if (oa && ob && oa.hash === ob.hash && oa.kind === ob.kind) continue;
    if (oa) keep(old, p, oa, '', oa.hash);
    if (ob) keep(neu, p, ob, '', ob.hash);
    if (files.unknown.has(p)) continue;
    const fa = oa && aFiles(oa);
    const fb = ob && bFiles(ob);
    // DVC 2 (md5-dos2unix) against DVC 3 (md5) hashes: every file differs, even with the same value.
    const sameKind = !oa || !ob || oa.kind === ob.kind;
    for (const c of fileChanges(fa, fb, `${p}/`, !sameKind)) {
      if (c.a !== undefined) keep(old, `${p}/${c.relpath}`, oa!, c.relpath, c.a);
      if (c.b !== undefined) keep(neu, `${p}/${c.relpath}`, ob!, c.relpath, c.b);
    }
  }
  // Outputs that overlap across the sides (a directory on one, a file inside it on the other)
  // put one path on both sides: unchanged when the entries agree.
  const modified: string[] = [];
  for (const [p, o] of old) {
    const n = neu.get(p);
    if (!n) continue;
    if (n.hash === o.hash && n.kind === o.kind && n.isDir === o.isDir) {
      old.delete(p);
      neu.delete(p);
    } else modified.push(p);
  }
  return { old, neu, modified };
}

/**
 * The files that differ between two versions of a directory (or all of one side's, when the other
 * has none), with their md5 on each side; with `keepEqual`, the files on both sides too. Two
 * manifests are compared by their text; anything else by merging the relpath-sorted entry lists.
 */
function fileChanges(a: Files | undefined, b: Files | undefined, where: string, keepEqual: boolean): TreeChange[] {
  if (a && b && 'text' in a && 'text' in b && !keepEqual) {
    const fast = diffTreeTexts(a.text, b.text);
    if (fast) return fast;
  }
  const entries = (f: Files | undefined) => (!f ? [] : 'entries' in f ? f.entries : parseTree(f.text, where));
  const [xs, ys] = [sorted(entries(a)), sorted(entries(b))];
  const out: TreeChange[] = [];
  let i = 0;
  let j = 0;
  while (i < xs.length || j < ys.length) {
    const x = xs[i];
    const y = ys[j];
    const c = x === undefined ? 1 : y === undefined ? -1 : x.relpath === y.relpath ? 0 : compareCodePoints(x.relpath, y.relpath);
    if (c === 0) {
      if (keepEqual || x!.md5 !== y!.md5) out.push({ relpath: x!.relpath, a: x!.md5, b: y!.md5 });
      i++;
      j++;
    } else if (c < 0) {
      out.push({ relpath: x!.relpath, a: x!.md5, b: undefined });
      i++;
    } else {
      out.push({ relpath: y!.relpath, a: undefined, b: y!.md5 });
      j++;
    }
  }
  return out;
}

function sorted(entries: readonly TreeEntry[]): readonly TreeEntry[] {
  return isSorted(entries) ? entries : sortTreeEntries([...entries]);
}

function isSorted(entries: readonly TreeEntry[]): boolean {
  for (let i = 1; i < entries.length; i++) if (compareCodePoints(entries[i - 1]!.relpath, entries[i]!.relpath) > 0) return false;
  return true;
}

/** What a rename must keep: the hash's name and value. */
function identity(e: Entry): string {
  return `${e.kind}:${e.hash}`;
}

/** Sorted in dvc_data's key order: paths compared part by part (`a/b` before `a-b`), parts by code point. */
function sortKeys(paths: readonly string[]): string[] {
  const keyed = paths.map((p) => ({ p, parts: p.split('/') }));
  keyed.sort((x, y) => {
    const [a, b] = [x.parts, y.parts];
    for (let i = 0; i < Math.min(a.length, b.length); i++) {
      const c = compareCodePoints(a[i]!, b[i]!);
      if (c !== 0) return c;
    }
    return a.length - b.length;
  });
  return keyed.map((k) => k.p);
}

function shown(p: string, e: Entry): string {
  return e.isDir ? `${p}/` : p;
}

function outputShown(e: Entry): string {
  return isDirOutput(e.output) ? `${e.output.path}/` : e.output.path;
}

function file(p: string, e: Entry, sizeOf: (e: Entry) => number | undefined): DiffFile {
  return { path: shown(p, e), hash: e.hash, output: outputShown(e), size: sizeOf(e), isDir: e.isDir };
}

/** A file's size: known from the workspace or the record, else the cache object's. */
function sizeOfEntry(repo: Repo, e: Entry): number | undefined {
  if (e.isDir) return undefined;
  if (e.size !== undefined) return e.size;
  const p = repo.cache.locate(e.hash, e.kind);
  return p === undefined ? undefined : statSize(p);
}

function statSize(p: string): number | undefined {
  return fs.statSync(p, { throwIfNoEntry: false })?.size;
}

/** The entries whose object the cache lacks, by identity. */
function absentFromCache(repo: Repo, entries: readonly Entry[]): Set<string> {
  const absent = new Set<string>();
  const byKind = new Map<HashKind, Set<string>>();
  for (const e of entries) {
    const s = byKind.get(e.kind) ?? new Set<string>();
    s.add(e.hash);
    byKind.set(e.kind, s);
  }
  for (const [kind, oids] of byKind) {
    const present = repo.cache.presentSet(oids, kind);
    for (const oid of oids) if (!present.has(oid)) absent.add(`${kind}:${oid}`);
  }
  return absent;
}
