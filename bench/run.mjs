// `npm run bench [-- big many tiny version remote pipeline gc]`: trove against the physical limits of this machine
// `npm run bench [-- big many tiny version remote pipeline diff]`: trove against the physical limits of this machine
// (md5sum, find, cp -al, node start-up; for remotes, cp -a and a plain AWS SDK loop against s3rver,
// see remote.mjs), measured in the same run, printed as ratios; beside DVC 3.22.1's figures for the
// same workloads on this kind of machine (shared/DVC-BASELINE.md).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freshRepo, makeBigFile, makeFiles, median, peakMiB, sh, timeMedian, timeOnce, trove, TROVE } from './lib.mjs';
import { benchGc } from './gc.mjs';
import { benchDiff } from './diff.mjs';
import { benchPipeline } from './pipeline.mjs';
import { benchRemote } from './remote.mjs';

const ROOT = process.env.TROVE_BENCH_DIR ?? path.join(os.tmpdir(), 'trove-bench');
const only = new Set(process.argv.slice(2));
const want = (name) => only.size === 0 || only.has(name);

// DVC 3.22.1 wall-clock seconds from shared/DVC-BASELINE.md (2-core EPYC, ext4, warm cache).
const DVC = {
  'big add': 4.51, 'big status': 0.64, 'big status 1 changed': 2.16, 'big commit -f': 3.92,
  'big checkout copy': 1.79, 'big checkout hardlink': 0.8,
  'many add': 41.1, 'many status': 2.41, 'many status 1 changed': 2.28, 'many commit -f': 40.7,
  'many checkout copy': 23.3, 'many checkout hardlink': 6.97,
  'tiny add': 149.5, 'tiny status': 7.59, 'tiny checkout hardlink': 22.2,
  version: 0.19,
  'big push local': 1.79, 'big push local, nothing new': 0.68, 'big pull local': 2.4,
  'chain 100 repro, nothing changed': 1.91,
  'many push local': 27.9, 'many push local, nothing new': 1.37, 'many pull local': 57.4,
};

const rows = [];
function row(step, seconds, refName, refSeconds, target) {
  const ratio = refSeconds ? seconds / refSeconds : undefined;
  const dvc = DVC[step];
  rows.push({ step, seconds, refName, refSeconds, ratio, target, dvc, vsDvc: dvc ? dvc / seconds : undefined });
  const fmt = (x, d = 3) => (x === undefined ? '-' : x.toFixed(d));
  console.log(
    `${step.padEnd(26)} ${fmt(seconds).padStart(8)} s  ${(refName ?? '').padEnd(22)} ${fmt(refSeconds).padStart(7)} s  ratio ${fmt(ratio, 2).padStart(5)}${target ? ` (target <= ${target})` : ''}${dvc ? `  | DVC ${dvc} s -> ${fmt(dvc / seconds, 1)}x faster` : ''}`,
  );
}

/** A peak-memory figure (MiB), beside the issue's target and DVC's figure where there is one. */
function memRow(step, mib, target, dvc) {
  console.log(`${`${step} peak memory`.padEnd(26)} ${mib.toFixed(0).padStart(8)} MiB${target ? ` (target < ${target} MiB)` : ''}${dvc ? `  | DVC ${dvc} MiB` : ''}`);
  rows.push({ step: `${step} peak memory (MiB)`, seconds: mib, target, dvc });
}

/** Deletes trove's state so that the next add starts with an empty cache and index. */
const RESET = 'rm -rf .dvc/cache .dvc/tmp/trove *.dvc .gitignore';

