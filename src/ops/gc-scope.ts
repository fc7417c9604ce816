/**
 * What `gc` keeps: the scope flags (DVC 3's), their validation, the warning that names them, and
 * the commits they select. The workspace is always in the scope, whatever the flags.
 */
import { TroveError } from '../errors.js';
import { commitsBack, commitsSince, experimentCommits } from '../git/commit-selection.js';
import { resolveRevisions } from '../git/revisions.js';
import type { Repo } from '../repo/repo.js';

export interface GcScope {
  /** -w: the workspace (always kept; the flag alone is a valid scope). */
  workspace?: boolean;
  /** -a: the tip of every local branch (with `num`: that many commits back from each tip). */
  allBranches?: boolean;
  /** -T: every tag. */
  allTags?: boolean;
  /** -A: every commit reachable from HEAD, branches, tags and remote-tracking branches. */
  allCommits?: boolean;
  /** --all-experiments: the commits of every DVC experiment (refs under refs/exps/). */
  allExperiments?: boolean;
  /** --date: every commit made on or after this day (YYYY-MM-DD, local time). */
  date?: string;
  /** --rev: one commit (with `num`: that many commits back from it, along first parents). */
  rev?: string;
  /** -n: how many commits back from `rev` (or from each branch tip with -a). */
  num?: number;
  /** --not-in-remote: only what the remote lacks is kept (named in the warning). */
  notInRemote?: boolean;
}

function usage(message: string, hint: string): TroveError {
  return new TroveError('USAGE', message, { hint, exitCode: 2 });
}

/** Local midnight of a YYYY-MM-DD day, in seconds since the epoch; undefined if it is not such a day. */
export function parseDay(day: string): number | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!m) return undefined;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(y, mo - 1, d);
  if (date.getFullYear() !== y || date.getMonth() !== mo - 1 || date.getDate() !== d) return undefined;
  return Math.floor(date.getTime() / 1000);
}

/** Throws the usage error DVC gives for a scope it refuses (no scope at all, -n without --rev/-a, a bad date). */
export function validateGcScope(scope: GcScope): void {
  const any = scope.workspace || scope.allBranches || scope.allTags || scope.allCommits || scope.allExperiments || scope.date || scope.rev;
  if (!any) {
    throw usage(
      'Either of `-w|--workspace`, `-a|--all-branches`, `-T|--all-tags` `--all-experiments`, `--all-commits`, `--date` or `--rev` needs to be set.',
      'gc deletes what the scope does not use: `trove gc -w` keeps what the workspace uses, `trove gc -A` what any commit uses (see `trove gc --help`)',
    );
  }
  if (scope.num !== undefined && !scope.rev && !scope.allBranches) {
    throw usage('`--num` can only be used alongside `--rev` or `--all-branches`', 'e.g. `trove gc --rev main -n 5` keeps what the last 5 commits of main use');
  }
  if (scope.num !== undefined && (!Number.isInteger(scope.num) || scope.num < 1)) {
    throw usage(`\`--num\` must be a positive whole number, not '${scope.num}'`, 'e.g. `-n 3` keeps the commit and the two before it');
  }
  if (scope.date !== undefined && parseDay(scope.date) === undefined) {
    throw usage(`\`--date\` takes a day as YYYY-MM-DD, not '${scope.date}'`, 'e.g. `--date 2024-03-01` keeps what commits made on or after March 1st, 2024 use');
  }
  if (scope.rev === '') throw usage('`--rev` needs a revision', 'name a commit, branch or tag');
}

/** Whether the scope reaches into git history (anything beyond the workspace). */
export function needsHistory(scope: GcScope): boolean {
  return Boolean(scope.allBranches || scope.allTags || scope.allCommits || scope.allExperiments || scope.date || scope.rev);
}

/**
 * The warning gc prints before it deletes: DVC's sentence for the same flags, naming the other
 * projects (absolute paths) when there are any. Two phrases differ: DVC says `--date` keeps commits
 * "before" the date, while it keeps those on or after it, and so does trove; and it says
 * --not-in-remote keeps items "present in the DVC remote", while it keeps those that are not.
 */
export function gcWarning(scope: GcScope, projects: readonly string[], remote?: string): string {
  let msg = 'This will remove all cache except items used in the workspace';
  if (scope.allCommits) {
    msg += ' and all git commits';
  } else {
    if (scope.allBranches && scope.num !== undefined) msg += ` and last ${scope.num} commits of all git branches`;
    if (scope.allBranches && scope.allTags) msg += scope.num !== undefined ? ' and all git tags' : ' and all git branches and tags';
    else if (scope.allBranches && scope.num === undefined) msg += ' and all git branches';
    else if (scope.allTags) msg += ' and all git tags';
    if (scope.date) msg += ` and all git commits on or after date ${scope.date}`;
    if (scope.rev) msg += ` and last ${scope.num ?? 1} commits from ${scope.rev}`;
  }
  if (scope.allExperiments) msg += ' and all experiments';
  if (scope.notInRemote) msg += ` that are not in remote '${remote ?? 'default'}'`;
  if (projects.length > 0) {
    msg += ' of the current and the following repos:';
    for (const p of projects) msg += `\n  - ${p}`;
  } else {
    msg += ' of the current repo.';
  }
  return msg;
}

/**
 * The commits the scope selects in `repo`, each once (the workspace is not among them). An
 * unknown `--rev` throws BadRevisionError; a repository without git cannot have history scopes.
 */
export function commitsInScope(repo: Repo, scope: GcScope): string[] {
  if (!needsHistory(scope)) return [];
  if (!repo.gitRoot) {
    throw new TroveError('NO_SCM', `gc -a, -T, -A, --rev, --date and --all-experiments need git, and '${repo.root}' has no git repository`, {
      hint: 'keep what the workspace uses with `trove gc -w`',
    });
  }
  const root = repo.root;
  const shas: string[] = [];
  if (scope.rev) shas.push(...commitsBack(root, resolveRevisions(root, { revs: [scope.rev] }), scope.num ?? 1));
  if (scope.allCommits) {
    shas.push(...resolveRevisions(root, { allCommits: true }));
  } else {
    if (scope.allBranches) {
      const tips = resolveRevisions(root, { allBranches: true });
      shas.push(...(scope.num !== undefined ? commitsBack(root, tips, scope.num) : tips));
    }
    if (scope.allTags) shas.push(...resolveRevisions(root, { allTags: true }));
    if (scope.date) shas.push(...commitsSince(root, parseDay(scope.date)!));
  }
  if (scope.allExperiments) shas.push(...experimentCommits(root));
  return [...new Set(shas)];
}
