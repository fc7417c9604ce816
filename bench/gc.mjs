// The `gc` group of `npm run bench`: `trove gc -A` over a history of 50 commits, each changing a
// tracked directory of 200 files a little (2 files), against the git work that any per-commit
// reading of that history needs: one `git ls-tree -r` of every commit, in a shell loop (the
// reference). trove does that same listing per commit, plus one blob read per new pointer file,
// one read per directory manifest, and one listing of the cache. `git log --all -p -- '*.dvc'` is
// printed beside it for scale: it reads only the diffs, so it is cheaper than any full listing.
// A second history of 500 commits (written directly, not by `trove add`) shows how cost grows.
import crypto from 'node:crypto';
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

  // The same shape at 500 commits, written directly (cache objects, manifest, pointer file, git
  // commit) rather than by 500 `trove add` runs, to show how the cost grows with history.
  const long = path.join(root, 'gc-long-history');
  freshRepo(long);
  const n = writeHistory(long, 500, 200);
  console.log(`  (500 commits, ${n} cache objects)`);
  const refLong = timeMedian(lsTree, long, { runs: 3 });
  row('gc -A, 500 commits', timeMedian(trove('gc -A -f -q'), long, { runs: 3 }), 'ls-tree per commit', refLong);
  fs.rmSync(long, { recursive: true, force: true });
}

const md5 = (data) => crypto.createHash('md5').update(data).digest('hex');

function putObject(cache, oid, data) {
  const p = path.join(cache, oid.slice(0, 2), oid.slice(2));
  fs.mkdirSync(path.dirname(p), { recursive: true });
  fs.writeFileSync(p, data, { mode: 0o444 });
}

/** `commits` commits of a `files`-file directory output, 2 files changing per commit; returns the object count. */
function writeHistory(dir, commits, files) {
  const cache = path.join(dir, '.dvc', 'cache', 'files', 'md5');
  const contents = Array.from({ length: files }, (_, i) => `file ${i}\n`.repeat(100));
  const objects = new Set();
  const saveFile = (i) => {
    const oid = md5(contents[i]);
    if (!objects.has(oid)) putObject(cache, oid, contents[i]);
    objects.add(oid);
    return oid;
  };
  const oids = contents.map((_, i) => saveFile(i));
  fs.writeFileSync(path.join(dir, '.gitignore'), '/data\n');
  for (let c = 0; c < commits; c++) {
    for (const i of [c % files, (c * 7 + 3) % files]) {
      contents[i] += `commit ${c}\n`;
      oids[i] = saveFile(i);
    }
    const entries = oids.map((oid, i) => ({ md5: oid, relpath: `f${String(i).padStart(4, '0')}.bin` }));
    const manifest = `[${entries.map((e) => `{"md5": "${e.md5}", "relpath": "${e.relpath}"}`).join(', ')}]`;
    const dirOid = `${md5(manifest)}.dir`;
    putObject(cache, dirOid, manifest);
    objects.add(dirOid);
    const size = contents.reduce((n, t) => n + Buffer.byteLength(t), 0);
    fs.writeFileSync(path.join(dir, 'data.dvc'), `outs:\n- md5: ${dirOid}\n  size: ${size}\n  nfiles: ${files}\n  hash: md5\n  path: data\n`);
    sh(`git add data.dvc .gitignore && git commit -qm c${c}`, dir);
  }
  return objects.size;
}
