import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { dirDvc, expectCleanFailure, fileDvc, repo } from './helpers.js';

describe('trove remove', () => {
  it('stops tracking: deletes the pointer file and its .gitignore line, keeps the data and the cache', () => {
    const s = repo();
    s.writeAll({ 'a.txt': 'a', 'b.txt': 'b' });
    s.ok(['add', 'a.txt', 'b.txt']);
    const cache = s.cacheOids();
    const r = s.ok(['remove', 'a.txt.dvc']);
    expect(r.stderr).toContain('\tgit add .gitignore\n\tgit rm --cached -q --ignore-unmatch a.txt.dvc\n');
    expect(s.exists('a.txt.dvc')).toBe(false);
    expect(s.read('a.txt')).toBe('a');
    expect(s.read('.gitignore')).toBe('/b.txt\n');
    expect(s.cacheOids()).toEqual(cache);
  });

  it('deletes a .gitignore that only held the entry; accepts the output path too', () => {
    const s = repo();
    s.write('sub/d/x', 'x');
    s.ok(['add', 'sub/d']);
    expect(s.read('sub/.gitignore')).toBe('/d\n');
    s.ok(['remove', 'sub/d']);
    expect(s.exists('sub/d.dvc')).toBe(false);
    expect(s.exists('sub/.gitignore')).toBe(false);
    expect(s.read('sub/d/x')).toBe('x');
  });

  it('--outs deletes the data from the workspace too', () => {
    const s = repo();
    s.writeAll({ 'd/x': 'x', 'f': 'f' });
    s.ok(['add', 'd', 'f']);
    s.ok(['remove', '--outs', 'd.dvc', 'f.dvc']);
    expect(s.exists('d')).toBe(false);
    expect(s.exists('f')).toBe(false);
    expect(s.exists('.gitignore')).toBe(false);
  });

  it('with core.autostage, stages the deletion', () => {
    const s = repo();
    s.write('a.txt', 'a');
    s.ok(['config', 'core.autostage', 'true']);
    s.ok(['add', 'a.txt']);
    s.git('add', '.dvc/config');
    s.git('commit', '-q', '-m', 'track a');
    const r = s.ok(['remove', 'a.txt.dvc']);
    expect(r.stderr).not.toContain('git add');
    expect(s.git('status', '--porcelain').split('\n').filter(Boolean).sort()).toEqual(['D  .gitignore', 'D  a.txt.dvc', '?? a.txt'].sort());
  });

  it('fails clearly on something that is neither a pointer file nor a stage', () => {
    const s = repo();
    s.write('plain.txt', 'p');
    expectCleanFailure(s.trove(['remove', 'plain.txt']), /'plain.txt' is neither a .dvc file nor a stage/);
    expectCleanFailure(s.trove(['remove', 'gone.dvc']), /does not exist/);
    expect(s.trove(['remove']).code).toBe(2);
  });
});

describe('trove move', () => {
  it('renames a file output: data, pointer file, path inside it, .gitignore', () => {
    const s = repo();
    s.write('data.csv', 'a,b\n');
    s.ok(['add', 'data.csv']);
    const r = s.ok(['move', 'data.csv', 'renamed.csv']);
    expect(r.stderr).toContain('\tgit add .gitignore renamed.csv.dvc\n\tgit rm --cached -q --ignore-unmatch data.csv.dvc\n');
    expect(s.exists('data.csv')).toBe(false);
    expect(s.exists('data.csv.dvc')).toBe(false);
    expect(s.read('renamed.csv')).toBe('a,b\n');
    expect(s.read('renamed.csv.dvc')).toBe(fileDvc('renamed.csv', 'a,b\n'));
    expect(s.read('.gitignore')).toBe('/renamed.csv\n');
    expect(s.ok(['status']).stdout).toBe('Data and pipelines are up to date.\n');
  });

  it('moves a directory output into another directory, keeping unknown fields', () => {
    const s = repo();
    s.writeAll({ 'd/x': 'x', 'd/y/z': 'z' });
    s.ok(['add', 'd']);
    s.write('d.dvc', `${s.read('d.dvc')}  desc: the d data\n`);
    fs.mkdirSync(s.abs('archive'));
    s.ok(['move', 'd', 'archive']);
    expect(s.read('archive/d/y/z')).toBe('z');
    expect(s.read('archive/d.dvc')).toBe(`${dirDvc('d', { x: 'x', 'y/z': 'z' })}  desc: the d data\n`);
    expect(s.read('archive/.gitignore')).toBe('/d\n');
    expect(s.exists('.gitignore')).toBe(false);
    s.ok(['move', 'archive/d', 'deeper/new-name']);
    expect(s.read('deeper/new-name.dvc')).toBe(`${dirDvc('new-name', { x: 'x', 'y/z': 'z' })}  desc: the d data\n`);
    expect(s.read('deeper/.gitignore')).toBe('/new-name\n');
    expect(s.ok(['status']).stdout).toBe('Data and pipelines are up to date.\n');
  });

  it('refuses to overwrite, to move untracked data, and to leave the repository', () => {
    const s = repo();
    s.writeAll({ 'a.txt': 'a', 'b.txt': 'b', 'plain': 'p' });
    s.ok(['add', 'a.txt']);
    expectCleanFailure(s.trove(['move', 'a.txt', 'b.txt']), /already exists/);
    expect(s.read('b.txt')).toBe('b');
    expectCleanFailure(s.trove(['move', 'plain', 'other']), /not tracked/);
    expectCleanFailure(s.trove(['move', 'a.txt', '../outside.txt']), /outside of the repository/);
    expectCleanFailure(s.trove(['move', 'a.txt', '.git/a.txt']), /\.git/);
    expect(s.read('a.txt')).toBe('a');
    expect(s.read('a.txt.dvc')).toBe(fileDvc('a.txt', 'a'));
  });
});
