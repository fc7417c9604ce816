/**
 * gc -c (the remote too, on every backend), gc -p (projects sharing one cache), and gc's output
 * against what DVC 3.22.1 printed for `gc -w -f` and `gc -w -c -f` with nothing to remove.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BACKENDS, remoteUnderTest, type RemoteUnderTest } from '../servers/remote-backends.js';
import { expectCleanFailure, FORMATS, isRoot, manifestOf, md5, repo, type Sandbox } from './helpers.js';

const ENV = { TROVE_RETRY_BASE_MS: '20' };

/** A golden transcript split as trove prints it: WARNING lines on stderr, the rest on stdout. */
function golden(name: string): { stdout: string; stderr: string } {
  const lines = fs.readFileSync(path.join(FORMATS, 'outputs', name), 'utf8').split('\n');
  const body = lines.slice(1, lines.lastIndexOf('[exit 0]'));
  const join = (ls: string[]) => ls.map((l) => `${l}\n`).join('');
  return { stdout: join(body.filter((l) => !l.startsWith('WARNING: '))), stderr: join(body.filter((l) => l.startsWith('WARNING: '))) };
}

const key = (oid: string) => `${oid.slice(0, 2)}/${oid.slice(2)}`;

function commit(s: Sandbox, msg: string): void {
  s.git('add', '-A');
  s.git('commit', '-qm', msg);
}

/** c1: data/ v1 + model v1; c2 (HEAD): data/ v2 + model v2; plus an object nothing names. */
function twoVersions(s: Sandbox): { old: string[]; current: string[]; orphan: string } {
  s.writeAll({ 'data/a.txt': 'a1\n', 'data/b.txt': 'b\n', 'model.bin': 'm1\n' });
  s.ok(['add', 'data', 'model.bin']);
  commit(s, 'v1');
  s.writeAll({ 'data/a.txt': 'a2\n', 'model.bin': 'm2\n' });
  s.ok(['add', 'data', 'model.bin']);
  commit(s, 'v2');
  s.write('orphan.txt', 'orphan\n');
  s.ok(['add', 'orphan.txt']);
  fs.rmSync(s.abs('orphan.txt.dvc'));
  const old = [manifestOf({ 'a.txt': 'a1\n', 'b.txt': 'b\n' }).oid, md5('a1\n'), md5('m1\n')].sort();
  const current = [manifestOf({ 'a.txt': 'a2\n', 'b.txt': 'b\n' }).oid, md5('a2\n'), md5('b\n'), md5('m2\n')].sort();
  return { old, current, orphan: md5('orphan\n') };
}

function setUp(s: Sandbox, remote: RemoteUnderTest): void {
  s.ok(['remote', 'add', '-d', 'store', remote.url]);
  for (const [k, value, level] of remote.settings) s.ok(['remote', 'modify', ...(level === 'local' ? ['--local'] : []), 'store', k, value]);
}

describe("gc's output is DVC's", () => {
  it('gc -w -f and gc -w -c -f with nothing to remove print what DVC 3.22.1 printed', () => {
    const s = repo();
    s.write('x.txt', 'x\n');
    s.ok(['add', 'x.txt']);
    s.ok(['remote', 'add', '-d', 'storage', `${s.base}/remote`]);
    s.ok(['push', '-q']);
    const w = s.ok(['gc', '-w', '-f']);
    expect({ stdout: w.stdout, stderr: w.stderr }).toEqual(golden('dvc-gc-w.txt'));
    const c = s.ok(['gc', '-w', '-c', '-f']);
    expect({ stdout: c.stdout, stderr: c.stderr }).toEqual(golden('dvc-gc-w-cloud.txt'));
  });
});

