import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { dirDvc, expectCleanFailure, fileDvc, manifestOf, md5, repo } from './helpers.js';

const CSV = 'id,label\n1,cat\n2,dog\n';
const IMAGES: Record<string, string | Buffer> = {
  'img0.bin': Buffer.alloc(1000, 7),
  'img1.bin': Buffer.alloc(1001, 8),
  'crlf.txt': 'line one\r\nline two\r\n',
  'sub/empty.txt': '',
  'sub/note.txt': 'a note\n',
  'sub/deeper/x.txt': 'x\n',
};
const withPrefix = (prefix: string, files: Record<string, string | Buffer>) =>
  Object.fromEntries(Object.entries(files).map(([k, v]) => [`${prefix}/${k}`, v]));

const GIT_HINT = (files: string) =>
  `\nTo track the changes with git, run:\n\n\tgit add ${files}\n\nTo enable auto staging, run:\n\n\ttrove config core.autostage true\n`;

describe('trove add', () => {
  it('adds a file: DVC pointer bytes, read-only cache object, .gitignore, git hint', () => {
    const s = repo();
    s.write('data.csv', CSV);
    const r = s.ok(['add', 'data.csv']);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(GIT_HINT('.gitignore data.csv.dvc'));
    expect(s.read('data.csv.dvc')).toBe(fileDvc('data.csv', CSV));
    const oid = md5(CSV);
    const objs = s.cacheObjects();
    expect(objs.map((o) => o.oid)).toEqual([oid]);
    expect(objs[0]!.path).toBe(`${s.root}/.dvc/cache/files/md5/${oid.slice(0, 2)}/${oid.slice(2)}`);
    expect(objs[0]!.mode).toBe(0o444);
    expect(s.read('.gitignore')).toBe('/data.csv\n');
    // Default cache.type reflink,copy on ext4: a writable copy with its own inode.
    expect(s.read('data.csv')).toBe(CSV);
    expect(s.mode('data.csv')).toBe(0o644);
    expect(s.lstat('data.csv').ino).not.toBe(fs.statSync(objs[0]!.path).ino);
    // Nothing is staged without core.autostage.
    expect(s.staged()).toEqual([]);
  });

  it('adds a directory (nested, empty file, CRLF file) in DVC 3 format', () => {
    const s = repo();
    s.writeAll(withPrefix('images', IMAGES));
    fs.mkdirSync(s.abs('images/empty-dir'));
    s.ok(['add', 'images']);
    expect(s.read('images.dvc')).toBe(dirDvc('images', IMAGES));
    const { manifest, oid } = manifestOf(IMAGES);
    // The CRLF file is hashed raw (DVC 3 `hash: md5`), not dos2unix.
    expect(manifest).toContain(md5('line one\r\nline two\r\n'));
    const dirObj = s.cacheObjects().find((o) => o.oid === oid)!;
    expect(fs.readFileSync(dirObj.path, 'utf8')).toBe(manifest);
    const want = new Set([oid, ...Object.values(IMAGES).map((c) => md5(c))]);
    expect(new Set(s.cacheOids())).toEqual(want);
    for (const o of s.cacheObjects()) expect(o.mode).toBe(0o444);
    expect(s.read('.gitignore')).toBe('/images\n');
    // The workspace is left as it was (the empty dir too).
    expect(s.files('images')).toEqual(Object.keys(IMAGES).sort());
    expect(s.lstat('images/empty-dir').isDirectory()).toBe(true);
    expect(s.ok(['status']).stdout).toBe('Data and pipelines are up to date.\n');
  });

  it('escapes non-ASCII relpaths and sorts by code point as Python does', () => {
    const s = repo();
    s.writeAll({ 'd/a/b': '1', 'd/a-b/x/y': '2', 'd/a.b': '3', 'd/A': '4', 'd/é.txt': '5' });
    s.ok(['add', 'd']);
    const manifest =
      `[{"md5": "${md5('4')}", "relpath": "A"}, {"md5": "${md5('2')}", "relpath": "a-b/x/y"}, ` +
      `{"md5": "${md5('3')}", "relpath": "a.b"}, {"md5": "${md5('1')}", "relpath": "a/b"}, ` +
      `{"md5": "${md5('5')}", "relpath": "\\u00e9.txt"}]`;
    expect(s.read('d.dvc')).toContain(`- md5: ${md5(manifest)}.dir\n  size: 5\n  nfiles: 5\n`);
  });

  it('adds several targets at once, nested outputs get a nested .gitignore', () => {
    const s = repo();
    s.writeAll({ 'a.txt': 'a', 'data/raw/b.txt': 'b', 'data/raw/c/d.txt': 'd' });
    const r = s.ok(['add', 'a.txt', 'data/raw']);
    expect(r.stderr).toContain(GIT_HINT('.gitignore a.txt.dvc data/.gitignore data/raw.dvc'));
    expect(s.read('a.txt.dvc')).toBe(fileDvc('a.txt', 'a'));
    expect(s.read('data/raw.dvc')).toBe(dirDvc('raw', { 'b.txt': 'b', 'c/d.txt': 'd' }));
    expect(s.read('.gitignore')).toBe('/a.txt\n');
    expect(s.read('data/.gitignore')).toBe('/raw\n');
  });

  it('appends to an existing .gitignore and does not duplicate entries', () => {
    const s = repo();
    s.write('.gitignore', 'node_modules');
    s.write('a.txt', 'a');
    s.ok(['add', 'a.txt']);
    s.write('a.txt', 'changed');
    s.ok(['add', 'a.txt']);
    expect(s.read('.gitignore')).toBe('node_modules\n/a.txt\n');
  });

  it('--glob expands quoted wildcards', () => {
    const s = repo();
    s.writeAll({ 'm/one.pt': '1', 'm/two.pt': '2', 'm/skip.txt': 's' });
    s.ok(['add', '--glob', 'm/*.pt']);
    expect(s.read('m/one.pt.dvc')).toBe(fileDvc('one.pt', '1'));
    expect(s.read('m/two.pt.dvc')).toBe(fileDvc('two.pt', '2'));
    expect(s.exists('m/skip.txt.dvc')).toBe(false);
    expect(s.read('m/.gitignore')).toBe('/one.pt\n/two.pt\n');
    const none = s.trove(['add', '--glob', 'nothing-*.bin']);
    expectCleanFailure(none, /matches nothing/);
  });

  it('re-adding an unchanged target rewrites nothing', () => {
    const s = repo();
    s.writeAll({ 'a.txt': 'a', ...withPrefix('dir', { x: 'x', 'y/z': 'z' }) });
    s.ok(['add', 'a.txt', 'dir']);
    const before = new Map(['a.txt.dvc', 'dir.dvc', '.gitignore'].map((f) => [f, fs.statSync(s.abs(f))]));
    const cacheBefore = s.cacheObjects().map((o) => `${o.oid} ${fs.statSync(o.path).mtimeMs}`);
    const r = s.ok(['add', 'a.txt', 'dir']);
    expect(r.stderr).toContain("'a.txt' didn't change");
    for (const [f, st] of before) {
      const now = fs.statSync(s.abs(f));
      expect([now.ino, now.mtimeMs], f).toEqual([st.ino, st.mtimeMs]);
    }
    expect(s.cacheObjects().map((o) => `${o.oid} ${fs.statSync(o.path).mtimeMs}`)).toEqual(cacheBefore);
  });

  it('re-adding a changed file updates the pointer file and keeps the old object', () => {
    const s = repo();
    s.write('a.txt', 'v1');
    s.ok(['add', 'a.txt']);
    s.write('a.txt', 'version 2');
    s.ok(['add', 'a.txt']);
    expect(s.read('a.txt.dvc')).toBe(fileDvc('a.txt', 'version 2'));
    expect(new Set(s.cacheOids())).toEqual(new Set([md5('v1'), md5('version 2')]));
  });

  it('keeps unknown fields of an existing pointer file when re-adding', () => {
    const s = repo();
    s.write('a.txt', 'v1');
    s.ok(['add', 'a.txt']);
    s.write('a.txt.dvc', `outs:\n- md5: ${md5('v1')}\n  size: 2\n  hash: md5\n  path: a.txt\n  desc: my data\n  remote: store\nmeta:\n  owner: me\n`);
    s.write('a.txt', 'v2!');
    s.ok(['add', 'a.txt']);
    expect(s.read('a.txt.dvc')).toBe(`outs:\n- md5: ${md5('v2!')}\n  size: 3\n  hash: md5\n  path: a.txt\n  desc: my data\n  remote: store\nmeta:\n  owner: me\n`);
  });

  it('runs from a subdirectory with paths relative to it', () => {
    const s = repo();
    s.write('sub/f.txt', 'f');
    s.ok(['add', 'f.txt'], { cwd: 'sub' });
    expect(s.read('sub/f.txt.dvc')).toBe(fileDvc('f.txt', 'f'));
    expect(s.read('sub/.gitignore')).toBe('/f.txt\n');
  });

  it('core.autostage true stages the pointer file and .gitignore', () => {
    const s = repo();
    s.ok(['config', 'core.autostage', 'true']);
    s.write('a.txt', 'a');
    const r = s.ok(['add', 'a.txt']);
    expect(r.stderr).not.toContain('git add');
    expect(s.staged()).toEqual(['.gitignore', 'a.txt.dvc']);
  });

  it('works without git (--no-scm): no .gitignore, no hint', () => {
    const s = repo({ git: false });
    s.write('a.txt', 'a');
    const r = s.ok(['add', 'a.txt']);
    expect(r.stderr).not.toContain('git add');
    expect(s.exists('.gitignore')).toBe(false);
    expect(s.read('a.txt.dvc')).toBe(fileDvc('a.txt', 'a'));
  });

  it('names with spaces and gitignore pattern characters are ignored by git exactly', () => {
    const s = repo();
    const names = ['my data.csv', '#hash.txt', '!bang', 'a[1].csv', 'star*.txt', ' lead', 'trail ', 'é.txt', 'q?.bin'];
    for (const n of names) s.write(n, n);
    s.ok(['add', ...names]);
    // git sees the pointer files and .gitignore, never the data.
    const untracked = s.git('status', '--porcelain', '-uall', '-z').split('\0').filter(Boolean).map((l) => l.slice(3));
    expect(untracked.sort()).toEqual(['.gitignore', ...names.map((n) => `${n}.dvc`)].sort());
    expect(s.read('é.txt.dvc')).toBe(fileDvc('é.txt', 'é.txt'));
    expect(s.ok(['status']).stdout).toBe('Data and pipelines are up to date.\n');
  });

  it('a name with a backslash is refused (a pointer file cannot hold it)', () => {
    const s = repo();
    s.write('back\\slash', 'b');
    expectCleanFailure(s.trove(['add', 'back\\slash']), /backslash/);
    expect(s.exists('back\\slash.dvc')).toBe(false);
    // And the repository keeps working.
    s.write('ok.txt', 'ok');
    s.ok(['add', 'ok.txt']);
  });

  it('.dvcignore rules apply inside added directories (root and nested .dvcignore)', () => {
    const s = repo();
    s.write('.dvcignore', `${s.read('.dvcignore')}*.log\n`);
    s.writeAll({ 'd/a': 'a', 'd/x.log': 'l', 'd/sub/y.log': 'y', 'd/sub/keep': 'k', 'd/sub/kept': 'kk', 'd/.dvcignore': 'sub/keep\n' });
    s.ok(['add', 'd']);
    const dirObj = s.cacheObjects().find((o) => o.oid.endsWith('.dir'))!;
    const relpaths = (JSON.parse(fs.readFileSync(dirObj.path, 'utf8')) as { relpath: string }[]).map((e) => e.relpath);
    expect(relpaths).toEqual(['.dvcignore', 'a', 'sub/kept']);
    // Ignored files do not make the directory dirty, and checkout leaves them alone.
    s.write('d/new.log', 'n');
    expect(s.ok(['status']).stdout).toBe('Data and pipelines are up to date.\n');
    fs.rmSync(s.abs('d/a'));
    expect(s.ok(['checkout']).stdout).toBe('M       d/\n');
    expect(s.files('d').sort()).toEqual(['.dvcignore', 'a', 'new.log', 'sub/keep', 'sub/kept', 'sub/y.log', 'x.log']);
  });

  it('records the executable bit of a file (isexec) and restores it on checkout', () => {
    const s = repo();
    s.write('run.sh', '#!/bin/sh\necho hi\n', 0o755);
    s.ok(['add', 'run.sh']);
    expect(s.read('run.sh.dvc')).toBe(`outs:\n- md5: ${md5('#!/bin/sh\necho hi\n')}\n  size: 18\n  isexec: true\n  hash: md5\n  path: run.sh\n`);
    fs.rmSync(s.abs('run.sh'));
    s.ok(['checkout']);
    expect(s.mode('run.sh')).toBe(0o755);
    expect(s.ok(['status']).stdout).toBe('Data and pipelines are up to date.\n');
  });

  describe('refuses bad targets with one clear line', () => {
    it('a missing target', () => {
      const s = repo();
      expectCleanFailure(s.trove(['add', 'nope.csv']), /'nope\.csv' does not exist/);
    });

    it('targets in .dvc/ or .git/', () => {
      const s = repo();
      expectCleanFailure(s.trove(['add', '.dvc/config']), /inside '\.dvc\/'/);
      expectCleanFailure(s.trove(['add', '.git/HEAD']), /inside '\.git\/'/);
      expectCleanFailure(s.trove(['add', '.git']), /inside '\.git\/'/);
      expect(s.exists('.dvc/config.dvc')).toBe(false);
    });

    it('paths outside the repository', () => {
      const s = repo();
      fs.writeFileSync(`${s.base}/outside.txt`, 'o');
      expectCleanFailure(s.trove(['add', '../outside.txt']), /outside of the repository/);
      expectCleanFailure(s.trove(['add', `${s.base}/outside.txt`]), /outside of the repository/);
      expectCleanFailure(s.trove(['add', '/etc/hostname']), /outside of the repository/);
      expect(s.cacheOids()).toEqual([]);
    });

    it('a target through a symlinked directory that leads outside', () => {
      const s = repo();
      fs.mkdirSync(`${s.base}/elsewhere`);
      fs.writeFileSync(`${s.base}/elsewhere/f.txt`, 'f');
      fs.symlinkSync(`${s.base}/elsewhere`, s.abs('link'));
      expectCleanFailure(s.trove(['add', 'link/f.txt']), /outside of the repository/);
      expect(fs.existsSync(`${s.base}/elsewhere/f.txt.dvc`)).toBe(false);
    });

    it('the repository root, a pointer file, a dvcignored path', () => {
      const s = repo();
      s.write('a.txt', 'a');
      s.ok(['add', 'a.txt']);
      expectCleanFailure(s.trove(['add', '.']), /repository root/);
      expectCleanFailure(s.trove(['add', 'a.txt.dvc']), /pointer file/);
      s.write('.dvcignore', '*.tmp\n');
      s.write('x.tmp', 'x');
      expectCleanFailure(s.trove(['add', 'x.tmp']), /ignored by \.dvcignore/);
      expect(s.exists('x.tmp.dvc')).toBe(false);
    });

    it('a path inside a tracked directory, or one containing a tracked output', () => {
      const s = repo();
      s.writeAll({ 'dir/a.txt': 'a', 'top/inner/b.txt': 'b' });
      s.ok(['add', 'dir', 'top/inner']);
      const inside = s.trove(['add', 'dir/a.txt']);
      expectCleanFailure(inside, /inside 'dir', which 'dir\.dvc' tracks/);
      expect(s.exists('dir/a.txt.dvc')).toBe(false);
      const containing = s.trove(['add', 'top']);
      expectCleanFailure(containing, /contains 'top\/inner', which 'top\/inner\.dvc' tracks/);
      expect(s.exists('top.dvc')).toBe(false);
      expectCleanFailure(s.trove(['add', 'dir', 'dir/a.txt']), /one is inside the other/);
    });

    it('no targets and unknown flags are usage errors (exit 2)', () => {
      const s = repo();
      expect(s.trove(['add']).code).toBe(2);
      expect(s.trove(['add', '--bogus', 'x']).code).toBe(2);
    });

    it('outside any repository', () => {
      const s = repo();
      fs.mkdirSync(`${s.base}/plain`);
      fs.writeFileSync(`${s.base}/plain/f`, 'f');
      expectCleanFailure(s.trove(['add', 'f'], { cwd: `${s.base}/plain` }), /not inside of a DVC repository/);
    });
  });

  it('with several targets, adds the good ones and reports each bad one', () => {
    const s = repo();
    s.write('good.txt', 'g');
    const r = s.trove(['add', 'good.txt', 'missing.txt']);
    expectCleanFailure(r, /missing\.txt/);
  });
});
