/**
 * The run-cache through remotes, against every backend (a local directory, s3rver, the GCS
 * emulator): `push --run-cache` in one clone, `fetch`/`pull --run-cache` in another, and `repro`
 * there restoring a stage from a run recorded elsewhere instead of running it.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BACKENDS, remoteUnderTest, type BackendName, type RemoteUnderTest } from '../servers/remote-backends.js';
import { expectCleanFailure, repo, Sandbox, type RunResult } from './helpers.js';

const ENV = { TROVE_RETRY_BASE_MS: '20' };

const PIPELINE = `stages:
  train:
    cmd: mkdir -p out && cp data.txt out/a.txt && grep factor params.yaml > out/b.txt && cat data.txt params.yaml > model.txt && echo train >> runs.log
    deps:
    - data.txt
    params:
    - factor
    outs:
    - out
    - model.txt
`;

const ranStages = (r: RunResult) => [...r.stdout.matchAll(/^Running stage '([^']+)'/gm)].map((m) => m[1]!);
const CACHED = "Stage 'train' is cached - skipping run, checking out outputs\n";

/** Every file under `.dvc/cache/runs/`, as `xx/<key>/<value>`: DVC's layout, which the remote must repeat. */
function runsOf(s: Sandbox): string[] {
  const dir = s.abs('.dvc/cache/runs');
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)).split(path.sep).join('/'))
    .sort();
}

function connect(s: Sandbox, remote: RemoteUnderTest, levels: ('project' | 'local')[] = ['project', 'local']): void {
  if (levels.includes('project')) s.ok(['remote', 'add', '-d', 'store', remote.url]);
  for (const [key, value, level] of remote.settings) {
    if (levels.includes(level)) s.ok(['remote', 'modify', ...(level === 'local' ? ['--local'] : []), 'store', key, value]);
  }
}

/** A project whose stage ran once per factor (the last one committed), with a fresh remote set. */
function project(backend: BackendName, factors: number[]): { A: Sandbox; remote: RemoteUnderTest } {
  const s = repo();
  const remote = remoteUnderTest(backend, s.base);
  s.writeAll({ 'data.txt': 'data\n', 'dvc.yaml': PIPELINE, '.gitignore': 'runs.log\n' });
  connect(s, remote);
  for (const f of factors) {
    s.write('params.yaml', `factor: ${f}\n`);
    expect(ranStages(s.ok(['repro'], { env: ENV }))).toEqual(['train']);
  }
  s.git('add', '-A');
  s.git('commit', '-qm', 'pipeline');
  return { A: s, remote };
}

