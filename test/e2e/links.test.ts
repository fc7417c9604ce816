import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { corruptObjects, expectCleanFailure, isRoot, md5, repo, type Sandbox } from './helpers.js';

const FILES = { 'd/a.txt': 'alpha\n', 'd/sub/b.txt': 'beta\n', 'd/sub/dup.txt': 'alpha\n', 'f.bin': 'file\n' };

function setup(type: string): Sandbox {
  const s = repo();
  s.ok(['config', 'cache.type', type]);
  // configobj quotes values with a comma, as DVC writes them.
  expect(s.read('.dvc/config')).toBe(`[cache]\n    type = ${type.includes(',') ? `"${type}"` : type}\n`);
  s.writeAll(FILES);
  return s;
}

const objectPath = (s: Sandbox, content: string) => s.cacheObjects().find((o) => o.oid === md5(content))!.path;

describe('cache.type', () => {
  it('hardlink: workspace files share the cache inode, read-only; unprotect before editing; cache stays intact', () => {
    const s = setup('hardlink');
    s.ok(['add', 'd', 'f.bin']);
    for (const [f, content] of Object.entries(FILES)) {
      const st = s.lstat(f);
      expect(st.isSymbolicLink()).toBe(false);
      expect(st.ino, f).toBe(fs.statSync(objectPath(s, content)).ino);
      expect(st.mode & 0o777, f).toBe(0o444);
    }
    expect(s.ok(['status']).stdout).toBe('Data and pipelines are up to date.\n');
    if (!isRoot) expect(() => fs.appendFileSync(s.abs('f.bin'), 'x')).toThrow(/EACCES/);

    const u = s.ok(['unprotect', 'f.bin', 'd/sub']);
    expect(u.stderr).toContain('3 files unprotected.');
    expect(s.lstat('f.bin').nlink).toBe(1);
    expect(s.mode('f.bin')).toBe(0o644);
    expect(s.lstat('d/a.txt').nlink).toBeGreaterThan(1); // not named: still linked
    fs.appendFileSync(s.abs('f.bin'), 'edited\n');
    fs.appendFileSync(s.abs('d/sub/b.txt'), 'edited\n');
    expect(fs.readFileSync(objectPath(s, 'file\n'), 'utf8')).toBe('file\n');
    expect(corruptObjects(s.cacheObjects())).toEqual([]);
    s.ok(['add', 'f.bin', 'd']);
    expect(s.lstat('f.bin').ino).toBe(fs.statSync(objectPath(s, 'file\nedited\n')).ino);
    expect(corruptObjects(s.cacheObjects())).toEqual([]);

    // Checkout into an empty workspace links again.
    fs.rmSync(s.abs('d'), { recursive: true, force: true });
    s.ok(['checkout']);
    expect(s.lstat('d/a.txt').ino).toBe(fs.statSync(objectPath(s, 'alpha\n')).ino);
    expect(s.lstat('d/sub/dup.txt').ino).toBe(fs.statSync(objectPath(s, 'alpha\n')).ino);
  });

  it('symlink: workspace files point into the cache; unprotect makes a private copy', () => {
    const s = setup('symlink');
    s.ok(['add', 'd', 'f.bin']);
    for (const [f, content] of Object.entries(FILES)) {
      expect(s.lstat(f).isSymbolicLink(), f).toBe(true);
      expect(fs.realpathSync(s.abs(f))).toBe(fs.realpathSync(objectPath(s, content)));
    }
    for (const o of s.cacheObjects()) expect(o.mode).toBe(0o444);
    expect(s.ok(['status']).stdout).toBe('Data and pipelines are up to date.\n');
    // Re-adding symlinked outputs (links into the cache) is a no-op, not 'a symlink into .dvc/'.
    expect(s.ok(['add', 'd', 'f.bin']).stderr).toContain("'f.bin' didn't change");
    s.ok(['unprotect', 'f.bin']);
    expect(s.lstat('f.bin').isSymbolicLink()).toBe(false);
    expect(s.read('f.bin')).toBe('file\n');
    fs.writeFileSync(s.abs('f.bin'), 'new content\n');
    expect(corruptObjects(s.cacheObjects())).toEqual([]);
    fs.rmSync(s.abs('d'), { recursive: true });
    expect(s.ok(['checkout', 'd']).stdout).toBe('A       d/\n');
    expect(s.lstat('d/sub/b.txt').isSymbolicLink()).toBe(true);
  });

  it('copy: independent writable files', () => {
    const s = setup('copy');
    const r = s.ok(['add', 'd', 'f.bin']);
    expect(r.stderr).not.toContain('not supported');
    for (const [f, content] of Object.entries(FILES)) {
      expect(s.lstat(f).ino).not.toBe(fs.statSync(objectPath(s, content)).ino);
      expect(s.mode(f)).toBe(0o644);
    }
    fs.rmSync(s.abs('f.bin'));
    s.ok(['checkout']);
    expect(s.lstat('f.bin').nlink).toBe(1);
    expect(s.mode('f.bin')).toBe(0o644);
  });

  it('reflink alone fails clearly on a filesystem without reflinks, touching nothing', () => {
    const s = setup('reflink');
    const r = s.trove(['add', 'd', 'f.bin']);
    expectCleanFailure(r, /cache\.type 'reflink' is not supported/);
    expect(r.stderr).toContain('reflink,copy');
    expect(r.stderr).not.toContain('.trove-probe');
    expect(s.exists('f.bin.dvc')).toBe(false);
    expect(s.files().filter((f) => f.includes('probe'))).toEqual([]);

    s.ok(['config', 'cache.type', 'copy']);
    s.ok(['add', 'd', 'f.bin']);
    s.ok(['config', 'cache.type', 'reflink']);
    fs.rmSync(s.abs('f.bin'));
    const c = s.trove(['checkout']);
    expectCleanFailure(c, /cache\.type 'reflink' is not supported/);
    expect(c.stderr).not.toContain('Is your cache up to date');
  });

  it('reflink,copy falls back to copies and says so once', () => {
    const s = setup('reflink,copy');
    const r = s.ok(['add', 'd', 'f.bin']);
    expect(r.stderr.match(/Using 'copy' links/g)).toHaveLength(1);
    expect(s.mode('f.bin')).toBe(0o644);
    fs.rmSync(s.abs('d'), { recursive: true });
    fs.rmSync(s.abs('f.bin'));
    const c = s.ok(['checkout']);
    expect(c.stderr.match(/Using 'copy' links/g)).toHaveLength(1);
    expect(c.stdout).toBe('A       d/\nA       f.bin\n');
  });

  it('--relink switches existing outputs to a new cache.type', () => {
    const s = setup('copy');
    s.ok(['add', 'd', 'f.bin']);
    s.ok(['config', 'cache.type', 'hardlink']);
    expect(s.ok(['checkout']).stdout).toBe('');
    expect(s.lstat('f.bin').nlink).toBe(1);
    s.ok(['checkout', '--relink']);
    expect(s.lstat('f.bin').ino).toBe(fs.statSync(objectPath(s, 'file\n')).ino);
    expect(s.lstat('d/sub/b.txt').ino).toBe(fs.statSync(objectPath(s, 'beta\n')).ino);
    s.ok(['config', 'cache.type', 'symlink']);
    s.ok(['checkout', '--relink']);
    expect(s.lstat('f.bin').isSymbolicLink()).toBe(true);
    s.ok(['config', 'cache.type', 'copy']);
    s.ok(['checkout', '--relink']);
    expect(s.lstat('f.bin').isSymbolicLink()).toBe(false);
    expect(s.lstat('f.bin').nlink).toBe(1);
    expect(s.mode('f.bin')).toBe(0o644);
    expect(corruptObjects(s.cacheObjects())).toEqual([]);
    expect(s.ok(['status']).stdout).toBe('Data and pipelines are up to date.\n');
  });

  it.each(['symlink', 'hardlink'])('%s: data kept by `remove` is a plain file that survives gc', (type) => {
    const s = setup(type);
    s.ok(['add', 'd', 'f.bin']);
    s.ok(['move', 'f.bin', 'moved.bin']);
    expect(s.read('moved.bin')).toBe('file\n');
    s.ok(['remove', 'moved.bin.dvc', 'd.dvc']);
    s.ok(['gc', '-w', '-f']);
    expect(s.cacheObjects()).toEqual([]);
    expect(s.read('moved.bin')).toBe('file\n');
    expect(s.read('d/sub/b.txt')).toBe('beta\n');
    for (const f of ['moved.bin', 'd/a.txt', 'd/sub/b.txt', 'd/sub/dup.txt']) {
      expect(s.lstat(f).isSymbolicLink(), f).toBe(false);
      expect(s.mode(f), f).toBe(0o644);
    }
  });

  it.each(['hardlink', 'symlink'])('%s: an edit made through the link (root ignores 0444) never stays in the cache', (type) => {
    const s = setup(type);
    s.ok(['add', 'f.bin']);
    const target = type === 'symlink' ? fs.realpathSync(s.abs('f.bin')) : s.abs('f.bin');
    fs.chmodSync(target, 0o644);
    fs.appendFileSync(target, 'edited in place\n');
    expect(corruptObjects(s.cacheObjects())).toHaveLength(1);
    const r = s.trove(['checkout']);
    expect(r.stderr).toContain('edited in place through a link into the cache');
    // The edit is kept in the workspace; the damaged object is gone from the cache.
    expect(s.read('f.bin')).toBe('file\nedited in place\n');
    expect(corruptObjects(s.cacheObjects())).toEqual([]);
    s.ok(['add', 'f.bin']);
    expect(s.ok(['status']).stdout).toBe('Data and pipelines are up to date.\n');
    expect(corruptObjects(s.cacheObjects())).toEqual([]);
  });

  it.each([
    ['hardlink', 'add'],
    ['symlink', 'add'],
    ['hardlink', 'commit'],
    ['symlink', 'commit'],
  ])('%s: editing through the link, then %s, leaves no misnamed object and loses no data to gc', (type, verb) => {
    const s = setup(type);
    s.ok(['add', 'f.bin', 'd']);
    for (const f of ['f.bin', 'd/sub/b.txt']) {
      const target = fs.realpathSync(s.abs(f));
      fs.chmodSync(target, 0o644);
      fs.appendFileSync(target, 'edited through the link\n');
    }
    const r = s.ok(verb === 'add' ? ['add', 'f.bin', 'd'] : ['commit', '-f']);
    expect(r.stderr).toContain("'f.bin' was edited in place through a link into the cache");
    // Every object is a real file holding what its name says.
    for (const o of s.cacheObjects()) expect(fs.lstatSync(o.path).isFile(), o.oid).toBe(true);
    expect(corruptObjects(s.cacheObjects())).toEqual([]);
    s.ok(['gc', '-w', '-f']);
    expect(s.read('f.bin')).toBe('file\nedited through the link\n');
    expect(s.read('d/sub/b.txt')).toBe('beta\nedited through the link\n');
    expect(s.ok(['status']).stdout).toBe('Data and pipelines are up to date.\n');
    fs.rmSync(s.abs('d'), { recursive: true });
    fs.rmSync(s.abs('f.bin'));
    s.ok(['checkout']);
    expect(s.read('f.bin')).toBe('file\nedited through the link\n');
    expect(s.read('d/sub/b.txt')).toBe('beta\nedited through the link\n');
  });

  it('an unknown link type is rejected when set', () => {
    const s = repo();
    expectCleanFailure(s.trove(['config', 'cache.type', 'teleport']), /unknown link type 'teleport'/);
    expect(s.read('.dvc/config')).toBe('');
  });

  it('unprotect of an untracked path fails clearly; of a copy does nothing', () => {
    const s = setup('copy');
    s.ok(['add', 'f.bin']);
    expect(s.ok(['unprotect', 'f.bin']).stderr).toContain('0 files unprotected.');
    s.write('loose', 'x');
    expectCleanFailure(s.trove(['unprotect', 'loose']), /not tracked/);
  });
});