function benchBig() {
  const dir = path.join(ROOT, 'big');
  freshRepo(dir);
  console.log('\n== big: one 1 GiB file');
  makeBigFile(path.join(dir, 'big.bin'), 1024 ** 3, 1);
  const md5 = timeMedian('md5sum big.bin >/dev/null', dir);
  const add = timeMedian(trove('add -q big.bin'), dir, { prep: RESET });
  row('big add', add, 'md5sum', md5, 1.2);
  row('big status', timeMedian(trove('status'), dir), 'find stat walk', timeMedian("find . -path ./.git -prune -o -printf '%s %T@ %i\\n' >/dev/null", dir));
  const cpa = timeMedian('cp -a big.bin big2.bin', dir, { prep: 'rm -f big2.bin' });
  sh(`${trove('config cache.type hardlink')}`, dir);
  const cpal = timeMedian('cp -al big.bin big2.bin', dir, { prep: 'rm -f big2.bin' });
  row('big checkout hardlink', timeMedian(trove('checkout -q'), dir, { prep: 'rm -f big.bin' }), 'cp -al', cpal);
  sh(`${trove('config cache.type copy')} && rm -f big2.bin`, dir);
  row('big checkout copy', timeMedian(trove('checkout -q'), dir, { prep: 'rm -f big.bin' }), 'cp -a', cpa);
  fs.rmSync(dir, { recursive: true, force: true });
}

function benchMany() {
  const dir = path.join(ROOT, 'many');
  freshRepo(dir);
  console.log('\n== many: 20,000 files of 100 KB in 200 directories');
  makeFiles(path.join(dir, 'data'), { count: 20000, dirs: 200, size: () => 100_000, seed: 2 });
  const md5p2 = timeMedian("find data -type f -print0 | xargs -0 -P2 -n 256 md5sum >/dev/null", dir);
  row('many add', timeMedian(trove('add -q data'), dir, { prep: RESET }), 'find|xargs -P2 md5sum', md5p2, 2);
  // The copy above is what cache.type reflink,copy costs without reflinks; the same add with
  // hardlinks (no copy) against the same reference, and a plain copy of the data for scale.
  const cpaData = timeMedian('cp -a data data2', dir, { prep: 'rm -rf data2' });
  sh('rm -rf data2', dir);
  row('many cp -a of the data', cpaData, 'find|xargs -P2 md5sum', md5p2);
  sh(trove('config cache.type hardlink'), dir);
  row('many add (hardlink)', timeMedian(trove('add -q data'), dir, { prep: RESET }), 'find|xargs -P2 md5sum', md5p2, 2);
  sh(`${trove('config cache.type copy')} && ${RESET} && chmod -R u+w data && ${trove('add -q data')}`, dir);
  const walk = timeMedian("find data -printf '%s %T@ %i\\n' >/dev/null", dir, { runs: 5 });
  row('many status', timeMedian(trove('status'), dir, { runs: 5 }), 'find stat walk', walk, 3);
  const touch = 'printf x >> data/d007/f000007.bin';
  row('many status 1 changed', timeMedian(trove('status'), dir, { prep: touch }), 'find stat walk', walk);
  row('many commit -f', timeMedian(trove('commit -f -q'), dir, { prep: touch }), 'find|xargs -P2 md5sum', md5p2);
  sh(trove('config cache.type hardlink'), dir);
  const cpal = timeMedian('cp -al data data2', dir, { prep: 'rm -rf data2' });
  row('many checkout hardlink', timeMedian(trove('checkout -q'), dir, { prep: 'rm -rf data data2' }), 'cp -al', cpal, 2);
  sh(trove('config cache.type copy'), dir);
  const cpa = timeMedian('cp -a data data2', dir, { prep: 'rm -rf data2' });
  sh('rm -rf data2', dir);
  row('many checkout copy', timeMedian(trove('checkout -q'), dir, { prep: 'rm -rf data' }), 'cp -a', cpa);
  fs.rmSync(dir, { recursive: true, force: true });
}