/** A fresh clone with the remote's local-only settings (credentials) set again. */
function cloneOf(s: Sandbox, remote: RemoteUnderTest): Sandbox {
  const c = new Sandbox({ git: false });
  c.git('clone', '-q', s.root, '.');
  connect(c, remote, ['local']);
  return c;
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

describe.each(BACKENDS)('run-cache through a remote: %s', (backend) => {
  it('push --run-cache in one clone; pull --run-cache and repro restore in another', async () => {
    const { A, remote } = project(backend, [1, 2]);
    const runs = runsOf(A);
    expect(runs).toHaveLength(2);

    // A plain push sends what dvc.lock records (out/: manifest and 2 files, model.txt), no runs.
    expect(A.ok(['push'], { env: ENV }).stdout).toBe('4 files pushed\n');
    expect(await remote.keys('runs')).toEqual([]);

    // A remote without runs/ is fine: there is nothing to fetch.
    const B = cloneOf(A, remote);
    const first = B.ok(['fetch', '--run-cache'], { env: ENV });
    expect(first.stdout).toBe('4 files fetched\n');
    expect(first.stderr).not.toContain('run-cache');
    expect(runsOf(B)).toEqual([]);

    // --run-cache sends both entries, and what the run not in dvc.lock made (b.txt, model.txt and
    // out/'s manifest of factor 1); the count includes the entries, as DVC's does.
    expect(A.ok(['push', '--run-cache'], { env: ENV }).stdout).toBe('5 files pushed\n');
    expect(await remote.keys('runs')).toEqual(runs);
    for (const key of runs) expect((await remote.read(key, 'runs')).equals(fs.readFileSync(A.abs(`.dvc/cache/runs/${key}`)))).toBe(true);
    expect(await remote.keys()).toEqual(A.cacheOids().map((o) => `${o.slice(0, 2)}/${o.slice(2)}`));
    expect(A.ok(['push', '--run-cache'], { env: ENV }).stdout).toBe('Everything is up to date.\n');

    // B: the entries arrive (the summary counts data files only, as DVC's does), and the checkout
    // is of dvc.lock's outputs.
    const pulled = B.ok(['pull', '--run-cache'], { env: ENV });
    expect(pulled.stdout).toBe('A       model.txt\nA       out/\n2 files added\n');
    expect(pulled.stderr).toContain('2 run-cache entries fetched\n');
    expect(runsOf(B)).toEqual(runs);

    // Outputs deleted, nothing else changed: restored from the run-cache, not run.
    fs.rmSync(B.abs('out'), { recursive: true });
    fs.rmSync(B.abs('model.txt'));
    const restored = B.ok(['repro'], { env: ENV });
    expect(restored.stdout).toContain(CACHED);
    expect(ranStages(restored)).toEqual([]);
    expect(B.exists('runs.log')).toBe(false);
    expect(B.read('model.txt')).toBe('data\nfactor: 2\n');
    expect(B.ok(['status']).stdout).toBe('Data and pipelines are up to date.\n');

    // Back to the earlier run's params: its entry matches, and --pull brings what it made.
    B.write('params.yaml', 'factor: 1\n');
    const earlier = B.ok(['repro', '--pull'], { env: ENV });
    expect(earlier.stdout).toContain(CACHED);
    expect(ranStages(earlier)).toEqual([]);
    expect(B.exists('runs.log')).toBe(false);
    expect(B.read('model.txt')).toBe('data\nfactor: 1\n');
    expect(B.read('out/b.txt')).toBe('factor: 1\n');
    expect(B.ok(['status']).stdout).toBe('Data and pipelines are up to date.\n');

    // Without the run-cache, the earlier params make the stage run. (Deleted outputs alone would
    // not: they come back from the stage's own dvc.lock entry, as in DVC.)
    const C = cloneOf(A, remote);
    C.ok(['pull'], { env: ENV });
    C.write('params.yaml', 'factor: 1\n');
    const ran = C.ok(['repro', '--pull'], { env: ENV });
    expect(ranStages(ran)).toEqual(['train']);
    expect(ran.stdout).not.toContain('is cached');
    expect(C.read('runs.log')).toBe('train\n');
  });

  it('never adopts a corrupt entry from the remote: it is reported, the sound ones arrive', async () => {
    const { A, remote } = project(backend, [1, 2]);
    A.ok(['push', '--run-cache'], { env: ENV });
    const [e1, e2] = (await remote.keys('runs')).map((k) => ({ key: k, bytes: fs.readFileSync(A.abs(`.dvc/cache/runs/${k}`)) }));
    const valueOf = (k: string) => k.split('/')[2]!;
    const keyDir = (key: string) => `${key.slice(0, 2)}/${key}`;
    // Another entry's bytes under e1's name; a sound entry filed under a key that is not its own;
    // bytes that are not a lock entry at all.
    await remote.overwrite(e1!.key, e2!.bytes, 'runs');
    const misfiled = `${keyDir(sha256('another stage'))}/${valueOf(e2!.key)}`;
    await remote.overwrite(misfiled, e2!.bytes, 'runs');
    const garbage = `${keyDir(sha256('garbage'))}/${sha256('garbage bytes')}`;
    await remote.overwrite(garbage, Buffer.from('cmd: [unclosed\n'), 'runs');

    const D = cloneOf(A, remote);
    const r = D.trove(['fetch', '--run-cache'], { env: ENV });
    expectCleanFailure(r, /corrupt/);
    expect(r.stdout).toBe('4 files fetched\n');
    expect(r.stderr).toContain('1 run-cache entry fetched\n');
    expect(r.stderr).toMatch(new RegExp(`ERROR: runs/${e1!.key}: .*is corrupt \\(its content hashes to [0-9a-f]{64}\\); it was not saved`));
    expect(r.stderr).toMatch(new RegExp(`ERROR: runs/${misfiled}: .*is corrupt \\(it belongs under key ${e2!.key.split('/')[1]}\\)`));
    expect(r.stderr).toMatch(new RegExp(`ERROR: runs/${garbage}: .*is corrupt \\(it is not a stage's lock entry`));
    expect(r.stderr).toContain("ERROR: failed to fetch data from remote 'store': 3 files failed to download\n");
    expect(r.stderr).not.toContain('run the same command again');
    expect(runsOf(D)).toEqual([e2!.key]);
    expect(fs.readdirSync(D.abs('.dvc/cache/runs'), { recursive: true }).map(String).filter((n) => n.includes('.tmp'))).toEqual([]);

    // The corrupt ones are refused again next time; the one adopted is not fetched twice.
    const again = D.trove(['fetch', '--run-cache'], { env: ENV });
    expectCleanFailure(again, /3 files failed to download/);
    expect(again.stderr).not.toContain('run-cache entry fetched');
  });

  it('an interrupted push or fetch --run-cache, run again, completes', async () => {
    const { A, remote } = project(backend, [1, 2, 3, 4]);
    const objects = A.cacheOids().length; // out/a.txt is shared: 1 + 4 x (b.txt, model.txt, manifest)
    expect(objects).toBe(13);
    // Objects go first and entries last: killed after all objects and two entries.
    const killed = A.trove(['push', '--run-cache', '-j', '1'], { env: { ...ENV, TROVE_FAULT_KILL_AFTER: String(objects + 2) } });
    expect(killed.signal).toBe('SIGKILL');
    expect(await remote.keys()).toHaveLength(objects);
    const arrived = (await remote.keys('runs')).length;
    expect(arrived).toBe(2);
    expect(A.ok(['push', '--run-cache'], { env: ENV }).stdout).toBe(`${4 - arrived} files pushed\n`);
    expect(await remote.keys('runs')).toEqual(runsOf(A));

    const B = cloneOf(A, remote);
    const killedFetch = B.trove(['fetch', '--run-cache', '-j', '1'], { env: { ...ENV, TROVE_FAULT_KILL_AFTER: '3' } });
    expect(killedFetch.signal).toBe('SIGKILL');
    expect(runsOf(B)).toHaveLength(3);
    const rest = B.ok(['fetch', '--run-cache'], { env: ENV });
    expect(rest.stderr).toContain('1 run-cache entry fetched\n');
    expect(runsOf(B)).toEqual(runsOf(A));
  });
});

describe.each(BACKENDS)('run-cache through a remote that is down: %s', (backend) => {
  it('push and fetch --run-cache fail fast with one clear error and no stack', async () => {
    const { A, remote } = project(backend, [1]);
    for (const [key, value, level] of await remote.downSettings()) A.ok(['remote', 'modify', ...(level === 'local' ? ['--local'] : []), 'store', key, value]);
    for (const args of [['push', '--run-cache'], ['fetch', '--run-cache']]) {
      const r = A.trove(args, { env: ENV });
      expectCleanFailure(r, /remote 'store'/);
      expect(r.stderr.match(/^ERROR:/gm)).toHaveLength(1);
    }
  });
});

describe('push --run-cache when an output fails to upload', () => {
  it('holds back the entry of that run until its outputs are on the remote', async () => {
    const { A, remote } = project('local', [1, 2]);
    const entries = runsOf(A);
    // The run of factor 1 is only in the run-cache: break the cache file of its model.txt.
    const model1 = createHash('md5').update('data\nfactor: 1\n').digest('hex');
    const file = A.abs(`.dvc/cache/files/md5/${model1.slice(0, 2)}/${model1.slice(2)}`);
    fs.rmSync(file);
    fs.mkdirSync(file);
    const r = A.trove(['push', '--run-cache'], { env: ENV });
    expectCleanFailure(r, /failed to upload/);
    expect(r.stderr).toContain(`ERROR: ${model1}: `);
    const pushed = await remote.keys('runs');
    expect(pushed).toHaveLength(1);
    expect(entries).toContain(pushed[0]);
    expect(A.readBytes(`.dvc/cache/runs/${pushed[0]}`).toString()).toContain('factor: 2');

    fs.rmSync(file, { recursive: true });
    fs.writeFileSync(file, 'data\nfactor: 1\n', { mode: 0o444 });
    expect(A.ok(['push', '--run-cache'], { env: ENV }).stdout).toBe('2 files pushed\n');
    expect(await remote.keys('runs')).toEqual(entries);
  });
});

describe('push --run-cache with a corrupt entry in the cache', () => {
  it('does not push it, says which, and pushes the sound ones', async () => {
    const { A, remote } = project('local', [1, 2]);
    const [bad, good] = runsOf(A);
    fs.writeFileSync(A.abs(`.dvc/cache/runs/${bad}`), 'cmd: edited by hand\n');
    const r = A.trove(['push', '--run-cache'], { env: ENV });
    expectCleanFailure(r, /1 file failed to upload/);
    expect(r.stderr).toContain(`ERROR: runs/${bad}: run-cache entry in the cache is corrupt (its content hashes to `);
    expect(r.stdout).toMatch(/^\d+ files pushed\n$/);
    expect(await remote.keys('runs')).toEqual([good]);
  });
});
