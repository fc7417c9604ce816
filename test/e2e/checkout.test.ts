import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { expectCleanFailure, md5, repo, type Sandbox } from './helpers.js';

const V1 = { 'd/a.txt': 'a1\n', 'd/s/b.bin': Buffer.from([0, 1, 2, 3, 255]), 'd/s/empty': '', 'f.csv': 'x,y\n1,2\n' };

function setup(): Sandbox {
  const s = repo();
  s.writeAll(V1);
  s.ok(['add', 'd', 'f.csv']);
  s.git('add', '-A');
  s.git('commit', '-q', '-m', 'v1');
  return s;
}

const snapshot = (s: Sandbox) => Object.fromEntries(s.files().filter((f) => !f.endsWith('.dvc') && !f.endsWith('.gitignore') && f !== '.dvcignore').map((f) => [f, md5(s.readBytes(f))]));

describe('trove checkout', () => {
  it('restores deleted files and directories byte for byte, printing A lines', () => {
    const s = setup();
    const before = snapshot(s);
    fs.rmSync(s.abs('d'), { recursive: true });
    fs.rmSync(s.abs('f.csv'));
    const r = s.ok(['checkout']);
    expect(r.stdout).toBe('A       d/\nA       f.csv\n');
    expect(snapshot(s)).toEqual(before);
    // Copies (the default on ext4): writable, not sharing the cache's inode.
    expect(s.mode('f.csv')).toBe(0o644);
    expect(s.mode('d/s/b.bin')).toBe(0o644);
    expect(s.ok(['status']).stdout).toBe('Data and pipelines are up to date.\n');
    // A second checkout has nothing to do, and says nothing.
    const again = s.ok(['checkout']);
    expect(again.stdout).toBe('');
    expect(again.stderr).toBe('');
  });

  it('restores a single file deleted inside a directory', () => {
    const s = setup();
    fs.rmSync(s.abs('d/s/b.bin'));
    expect(s.ok(['checkout']).stdout).toBe('M       d/\n');
    expect(s.readBytes('d/s/b.bin')).toEqual(Buffer.from([0, 1, 2, 3, 255]));
  });

  it('removes extra files inside a tracked directory when their content is in the cache', () => {
    const s = setup();
    s.write('d/copy-of-a.txt', 'a1\n');
    s.write('d/new/sub/also-a', 'a1\n');
    const r = s.ok(['checkout']);
    expect(r.stdout).toBe('M       d/\n');
    expect(s.exists('d/copy-of-a.txt')).toBe(false);
    expect(s.exists('d/new')).toBe(false);
    expect(s.files('d')).toEqual(['a.txt', 's/b.bin', 's/empty']);
  });

  it('refuses to overwrite a modified file whose content is not in the cache, names it, leaves it', () => {
    const s = setup();
    s.write('f.csv', 'precious uncommitted work\n');
    const r = s.trove(['checkout']);
    expectCleanFailure(r, /f\.csv/);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/-f/);
    expect(s.read('f.csv')).toBe('precious uncommitted work\n');
    const forced = s.ok(['checkout', '-f']);
    expect(forced.stdout).toBe('M       f.csv\n');
    expect(s.read('f.csv')).toBe('x,y\n1,2\n');
  });

  it('checkout --force prints what DVC printed in the shared session', () => {
    const s = repo();
    s.writeAll({ 'data.csv': 'a,b\n', 'images/img0.bin': 'i0', 'images/sub/note.txt': 'n\n' });
    s.ok(['add', 'data.csv', 'images']);
    s.write('data.csv', 'a,b\nlocal edit\n');
    s.write('images/sub/note.txt', 'local edit\n');
    const r = s.ok(['checkout', '--force']);
    const dvc = '/work/shared/dvc-formats/outputs/dvc-checkout.txt';
    const expected = fs.existsSync(dvc) ? fs.readFileSync(dvc, 'utf8').split('\n').slice(1, -2).join('\n') + '\n' : 'M       data.csv\nM       images/\n';
    expect(r.stdout).toBe(expected);
  });

  it('a target inside a tracked directory restores just that file', () => {
    const s = setup();
    fs.rmSync(s.abs('d/a.txt'));
    fs.rmSync(s.abs('d/s/b.bin'));
    s.ok(['checkout', 'd/a.txt']);
    expect(s.read('d/a.txt')).toBe('a1\n');
    expect(s.exists('d/s/b.bin')).toBe(false);
    s.ok(['checkout']);
    expect(s.readBytes('d/s/b.bin')).toEqual(Buffer.from([0, 1, 2, 3, 255]));
  });

  it('refuses to delete an uncached extra file inside a directory, then -f deletes it', () => {
    const s = setup();
    s.write('d/notes.txt', 'my notes\n');
    s.write('d/a.txt', 'edited\n');
    const r = s.trove(['checkout', 'd']);
    expectCleanFailure(r);
    expect(r.stderr).toContain('d/notes.txt');
    expect(r.stderr).toContain('d/a.txt');
    expect(s.read('d/notes.txt')).toBe('my notes\n');
    expect(s.read('d/a.txt')).toBe('edited\n');
    s.ok(['checkout', '-f', 'd']);
    expect(s.exists('d/notes.txt')).toBe(false);
    expect(s.read('d/a.txt')).toBe('a1\n');
  });

  it('overwrites a modified file silently when its content is in the cache', () => {
    const s = setup();
    s.write('f.csv', 'v2\n');
    s.ok(['commit', '-f']);
    s.git('checkout', '-q', '--', 'f.csv.dvc');
    // The workspace holds v2, which is cached: switching back to v1 is safe.
    expect(s.ok(['checkout']).stdout).toBe('M       f.csv\n');
    expect(s.read('f.csv')).toBe('x,y\n1,2\n');
  });

  it('follows git: an older commit\'s pointer files bring back the older data byte for byte', () => {
    const s = setup();
    const v1 = snapshot(s);
    s.write('f.csv', 'x,y\n1,2\n3,4\n');
    fs.rmSync(s.abs('d/s/b.bin'));
    s.write('d/added-in-v2.txt', 'v2 only\n');
    s.write('d/a.txt', 'a2\n');
    s.ok(['add', 'd', 'f.csv']);
    s.git('add', '-A');
    s.git('commit', '-q', '-m', 'v2');
    const v2 = snapshot(s);

    s.git('checkout', '-q', 'HEAD~1');
    const r = s.ok(['checkout']);
    expect(r.stdout).toBe('M       d/\nM       f.csv\n');
    expect(snapshot(s)).toEqual(v1);
    expect(s.exists('d/added-in-v2.txt')).toBe(false);

    s.git('checkout', '-q', 'main');
    s.ok(['checkout']);
    expect(snapshot(s)).toEqual(v2);
    expect(s.ok(['status']).stdout).toBe('Data and pipelines are up to date.\n');
  });

  it('--relink recreates links for files that are already right', () => {
    const s = setup();
    const ino = s.lstat('f.csv').ino;
    expect(s.ok(['checkout']).stdout).toBe('');
    expect(s.lstat('f.csv').ino).toBe(ino);
    s.ok(['checkout', '--relink']);
    expect(s.lstat('f.csv').ino).not.toBe(ino);
    expect(s.read('f.csv')).toBe('x,y\n1,2\n');
  });

  it('reports objects missing from the cache and exits non-zero', () => {
    const s = setup();
    fs.rmSync(s.cacheDir(), { recursive: true });
    fs.rmSync(s.abs('d'), { recursive: true });
    fs.rmSync(s.abs('f.csv'));
    const r = s.trove(['checkout']);
    expectCleanFailure(r, /Checkout failed for following targets/);
    expect(r.stderr).toContain('d/');
    expect(r.stderr).toContain('f.csv');
    expect(s.exists('f.csv')).toBe(false);
  });

  it('restores what it can of a directory when one file object is missing', () => {
    const s = setup();
    const obj = s.cacheObjects().find((o) => fs.readFileSync(o.path, 'utf8') === 'a1\n')!;
    fs.rmSync(obj.path);
    fs.rmSync(s.abs('d'), { recursive: true });
    const r = s.trove(['checkout']);
    expectCleanFailure(r, /Checkout failed/);
    expect(r.stderr).toContain('d/');
    expect(s.readBytes('d/s/b.bin')).toEqual(Buffer.from([0, 1, 2, 3, 255]));
    expect(s.exists('d/a.txt')).toBe(false);
  });

  it('checks out only the named targets', () => {
    const s = setup();
    fs.rmSync(s.abs('d'), { recursive: true });
    fs.rmSync(s.abs('f.csv'));
    expect(s.ok(['checkout', 'f.csv.dvc']).stdout).toBe('A       f.csv\n');
    expect(s.exists('d')).toBe(false);
    expect(s.ok(['checkout', 'd']).stdout).toBe('A       d/\n');
    expectCleanFailure(s.trove(['checkout', 'untracked.txt']), /not tracked/);
  });

  it('replaces a file where a directory output goes (and the reverse) when the content is cached', () => {
    const s = setup();
    fs.rmSync(s.abs('d'), { recursive: true });
    s.write('d', 'a1\n');
    expect(s.ok(['checkout']).stdout).toBe('M       d/\n');
    expect(s.lstat('d').isDirectory()).toBe(true);
    fs.rmSync(s.abs('f.csv'));
    s.write('f.csv/inner', 'a1\n');
    s.ok(['checkout']);
    expect(s.read('f.csv')).toBe('x,y\n1,2\n');
  });

  it('a file where an output\'s parent directory must be is a clear error, and is kept', () => {
    const s = setup();
    s.write('blocked.dvc', `outs:\n- md5: ${md5('x,y\n1,2\n')}\n  size: 8\n  hash: md5\n  path: f/inner\n`);
    s.write('f', 'my own file\n');
    for (const args of [['checkout'], ['checkout', '-f']]) {
      const r = s.trove(args);
      expectCleanFailure(r, /cannot check out 'f\/inner': 'f' is a file where a directory must be/);
    }
    expect(s.read('f')).toBe('my own file\n');
    s.write('blocked.dvc', s.read('blocked.dvc').replace('path: f/inner', 'path: f/deeper/inner'));
    expectCleanFailure(s.trove(['checkout']), /cannot check out 'f\/deeper\/inner': 'f' is a file/);
  });

  it('prints paths relative to the current directory', () => {
    const s = repo();
    s.write('sub/data/x.txt', 'x');
    s.ok(['add', 'sub/data']);
    fs.rmSync(s.abs('sub/data'), { recursive: true });
    expect(s.ok(['checkout'], { cwd: 'sub' }).stdout).toBe(`A       data${path.sep}\n`);
  });
});
