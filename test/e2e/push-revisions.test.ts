/** push, fetch, pull and status -c with -a / -T / --all-commits: the data of other git revisions, read through git. */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { expectCleanFailure, md5, repo, type Sandbox } from './helpers.js';

function remoteKeys(root: string): string[] {
  const base = path.join(root, 'files', 'md5');
  if (!fs.existsSync(base)) return [];
  return fs.readdirSync(base).flatMap((d) => fs.readdirSync(path.join(base, d)).map((n) => d + n)).sort();
}

/** main: v1 (tagged) then v2; branch exp: v3; detached history commit v0 before v1. */
function history(): { s: Sandbox; remote: string } {
  const s = repo();
  const remote = path.join(s.base, 'remote');
  s.ok(['remote', 'add', '-d', 'local', remote]);
  const commit = (content: string, msg: string) => {
    s.write('data.csv', content);
    s.ok(['add', 'data.csv']);
    s.git('add', '-A');
    s.git('commit', '-qm', msg);
  };
  commit('v0\n', 'v0');
  commit('v1\n', 'v1');
  s.git('tag', '-a', 'v1', '-m', 'release 1');
  s.git('checkout', '-q', '-b', 'exp');
  commit('v3\n', 'v3 on exp');
  s.git('checkout', '-q', 'main');
  commit('v2\n', 'v2');
  return { s, remote };
}

describe('push across git revisions', () => {
  it('plain push sends the workspace; -T adds tags, -a branches, --all-commits every commit', () => {
    const { s, remote } = history();
    expect(s.ok(['push']).stdout).toBe('1 file pushed\n');
    expect(remoteKeys(remote)).toEqual([md5('v2\n')]);
    expect(s.ok(['push', '-T']).stdout).toBe('1 file pushed\n');
    expect(remoteKeys(remote)).toEqual([md5('v1\n'), md5('v2\n')].sort());
    expect(s.ok(['push', '-a']).stdout).toBe('1 file pushed\n');
    expect(remoteKeys(remote)).toEqual([md5('v1\n'), md5('v2\n'), md5('v3\n')].sort());
    expect(s.ok(['push', '--all-commits']).stdout).toBe('1 file pushed\n');
    expect(remoteKeys(remote)).toEqual(['v0\n', 'v1\n', 'v2\n', 'v3\n'].map(md5).sort());
    expect(s.ok(['push', '-A']).stdout).toBe('Everything is up to date.\n');
    // The working tree and index were never touched.
    expect(s.git('status', '--porcelain')).toBe('');
    expect(s.read('data.csv')).toBe('v2\n');
  });

  it('objects of old revisions missing from the cache are named, the rest still pushed', () => {
    const { s, remote } = history();
    fs.rmSync(s.abs(`.dvc/cache/files/md5/${md5('v0\n').slice(0, 2)}`), { recursive: true, force: true });
    const r = s.ok(['push', '--all-commits']);
    expect(r.stdout).toBe('3 files pushed\n');
    expect(r.stderr).toContain(`name: data.csv, md5: ${md5('v0\n')}`);
    expect(remoteKeys(remote)).toEqual(['v1\n', 'v2\n', 'v3\n'].map(md5).sort());
  });

  it('a malformed pointer file at an old commit is named and skipped; the rest is pushed', () => {
    const { s, remote } = history();
    s.write('bad.dvc', 'outs:\n- md5: xyz\n  path: bad.txt\n');
    s.git('add', 'bad.dvc');
    s.git('commit', '-qm', 'bad');
    s.git('rm', '-q', 'bad.dvc');
    s.git('commit', '-qm', 'fixed');
    const r = s.ok(['push', '-A']);
    expect(r.stderr).toMatch(/WARNING: skipped: [0-9a-f]{7}:bad\.dvc:2: 'xyz' is not an md5/);
    expect(remoteKeys(remote)).toEqual(['v0\n', 'v1\n', 'v2\n', 'v3\n'].map(md5).sort());
  });

  it('targets and revision flags do not mix', () => {
    const { s } = history();
    expectCleanFailure(s.trove(['push', '-a', 'data.csv']), /cannot be combined/, 2);
  });
});

describe('fetch, pull and status -c across git revisions', () => {
  function cacheHas(s: Sandbox, content: string): boolean {
    const oid = md5(content);
    return fs.existsSync(s.abs(`.dvc/cache/files/md5/${oid.slice(0, 2)}/${oid.slice(2)}`));
  }

  it('status -c -a/-T/-A names what other revisions need; fetch -T/-a/-A brings it; pull -A checks out only the workspace', () => {
    const { s } = history();
    s.ok(['push', '-A']);
    fs.rmSync(s.abs('.dvc/cache'), { recursive: true });
    // Cloud status of the workspace alone, then of every commit.
    expect(s.ok(['status', '-c']).stdout).toBe('\tdeleted:            data.csv\n');
    expect(JSON.parse(s.ok(['status', '-c', '-A', '--json']).stdout)).toEqual({ 'data.csv': 'deleted' });
    expectCleanFailure(s.trove(['status', '-a']), /go with -c/, 2);

    expect(s.ok(['fetch', '-T']).stdout).toBe('2 files fetched\n');
    expect(['v0\n', 'v1\n', 'v2\n', 'v3\n'].map((c) => cacheHas(s, c))).toEqual([false, true, true, false]);
    expect(s.ok(['fetch', '-a']).stdout).toBe('1 file fetched\n');
    expect(cacheHas(s, 'v3\n')).toBe(true);
    fs.rmSync(s.abs('data.csv'));
    const pulled = s.ok(['pull', '-A']);
    expect(pulled.stdout).toContain('1 file added and 1 file fetched');
    expect(['v0\n', 'v1\n', 'v2\n', 'v3\n'].every((c) => cacheHas(s, c))).toBe(true);
    expect(s.read('data.csv')).toBe('v2\n');
    expect(s.ok(['status', '-c', '-A']).stdout).toBe("Cache and remote 'local' are in sync.\n");
    expect(s.git('status', '--porcelain')).toBe('');
  });
});
