// The `gc` group of `npm run bench`: `trove gc -A` over a history of 50 commits, each changing a
// tracked directory of 200 files a little (2 files), against the git work that any per-commit
// reading of that history needs: one `git ls-tree -r` of every commit, in a shell loop (the
// reference). trove does that same listing per commit, plus one blob read per new pointer file,
// one read per directory manifest, and one listing of the cache. `git log --all -p -- '*.dvc'` is
// printed beside it for scale: it reads only the diffs, so it is cheaper than any full listing.
import fs from 'node:fs';
import path from 'node:path';
import { freshRepo, makeFiles, median, sh, timeMedian, timeOnce, trove } from './lib.mjs';

const COMMITS = 50;

export async function benchGc({ root, row }) {
  console.log(`\n== gc: gc -A over ${COMMITS} commits of a 200-file directory (2 files changed per commit)`);
  const dir = path.join(root, 'gc-history');
  freshRepo(dir);
  makeFiles(path.join(dir, 'data'), { count: 200, dirs: 10, size: () => 10_000, seed: 5 });
  sh(`${trove('add -q data')} && git add -A && git commit -qm c0`, dir);
  for (let i = 1; i < COMMITS; i++) {
    for (const n of [i % 200, (i * 7) % 200]) {
      const f = path.join(dir, 'data', `d${String(n % 10).padStart(3, '0')}`, `f${String(n).padStart(6, '0')}.bin`);
      fs.appendFileSync(f, `commit ${i}\n`);
    }
    sh(`${trove('add -q data')} && git add -A && git commit -qm c${i}`, dir);
  }
  const objects = Number(sh('find .dvc/cache/files/md5 -type f | wc -l', dir).trim());
  console.log(`  (${COMMITS} commits, ${objects} cache objects, all referenced by some commit)`);
  const lsTree = "git rev-list HEAD --branches --tags --remotes | while read c; do git ls-tree -r -z --full-tree \"$c\"; done >/dev/null";
  const ref = timeMedian(lsTree, dir, { runs: 5 });
  const gcAll = timeMedian(trove('gc -A -f -q'), dir, { runs: 5 });
  row(`gc -A, ${COMMITS} commits`, gcAll, 'ls-tree per commit', ref, 2);
  const logP = timeMedian("git log --all -p -- '*.dvc' >/dev/null", dir, { runs: 5 });
  console.log(`  (git log --all -p -- '*.dvc': ${logP.toFixed(3)} s)`);
  const node = median(Array.from({ length: 7 }, () => timeOnce("node -e ''", root)));
  row('gc -w (same repo)', timeMedian(trove('gc -w --dry -q'), dir, { runs: 5 }), "node -e ''", node);
  fs.rmSync(dir, { recursive: true, force: true });
}
