/**
 * `trove metrics show` and `trove metrics diff`, as DVC 3's: the metrics files that dvc.yaml
 * declares (or the files named), read in the workspace and at git revisions, then listed or
 * compared. Returns data; the CLI renders the tables.
 */
import { activeBranch, type RevisionSelection } from '../git/revisions.js';
import { declaredFiles } from '../pipeline/declared-files.js';
import { parseMetrics } from '../pipeline/metrics-file.js';
import { isParamMap, type ParamValue } from '../pipeline/params-file.js';
import { diffFiles, sameValue, type DiffResult } from '../pipeline/value-diff.js';
import type { Repo } from '../repo/repo.js';
import { compareCodePoints } from '../util/py-json.js';
import type { OpIo } from './io.js';
import { dataOf, expandTargets, hasCommits, readFiles, selectVersions, versionError, versionNamed, type Version, type VersionResult } from './versions.js';

export interface MetricsShowOptions extends RevisionSelection {
  /** Metrics files or directories (relative to the current directory) instead of dvc.yaml's. */
  targets?: string[];
}

export interface MetricsShowResult {
  /** One per version read, in DVC's order (the workspace first). */
  versions: VersionResult[];
}

export interface MetricsDiffOptions {
  /** Old version: `HEAD` by default. */
  aRev?: string;
  /** New version: `workspace` by default. */
  bRev?: string;
  targets?: string[];
  /** Unchanged metrics too. */
  all?: boolean;
}

export interface MetricsDiffResult {
  aRev: string;
  bRev: string;
  diff: DiffResult;
  /** The two versions as read, for their errors. */
  versions: VersionResult[];
}

export async function metricsShow(repo: Repo, opts: MetricsShowOptions, _io: OpIo): Promise<MetricsShowResult> {
  const targets = (opts.targets ?? []).map((t) => repo.toRepoPath(t));
  const versions = selectVersions(repo, opts).map((v) => metricsAt(repo, v, targets));
  return { versions: hideWorkspace(repo, versions) };
}

export async function metricsDiff(repo: Repo, opts: MetricsDiffOptions, _io: OpIo): Promise<MetricsDiffResult> {
  const aRev = opts.aRev ?? 'HEAD';
  const bRev = opts.bRev ?? 'workspace';
  if (!hasCommits(repo)) return { aRev, bRev, diff: {}, versions: [] };
  const targets = (opts.targets ?? []).map((t) => repo.toRepoPath(t));
  const blobs = new Map<string, string>();
  const [a, b] = [aRev, bRev].map((name) => metricsAt(repo, versionNamed(repo, name, blobs), targets)) as [VersionResult, VersionResult];
  return { aRev, bRev, diff: diffFiles(dataOf(a), dataOf(b), Boolean(opts.all)), versions: [a, b] };
}

function metricsAt(repo: Repo, v: Version, targets: string[]): VersionResult {
  try {
    const files = expandTargets(v.view, targets.length > 0 ? targets : declaredFiles(repo.root, v.view).metrics.sort(compareCodePoints));
    return { name: v.name, files: readFiles(v.view, new Map(files.map((f) => [f, parseMetrics])), repo) };
  } catch (e) {
    return { name: v.name, error: versionError(e) };
  }
}

/**
 * As DVC: the workspace is left out when it holds the same metrics as the checked-out branch,
 * listed under its own name.
 */
export function hideWorkspace(repo: Repo, versions: VersionResult[]): VersionResult[] {
  const ws = versions.find((v) => v.name === 'workspace');
  const branch = repo.scm ? activeBranch(repo.root) : undefined;
  const twin = branch === undefined ? undefined : versions.find((v) => v.name === branch);
  if (!ws || !twin || !sameResult(ws, twin)) return versions;
  return versions.filter((v) => v !== ws);
}

function sameResult(a: VersionResult, b: VersionResult): boolean {
  if (a.error || b.error || !a.files || !b.files || a.files.size !== b.files.size) return false;
  for (const [f, ra] of a.files) {
    const rb = b.files.get(f);
    if (!rb || ra.error || rb.error || !sameData(ra.data, rb.data)) return false;
  }
  return true;
}

function sameData(x: ParamValue | undefined, y: ParamValue | undefined): boolean {
  if (x === undefined || y === undefined) return x === y;
  if (Array.isArray(x) || Array.isArray(y)) return Array.isArray(x) && Array.isArray(y) && x.length === y.length && x.every((v, i) => sameData(v, y[i]));
  if (isParamMap(x) || isParamMap(y)) {
    if (!isParamMap(x) || !isParamMap(y)) return false;
    const keys = Object.keys(x);
    return keys.length === Object.keys(y).length && keys.every((k) => Object.hasOwn(y, k) && sameData(x[k], y[k]));
  }
  return sameValue(x, y);
}