function benchTiny() {
  const dir = path.join(ROOT, 'tiny');
  freshRepo(dir);
  console.log('\n== tiny: 100,000 files of 1-8 KiB in 100 directories');
  makeFiles(path.join(dir, 'data'), { count: 100000, dirs: 100, size: (i) => 1024 + ((i * 2654435761) % 7169), seed: 3 });
  const md5p2 = timeMedian("find data -type f -print0 | xargs -0 -P2 -n 512 md5sum >/dev/null", dir, { runs: 1 });
  sh(RESET, dir);
  const add = timeOnce(trove('add -q data'), dir);
  row('tiny add', add, 'find|xargs -P2 md5sum', md5p2);
  row('tiny status', timeMedian(trove('status'), dir), 'find stat walk', timeMedian("find data -printf '%s %T@ %i\\n' >/dev/null", dir));
  sh(RESET, dir);
  const mem = peakMiB(trove('add -q data'), dir);
  console.log(`tiny add peak memory: ${mem.toFixed(0)} MiB (target < 500; DVC 710)`);
  rows.push({ step: 'tiny add peak memory (MiB)', seconds: mem, target: 500, dvc: 710 });
  const memStatus = peakMiB(trove('status'), dir);
  console.log(`tiny status peak memory: ${memStatus.toFixed(0)} MiB`);
  rows.push({ step: 'tiny status peak memory (MiB)', seconds: memStatus });
  sh(trove('config cache.type hardlink'), dir);
  const cpal = timeMedian('cp -al data data2', dir, { runs: 1, prep: 'rm -rf data2' });
  sh('rm -rf data2', dir);
  row('tiny checkout hardlink', timeMedian(trove('checkout -q'), dir, { runs: 1, prep: 'rm -rf data' }), 'cp -al', cpal);
  fs.rmSync(dir, { recursive: true, force: true });
}

function benchVersion() {
  console.log('\n== start-up');
  const runs = 15;
  const node = median(Array.from({ length: runs }, () => timeOnce("node -e ''", ROOT)));
  const ver = median(Array.from({ length: runs }, () => timeOnce(`node ${TROVE} --version`, ROOT)));
  row('version', ver, "node -e ''", node, 1.5);
  const help = median(Array.from({ length: 7 }, () => timeOnce(`node ${TROVE} --help >/dev/null`, ROOT)));
  row('--help (loads the CLI)', help, "node -e ''", node);
}

fs.mkdirSync(ROOT, { recursive: true });
console.log(`trove benchmarks on ${os.cpus().length} x ${os.cpus()[0]?.model ?? 'cpu'}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}; data in ${ROOT}`);
if (want('version')) benchVersion();
if (want('big')) benchBig();
if (want('many')) benchMany();
if (want('tiny')) benchTiny();
if (want('remote')) await benchRemote({ root: ROOT, row, memRow });
if (want('pipeline')) await benchPipeline({ root: ROOT, row });
if (want('gc')) await benchGc({ root: ROOT, row });
if (want('diff')) await benchDiff({ root: ROOT, row });
fs.writeFileSync(path.join(ROOT, 'results.json'), JSON.stringify({ date: new Date().toISOString(), rows }, null, 2));
// The same figures as a Markdown table, for docs/benchmarks.md.
const f = (x, d = 3) => (x === undefined ? '' : x.toFixed(d));
console.log('\n| step | trove (s) | reference | ref (s) | ratio | target | DVC 3.22.1 (s) | vs DVC |');
console.log('|---|---:|---|---:|---:|---:|---:|---:|');
for (const r of rows) {
  if (r.step.includes('memory')) {
    console.log(`| ${r.step} | ${f(r.seconds, 0)} MiB | | | | ${r.target ? `< ${r.target} MiB` : ''} | ${r.dvc ? `${r.dvc} MiB` : ''} | |`);
    continue;
  }
  console.log(`| ${r.step} | ${f(r.seconds)} | ${r.refName ?? ''} | ${f(r.refSeconds)} | ${f(r.ratio, 2)} | ${r.target ? `<= ${r.target}` : ''} | ${r.dvc ?? ''} | ${r.vsDvc ? `${f(r.vsDvc, 1)}x faster` : ''} |`);
}
console.log(`\nresults: ${path.join(ROOT, 'results.json')}`);