describe.each(BACKENDS)('gc -c on a %s remote', (backend) => {
  it('deletes from the remote what the scope does not use, after --dry showed it; -A keeps history', async () => {
    const s = repo();
    const { old, current, orphan } = twoVersions(s);
    const remote = remoteUnderTest(backend, s.base);
    setUp(s, remote);
    s.ok(['push', '-A', '-q'], { env: ENV });
    // An object that only the remote and the cache hold: pushed, then its pointer file deleted.
    s.write('pushed-orphan.txt', 'orphan2\n');
    s.ok(['add', 'pushed-orphan.txt']);
    s.ok(['push', '-q', 'pushed-orphan.txt'], { env: ENV });
    fs.rmSync(s.abs('pushed-orphan.txt.dvc'));
    const all = [...old, ...current].sort();
    expect(await remote.keys()).toEqual([...all, md5('orphan2\n')].sort().map(key));

    // -A: history stays on both sides; only what no commit names goes.
    const keepAll = s.ok(['gc', '-A', '-c', '-f'], { env: ENV });
    expect(keepAll.stdout).toBe("Removed 2 objects (15 B) from 'local' cache.\nNo unused 'legacy' cache to remove.\nRemoved 1 object (8 B) from remote 'store'.\n");
    expect(s.cacheOids()).not.toContain(orphan);
    expect(await remote.keys()).toEqual(all.map(key));

    const dry = JSON.parse(s.ok(['gc', '-w', '-c', '--dry', '--json'], { env: ENV }).stdout);
    expect(dry.remote.name).toBe('store');
    expect(dry.remote.removed).toEqual(old);
    expect(dry.remote.bytes).toBeGreaterThan(0);
    expect(await remote.keys()).toEqual(all.map(key));

    const r = s.ok(['gc', '-w', '-c', '-f', '-j', '3'], { env: ENV });
    expect(r.stdout).toMatch(new RegExp(`^Removed ${old.length} objects \\(\\d+ B\\) from 'local' cache\\.\nNo unused 'legacy' cache to remove\\.\nRemoved ${old.length} objects \\(${dry.remote.bytes} B\\) from remote 'store'\\.\n$`));
    expect(await remote.keys()).toEqual(current.map(key));
    expect(s.cacheOids().sort()).toEqual(current);
    // The data the workspace uses can still come back from the remote.
    fs.rmSync(s.abs('.dvc/cache'), { recursive: true });
    fs.rmSync(s.abs('data'), { recursive: true });
    s.ok(['pull', '-q'], { env: ENV });
    expect(s.read('data/a.txt')).toBe('a2\n');
  });
});

describe('gc -c', () => {
  it('without -f and a terminal it names the remote in an extra warning, and refuses', () => {
    const s = repo();
    twoVersions(s);
    s.ok(['remote', 'add', '-d', 'store', `${s.base}/remote`]);
    s.ok(['push', '-A', '-q']);
    const r = s.trove(['gc', '-w', '-c']);
    expectCleanFailure(r, /confirmation/);
    expect(r.stderr).toContain("WARNING: With -c, gc also deletes these objects from remote 'store'");
    expect(fs.readdirSync(`${s.base}/remote/files/md5`, { recursive: true }).length).toBeGreaterThan(0);
  });

  it('an unknown remote or no remote at all fails before anything is deleted', () => {
    const s = repo();
    twoVersions(s);
    const before = s.cacheOids();
    expectCleanFailure(s.trove(['gc', '-w', '-c', '-f']), /no remote specified/);
    expectCleanFailure(s.trove(['gc', '-w', '-c', '-r', 'nosuch', '-f']), /nosuch/);
    expect(s.cacheOids()).toEqual(before);
  });

  it.skipIf(!isRoot || spawnSync('chattr', ['--help']).error !== undefined)('an object the remote refuses to delete is reported once at the end, exit 1', () => {
    const s = repo();
    const { old } = twoVersions(s);
    const root = `${s.base}/remote`;
    s.ok(['remote', 'add', '-d', 'store', root]);
    s.ok(['push', '-A', '-q']);
    const stuck = path.join(root, 'files', 'md5', key(old.find((o) => !o.endsWith('.dir'))!));
    if (spawnSync('chattr', ['+i', stuck]).status !== 0) return;
    try {
      const r = s.trove(['gc', '-w', '-c', '-f'], { env: ENV });
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/ERROR: failed to remove unused objects from remote 'store'/);
      expect(r.stderr).toContain('run the same command again');
      expect(r.stdout).toContain("from 'local' cache.");
    } finally {
      spawnSync('chattr', ['-i', stuck]);
    }
  });
});

describe('gc --not-in-remote', () => {
  it('frees the cache of what the remote holds, keeps what it lacks, and pull brings the rest back', () => {
    const s = repo();
    const { old, current } = twoVersions(s);
    s.ok(['remote', 'add', '-d', 'store', `${s.base}/remote`]);
    s.ok(['push', '-q']); // the workspace's objects only: v1's are in the cache alone
    s.write('new.txt', 'not pushed\n');
    s.ok(['add', 'new.txt']);
    expectCleanFailure(s.trove(['gc', '-w', '-c', '--not-in-remote']), /mutually exclusive/, 2);
    const r = s.ok(['gc', '-A', '--not-in-remote', '-f']);
    expect(r.stderr).toBe("WARNING: This will remove all cache except items used in the workspace and all git commits that are not in remote 'store' of the current repo.\n");
    // Gone: what the remote holds, and the orphan. Kept: what only the cache holds.
    expect(s.cacheOids().sort()).toEqual([...old, md5('not pushed\n')].sort());
    fs.rmSync(s.abs('data'), { recursive: true });
    s.ok(['pull', '-q']);
    expect(s.read('data/a.txt')).toBe('a2\n');
    expect(s.cacheOids()).toEqual(expect.arrayContaining(current));
  });
});

