/**
 * What `metrics` and `params` share: the versions a command reads (DVC's brancher: the
 * workspace, then named revisions), the per-file results with their errors (DVC's
 * `{"data": ...}` / `{"error": ...}` shapes), and paths shown relative to where the user is.
 */
import fs from 'node:fs';
import path from 'node:path';
import { TroveError } from '../errors.js';
import { namedRevisions, type RevisionSelection } from '../git/revisions.js';
import type { ParamValue } from '../pipeline/params-file.js';
import { revisionView, workspaceView, type CacheReader, type TreeView } from '../pipeline/tree-view.js';
import type { Repo } from '../repo/repo.js';
import { toPosix } from '../util/posix-path.js';

/** Why a file or a whole version could not be read, named as DVC names the Python exception. */
export interface LoadError {
  type: string;
  message: string;
}

export interface FileResult {
  data?: ParamValue;
  error?: LoadError;
}

export interface VersionResult {
  /** DVC's name: '' (no revision flags), `workspace`, a branch, a tag, a rev as typed, a sha. */
  name: string;
  /** Per file (relative to the current directory), in the order read. */
  files?: Map<string, FileResult>;
  /** The version could not be read at all (an invalid dvc.yaml). */
  error?: LoadError;
}

export interface Version {
  name: string;
  view: TreeView;
}

/** The workspace as the only version (''), or the workspace then the selected revisions. */
export function selectVersions(repo: Repo, sel: RevisionSelection): Version[] {
  const any = Boolean(sel.allBranches || sel.allTags || sel.allCommits || (sel.revs && sel.revs.length > 0));
  const workspace = workspaceView(repo.root);
  if (!any) return [{ name: '', view: workspace }];
  requireGit(repo);
  const blobs = new Map<string, string>();
  const cached = cacheReader(repo);
  return [{ name: 'workspace', view: workspace }, ...namedRevisions(repo.root, sel).map((r) => ({ name: r.name, view: revisionView(repo.root, r.sha, blobs, cached) }))];
}

/** One version by name, as `diff` takes them: `workspace`, or anything git resolves. */
export function versionNamed(repo: Repo, name: string, blobs: Map<string, string>): Version {
  if (name === 'workspace') return { name, view: workspaceView(repo.root) };
  requireGit(repo);
  const [r] = namedRevisions(repo.root, { revs: [name] });
  return { name, view: revisionView(repo.root, r!.sha, blobs, cacheReader(repo)) };
}

/** Reads cached outputs (metrics with the default `cache: true`) from the local cache. */
function cacheReader(repo: Repo): CacheReader {
  return (oid, kind) => {
    const p = repo.cache.locate(oid, kind);
    return p === undefined ? undefined : fs.readFileSync(p, 'utf8');
  };
}

function requireGit(repo: Repo): void {
  if (!repo.scm) {
    throw new TroveError('NO_SCM', 'comparing revisions needs a git repository', { hint: 'this repository was initialised with --no-scm: only the workspace can be read' });
  }
}

/** Whether the repository has at least one commit (DVC's diff shows nothing without one). */
export function hasCommits(repo: Repo): boolean {
  if (!repo.scm) return false;
  try {
    namedRevisions(repo.root, { revs: ['HEAD'] });
    return true;
  } catch {
    return false;
  }
}

/** A repo path as DVC prints it: relative to the current directory. */
export function relToCwd(repo: Repo, repoPath: string): string {
  return toPosix(path.relative(repo.cwd, repo.abs(repoPath))) || '.';
}

/** Reads each file of a version; a missing or malformed file is an error of that file only. */
export function readFiles(view: TreeView, files: Map<string, (text: string, file: string) => ParamValue>, repo: Repo): Map<string, FileResult> {
  const texts = view.readMany(files.keys());
  const out = new Map<string, FileResult>();
  for (const [file, parse] of files) {
    const shown = relToCwd(repo, file);
    const text = texts.get(file);
    if (text === undefined) {
      out.set(shown, { error: { type: 'FileNotFoundError', message: `'${shown}' does not exist${view.sha ? ` at ${view.sha.slice(0, 7)}` : ''}` } });
      continue;
    }
    try {
      out.set(shown, { data: parse(text, shown) });
    } catch (e) {
      if (!(e instanceof TroveError)) throw e;
      out.set(shown, { error: { type: corruptedType(file), message: e.message } });
    }
  }
  return out;
}

/** A version that failed as a whole (its dvc.yaml is invalid). */
export function versionError(e: unknown): LoadError {
  if (!(e instanceof TroveError)) throw e;
  return { type: e.code === 'DVCYAML_INVALID' || e.code === 'FILE_FORMAT' ? 'YAMLValidationError' : e.code, message: e.message };
}

function corruptedType(file: string): string {
  const ext = path.posix.extname(file).toLowerCase();
  if (ext === '.json') return 'JSONFileCorruptedError';
  if (ext === '.toml') return 'TOMLFileCorruptedError';
  if (ext === '.py') return 'PythonFileCorruptedError';
  if (ext === '.csv' || ext === '.tsv') return 'CSVFileCorruptedError';
  return 'YAMLFileCorruptedError';
}

/** The versions with an error, in their own or in one of their files (DVC's `errored_revisions`). */
export function erroredVersions(results: readonly VersionResult[]): VersionResult[] {
  return results.filter((r) => r.error || [...(r.files?.values() ?? [])].some((f) => f.error));
}

/** file -> data, for the files that could be read (an unreadable file compares as empty). */
export function dataOf(v: VersionResult): Map<string, ParamValue | undefined> {
  return new Map([...(v.files ?? [])].map(([f, r]) => [f, r.data]));
}

/** Expands directory targets to the files below them, at this version. */
export function expandTargets(view: TreeView, targets: readonly string[]): string[] {
  const out: string[] = [];
  for (const t of targets) {
    if (view.isDir(t)) out.push(...view.filesUnder(t));
    else out.push(t);
  }
  return [...new Set(out)];
}
