// The `diff` group of `npm run bench`: `trove diff` between two commits of a 20,000-file tracked
// directory with 1% of the files changed, against `git diff --stat` between two commits of a git
// tree holding the same 20,000 small files with the same 1% changed, measured in the same run;
// and against `git diff --no-index --stat` between the two versions as plain directory trees.
// Also: `trove diff` of the workspace against HEAD with nothing changed (hashes come from the
// stat-keyed index), against `git diff --stat` of an unchanged worktree, and Node's start-up.
// The VM this runs on is shared and noisy, so each trove figure is timed in turns with its
// reference (trove, git, trove, git, ...) and both are medians of those runs.
import fs from 'node:fs';
import path from 'node:path';
import { freshRepo, makeFiles, median, sh, timeOnce, trove } from './lib.mjs';

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

/** Medians of `a` (in `aDir`) and `b` (in `bDir`), timed in turns. */
function inTurns(a, aDir, b, bDir, runs) {
  const as = [];
  const bs = [];
  for (let i = 0; i < runs; i++) {
    as.push(timeOnce(a, aDir));
    bs.push(timeOnce(b, bDir));
  }
  return [median(as), median(bs)];
}

export async function benchDiff({ root, row }) {
  console.log('\n== diff: 20,000 files of 200-1000 B, 1% changed between two commits');
  const runs = 11;

  const gitDir = path.join(root, 'diff-git');
  fs.rmSync(gitDir, { recursive: true, force: true });
  fs.mkdirSync(gitDir, { recursive: true });
  sh('git init -q -b main . && git config user.email b@example.com && git config user.name bench', gitDir);
  makeFiles(path.join(gitDir, 'data'), { count: FILES, dirs: DIRS, size, seed: 5 });
  sh('git add -A && git commit -qm one', gitDir);
  // The same two versions as plain directory trees, for `git diff --no-index`.
  const treesDir = path.join(root, 'diff-trees');
  fs.rmSync(treesDir, { recursive: true, force: true });
  fs.mkdirSync(treesDir, { recursive: true });
  sh(`cp -a ${path.join(gitDir, 'data')} a`, treesDir);
  changeOnePercent(path.join(gitDir, 'data'));
  sh(`cp -a ${path.join(gitDir, 'data')} b`, treesDir);
  sh('git add -A && git commit -qm two', gitDir);
  const changed = sh('git diff --shortstat HEAD~1 HEAD', gitDir).trim();
  const gitStat = 'git diff --stat HEAD~1 HEAD >/dev/null';

  const dir = path.join(root, 'diff-trove');
  freshRepo(dir);
  sh('git commit -qm init', dir);
  makeFiles(path.join(dir, 'data'), { count: FILES, dirs: DIRS, size, seed: 5 });
  sh(`${trove('add -q data')} && git add -A && git commit -qm one`, dir);
  changeOnePercent(path.join(dir, 'data'));
  sh(`${trove('add -q data')} && git add -A && git commit -qm two`, dir);
  const summary = sh(trove('diff HEAD~1 HEAD'), dir).trim().split('\n').pop();
  console.log(`  (git: ${changed}; trove: ${summary})`);

  const pairs = [
    ['diff 20k, 1% changed', 'diff HEAD~1 HEAD', 2],
    ['diff 20k, --json', 'diff HEAD~1 HEAD --json'],
    ['diff 20k, --stat', 'diff HEAD~1 HEAD --stat'],
  ];
  for (const [step, args, target] of pairs) {
    const [t, g] = inTurns(`${trove(args)} >/dev/null`, dir, gitStat, gitDir, runs);
    row(step, t, 'git diff --stat', g, target);
  }
  // The other reading of "git diff --stat on two equivalent trees": two directory trees on disk.
  const noIndex = 'git diff --no-index --stat a b >/dev/null; true';
  const [t2, g2t] = inTurns(`${trove('diff HEAD~1 HEAD')} >/dev/null`, dir, noIndex, treesDir, runs);
  row('diff 20k, 1% changed', t2, 'git diff --no-index --stat', g2t, 2);
  sh(trove('diff'), dir); // hashes the workspace once: the timed runs find every file in the index
  const [ws, gws] = inTurns(`${trove('diff')} >/dev/null`, dir, 'git diff --stat >/dev/null', gitDir, runs);
  row('diff 20k, workspace no-op', ws, 'git diff --stat (tree)', gws);
  const [node, g] = inTurns("node -e ''", root, gitStat, gitDir, runs);
  row("node -e ''", node, 'git diff --stat', g);
  const [help, g2] = inTurns(`${trove('--help')} >/dev/null`, root, gitStat, gitDir, runs);
  row('trove --help (loads the CLI)', help, 'git diff --stat', g2);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.rmSync(gitDir, { recursive: true, force: true });
  fs.rmSync(treesDir, { recursive: true, force: true });
}