/** Two projects whose cache.dir is one shared directory; B has a committed version and a newer one. */
function sharedCache(): { a: Sandbox; b: Sandbox; aObjs: string[]; bNow: string; bOld: string } {
  const a = repo();
  const b = repo();
  const shared = path.join(a.base, 'shared-cache');
  for (const p of [a, b]) p.ok(['config', 'cache.dir', shared]);
  a.writeAll({ 'x/1.txt': 'x1\n', 'x/2.txt': 'x2\n' });
  a.ok(['add', 'x']);
  commit(a, 'x');
  b.write('y.txt', 'y-old\n');
  b.ok(['add', 'y.txt']);
  commit(b, 'y old');
  b.write('y.txt', 'y-new\n');
  b.ok(['add', 'y.txt']);
  return { a, b, aObjs: a.cacheOids(shared).filter((o) => o !== md5('y-old\n') && o !== md5('y-new\n')), bNow: md5('y-new\n'), bOld: md5('y-old\n') };
}

describe('gc -p: projects sharing one cache', () => {
  it('without -p the other project loses its data; with -p its workspace (and scope) are kept', () => {
    const { a, b, aObjs, bNow, bOld } = sharedCache();
    const shared = path.join(a.base, 'shared-cache');
    expect(a.cacheOids(shared)).toEqual(expect.arrayContaining([bNow, bOld]));

    const dry = JSON.parse(a.ok(['gc', '-w', '--dry', '--json']).stdout);
    expect(dry.layouts[0].removed).toEqual([bNow, bOld].sort());

    const w = a.ok(['gc', '-w', '-p', b.root, '-f']);
    expect(w.stderr).toBe(`WARNING: This will remove all cache except items used in the workspace of the current and the following repos:\n  - ${b.root}\n`);
    expect(a.cacheOids(shared).sort()).toEqual([...aObjs, bNow].sort());

    // Put the old version back in the cache, then keep every commit of both projects.
    for (const v of ['y-old\n', 'y-new\n']) {
      b.write('y.txt', v);
      b.ok(['add', 'y.txt']);
    }
    expect(a.cacheOids(shared)).toEqual(expect.arrayContaining([bNow, bOld]));
    const rel = path.relative(a.root, b.root);
    a.ok(['gc', '-A', '-p', rel, '-f']);
    expect(a.cacheOids(shared).sort()).toEqual([...aObjs, bNow, bOld].sort());
    expect(JSON.parse(a.ok(['gc', '-A', '-p', rel, '--dry', '--json']).stdout).projects).toEqual([b.root]);
  });

  it('a malformed pointer file in the other project stops gc, naming the project', () => {
    const { a, b } = sharedCache();
    b.write('bad.dvc', 'outs:\n- md5: nope\n  path: z\n');
    const r = a.trove(['gc', '-w', '-p', b.root, '-f']);
    expectCleanFailure(r, new RegExp(`in project '${b.root.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}': bad\\.dvc:2`));
  });

  it('a project that does not exist, or is not a DVC project, is refused; so is one whose lock is held', () => {
    const { a, b } = sharedCache();
    const before = a.cacheOids(path.join(a.base, 'shared-cache'));
    expectCleanFailure(a.trove(['gc', '-w', '-p', '/nonexistent/project', '-f']), /project '\/nonexistent\/project' does not exist/);
    fs.mkdirSync(path.join(a.base, 'plain'));
    expectCleanFailure(a.trove(['gc', '-w', '-p', path.join(a.base, 'plain'), '-f']), /is not a DVC project/);
    const holder = b.spawnProcess('sleep', ['60']);
    b.write('.dvc/tmp/lock', JSON.stringify({ pid: holder.pid, command: 'add' }));
    expectCleanFailure(a.trove(['gc', '-w', '-p', b.root, '-f'], { env: { TROVE_LOCK_WAIT_MS: '100' } }), new RegExp(`locked by process ${holder.pid}`));
    expect(a.cacheOids(path.join(a.base, 'shared-cache'))).toEqual(before);
    expect(a.exists('.dvc/tmp/lock')).toBe(false);
  });
});
