/**
 * Commit selections beyond branches, tags and "every commit" (revisions.ts): a number of commits
 * back from a tip, the commits made since a date, and the commits of DVC experiments. What
 * `gc --rev/-n`, `gc --date` and `gc --all-experiments` keep. Each is a fixed number of git
 * processes, whatever the length of the history.
 */
import { runGit } from './git.js';

function lines(text: string): string[] {
  return text.split('\n').filter((l) => l !== '');
}

/**
 * For each tip (a commit sha), the tip and the `num - 1` commits before it along first parents
 * (`tip`, `tip~1`, ... `tip~(num-1)`), stopping at a root commit. As DVC's `--rev X -n N`.
 */
export function commitsBack(root: string, tips: readonly string[], num: number): string[] {
  const out: string[] = [];
  for (const tip of tips) out.push(...lines(runGit(root, ['rev-list', '--first-parent', `--max-count=${num}`, tip, '--'])));
  return out;
}

/**
 * Every commit reachable from HEAD, branches, tags and remote-tracking branches whose committer
 * date is at or after `since` (seconds since the epoch). Each commit is judged by its own date:
 * an older commit does not hide newer ones behind it (git's `--since` would).
 */
export function commitsSince(root: string, since: number): string[] {
  const out: string[] = [];
  for (const l of lines(runGit(root, ['rev-list', '--timestamp', '--ignore-missing', 'HEAD', '--branches', '--tags', '--remotes']))) {
    const [ts, sha] = l.split(' ');
    if (sha && Number(ts) >= since) out.push(sha);
  }
  return out;
}

/** DVC's namespace for experiment refs: `refs/exps/<baseline[:2]>/<baseline[2:]>/<name>`. */
const EXPS = 'refs/exps';
/** Refs under refs/exps that are DVC's machinery (queues, stashes, running experiments), not experiments. */
const SKIPPED_PREFIXES = [`${EXPS}/apply`, `${EXPS}/celery`, `${EXPS}/exec`, `${EXPS}/temp`];
const STASHES = new Set([`${EXPS}/stash`, `${EXPS}/celery/stash`]);

/**
 * The commits of every DVC experiment, as `dvc gc --all-experiments` keeps them: for each
 * experiment ref, the commits on it since its baseline, and the baseline itself. A ref under
 * refs/exps that does not name a baseline keeps everything reachable from it.
 */
export function experimentCommits(root: string): string[] {
  const refs = lines(runGit(root, ['for-each-ref', '--format=%(refname)', `${EXPS}/`])).filter(
    (r) => !STASHES.has(r) && !SKIPPED_PREFIXES.some((p) => r.startsWith(p)),
  );
  const out: string[] = [];
  const baselines: string[] = [];
  for (const ref of refs) {
    const parts = ref.split('/');
    const baseline = parts.length >= 4 && parts.length <= 5 ? `${parts[2]}${parts[3]}` : '';
    if (/^[0-9a-f]{40}([0-9a-f]{24})?$/.test(baseline)) {
      // --ignore-missing: a baseline that this clone lacks excludes nothing.
      out.push(...lines(runGit(root, ['rev-list', '--ignore-missing', ref, `^${baseline}`, '--'])));
      baselines.push(baseline);
    } else {
      out.push(...lines(runGit(root, ['rev-list', ref, '--'])));
    }
  }
  if (baselines.length > 0) out.push(...lines(runGit(root, ['rev-list', '--ignore-missing', '--no-walk', ...new Set(baselines), '--'])));
  return out;
}
