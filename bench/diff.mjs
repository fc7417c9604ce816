// The `diff` group of `npm run bench`: `trove diff` between two commits of a 20,000-file tracked
// directory with 1% of the files changed, against `git diff --stat` between two commits of a git
// tree holding the same 20,000 small files with the same 1% changed, measured in the same run.
// Also: `trove diff` of the workspace against HEAD with nothing changed (hashes come from the
// stat-keyed index), against `git diff --stat` of an unchanged worktree, and Node's start-up.
import fs from 'node:fs';
import path from 'node:path';
import { freshRepo, makeFiles, median, sh, timeMedian, timeOnce, trove } from './lib.mjs';

const FILES = 20000;
const DIRS = 200;
const size = (i) => 200 + ((i * 2654435761) % 800);

/** Rewrites every 100th file (1%) with new bytes of a new size. */
function changeOnePercent(dir) {
  for (let i = 0; i < FILES; i += 100) {
    const f = path.join(dir, `d${String(i % DIRS).padStart(3, '0')}`, `f${String(i).padStart(6, '0')}.bin`);
    fs.writeFileSync(f, `changed ${i}\n`.repeat(20));
  }
}

export async function benchDiff({ root, row }) {
  console.log('\n== diff: 20,000 files of 200-1000 B, 1% changed between two commits');
  const runs = 7;
  const node = median(Array.from({ length: runs }, () => timeOnce("node -e ''", root)));

  const gitDir = path.join(root, 'diff-git');
  fs.rmSync(gitDir, { recursive: true, force: true });
  fs.mkdirSync(gitDir, { recursive: true });
  sh('git init -q -b main . && git config user.email b@example.com && git config user.name bench', gitDir);
  makeFiles(path.join(gitDir, 'data'), { count: FILES, dirs: DIRS, size, seed: 5 });
  sh('git add -A && git commit -qm one', gitDir);
  changeOnePercent(path.join(gitDir, 'data'));
  sh('git add -A && git commit -qm two', gitDir);
  const changed = sh('git diff --shortstat HEAD~1 HEAD', gitDir).trim();
  const gitStat = timeMedian('git diff --stat HEAD~1 HEAD >/dev/null', gitDir, { runs });
  const gitWorktree = timeMedian('git diff --stat >/dev/null', gitDir, { runs });

  const dir = path.join(root, 'diff-trove');
  freshRepo(dir);
  sh('git commit -qm init', dir);
  makeFiles(path.join(dir, 'data'), { count: FILES, dirs: DIRS, size, seed: 5 });
  sh(`${trove('add -q data')} && git add -A && git commit -qm one`, dir);
  changeOnePercent(path.join(dir, 'data'));
  sh(`${trove('add -q data')} && git add -A && git commit -qm two`, dir);
  const summary = sh(trove('diff HEAD~1 HEAD'), dir).trim().split('\n').pop();
  console.log(`  (git: ${changed}; trove: ${summary})`);

  const commits = timeMedian(`${trove('diff HEAD~1 HEAD')} >/dev/null`, dir, { runs });
  row('diff 20k, 1% changed', commits, 'git diff --stat', gitStat, 2);
  row('diff 20k, --json', timeMedian(`${trove('diff HEAD~1 HEAD --json')} >/dev/null`, dir, { runs }), 'git diff --stat', gitStat);
  row('diff 20k, --stat', timeMedian(`${trove('diff HEAD~1 HEAD --stat')} >/dev/null`, dir, { runs }), 'git diff --stat', gitStat);
  sh(trove('diff'), dir); // the first run after add records nothing new; the workspace is hashed from the index
  row('diff 20k, workspace no-op', timeMedian(`${trove('diff')} >/dev/null`, dir, { runs }), 'git diff --stat (tree)', gitWorktree);
  row("node -e ''", node, 'git diff --stat', gitStat);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.rmSync(gitDir, { recursive: true, force: true });
}
