import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { dirDvc, expectCleanFailure, fileDvc, md5, repo } from './helpers.js';

describe('trove commit', () => {
  it('-f records the changed workspace in the pointer files and the cache', () => {
    const s = repo();
    s.writeAll({ 'f.txt': 'v1', 'd/a': 'a', 'd/s/b': 'b' });
    s.ok(['add', 'f.txt', 'd']);
    s.write('f.txt', 'version two');
    s.write('d/s/b', 'bb');
    s.write('d/c', 'c');
    const r = s.ok(['commit', '-f']);
    expect(r.stderr).toContain('\tgit add d.dvc f.txt.dvc\n');
    expect(s.read('f.txt.dvc')).toBe(fileDvc('f.txt', 'version two'));
    expect(s.read('d.dvc')).toBe(dirDvc('d', { a: 'a', 's/b': 'bb', c: 'c' }));
    expect(s.cacheOids()).toContain(md5('version two'));
    expect(s.cacheOids()).toContain(md5('bb'));
    expect(s.cacheOids()).toContain(md5('c'));
    expect(s.ok(['status']).stdout).toBe('Data and pipelines are up to date.\n');
  });

  it('without -f and without a terminal it refuses, with a hint, and changes nothing', () => {
    const s = repo();
    s.write('f.txt', 'v1');
    s.ok(['add', 'f.txt']);
    s.write('f.txt', 'v2');
    const before = s.read('f.txt.dvc');
    const r = s.trove(['commit']);
    expectCleanFailure(r, /unable to commit changed 'f\.txt\.dvc'/);
    expect(r.stderr).toMatch(/-f\|--force/);
    expect(s.read('f.txt.dvc')).toBe(before);
    expect(s.cacheOids()).not.toContain(md5('v2'));
  });

  it('core.autostage stages the committed pointer files', () => {
    const s = repo();
    s.ok(['config', 'core.autostage', 'true']);
    s.write('f.txt', 'v1');
    s.ok(['add', 'f.txt']);
    s.git('add', '-A');
    s.git('commit', '-q', '-m', 'v1');
    s.write('f.txt', 'v2');
    const r = s.ok(['commit', '-f']);
    expect(r.stderr).not.toContain('git add');
    expect(s.staged()).toEqual(['f.txt.dvc']);
  });

  it('a `cache: false` output is hashed and recorded, never stored in the cache or gitignored', () => {
    const s = repo();
    s.write('metrics.json', '{"acc": 0.9}\n');
    s.write('metrics.json.dvc', 'outs:\n- path: metrics.json\n  cache: false\n');
    s.ok(['commit']);
    expect(s.read('metrics.json.dvc')).toContain(`md5: ${md5('{"acc": 0.9}\n')}`);
    expect(s.read('metrics.json.dvc')).toContain('cache: false');
    expect(s.cacheOids()).toEqual([]);
    expect(s.exists('.gitignore')).toBe(false);
    expect(s.ok(['status']).stdout).toBe('Data and pipelines are up to date.\n');
    s.write('metrics.json', '{"acc": 0.95}\n');
    expect(JSON.parse(s.ok(['status', '--json']).stdout)).toEqual({ 'metrics.json.dvc': [{ 'changed outs': { 'metrics.json': 'modified' } }] });
    s.ok(['commit', '-f']);
    expect(s.cacheOids()).toEqual([]);
    // checkout leaves it alone (nothing to restore it from).
    expect(s.ok(['checkout']).stdout).toBe('');
    expect(s.read('metrics.json')).toBe('{"acc": 0.95}\n');
  });

  it('targets only the named outputs', () => {
    const s = repo();
    s.writeAll({ 'a.txt': 'a1', 'b.txt': 'b1' });
    s.ok(['add', 'a.txt', 'b.txt']);
    s.write('a.txt', 'a2');
    s.write('b.txt', 'b2');
    s.ok(['commit', '-f', 'a.txt.dvc']);
    expect(s.read('a.txt.dvc')).toBe(fileDvc('a.txt', 'a2'));
    expect(s.read('b.txt.dvc')).toBe(fileDvc('b.txt', 'b1'));
    s.ok(['commit', '-f', 'b.txt']);
    expect(s.read('b.txt.dvc')).toBe(fileDvc('b.txt', 'b2'));
  });

  it('an unchanged workspace commits nothing; a deleted output is an error', () => {
    const s = repo();
    s.write('a.txt', 'a');
    s.ok(['add', 'a.txt']);
    const r = s.ok(['commit']);
    expect(r.stderr).not.toContain('git add');
    s.write('b.txt', 'b');
    s.ok(['add', 'b.txt']);
    fs.rmSync(s.abs('b.txt'));
    expectCleanFailure(s.trove(['commit', '-f', 'b.txt.dvc']), /does not exist/);
  });

  it('re-saves objects missing from the cache even when the hash is unchanged', () => {
    const s = repo();
    s.write('a.txt', 'a');
    s.ok(['add', 'a.txt']);
    const [obj] = s.cacheObjects();
    fs.rmSync(obj!.path);
    s.ok(['commit']);
    expect(s.cacheOids()).toEqual([md5('a')]);
    expect(s.ok(['status']).stdout).toBe('Data and pipelines are up to date.\n');
  });
});
