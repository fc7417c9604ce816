/**
 * Reusing data across repositories: `ls`, `get`, `import`, `update`, and imports in status, push
 * and pull. A source repository with its own local remote is laid out like the one of DVC's
 * reference session (fixtures/dvc-formats/outputs/dvc-ls.*): two pointer files, a file and a
 * directory output recorded in dvc.lock.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { expectCleanFailure, FORMATS, md5, repo, Sandbox } from './helpers.js';

const IMAGES: Record<string, string> = {
  'images/crlf.txt': 'a\r\nb\r\n',
  'images/img0.bin': 'zero\n',
  'images/img1.bin': 'one\n',
  'images/img3.bin': 'three\n',
  'images/sub/empty.txt': '',
  'images/sub/note.txt': 'note\n',
};

interface Source {
  s: Sandbox;
  remote: string;
  /** The commit tagged v1. */
  v1: string;
}

/** The source repository: data.csv (387 bytes) and images/ tracked, model.bin (35 bytes) and prepared/ in dvc.lock. */
function source(): Source {
  const s = repo();
  const remote = path.join(s.base, 'remote');
  s.ok(['remote', 'add', '-d', 'local', remote]);
  s.writeAll({ 'data.csv': `${'x,y\n'.repeat(96)}en\n`, 'README.md': 'registry\n', ...IMAGES, 'model.bin': 'm'.repeat(34) + '\n', 'prepared/test.csv': 't\n', 'prepared/train.csv': 'tr\n' });
  expect(fs.statSync(s.abs('data.csv')).size).toBe(387);
  s.ok(['add', 'data.csv', 'images', 'model.bin', 'prepared']);
  s.ok(['push']);
  // model.bin and prepared/ become pipeline outputs: recorded in dvc.lock instead.
  const lockOut = (name: string) => {
    const text = s.read(`${name}.dvc`);
    const field = (k: string) => new RegExp(`${k}: (\\S+)`).exec(text)?.[1];
    fs.rmSync(s.abs(`${name}.dvc`));
    return `    - path: ${name}\n      hash: md5\n      md5: ${field('md5')}\n      size: ${field('size')}\n${field('nfiles') ? `      nfiles: ${field('nfiles')}\n` : ''}`;
  };
  s.write('dvc.lock', `schema: '2.0'\nstages:\n  train:\n    cmd: python3 train.py\n    outs:\n${lockOut('model.bin')}${lockOut('prepared')}`);
  s.git('add', '-A');
  s.git('commit', '-qm', 'data');
  s.git('tag', 'v1');
  return { s, remote, v1: s.git('rev-parse', 'HEAD').trim() };
}

/** Moves the source on: one more image, data.csv changed, a new git file; pushed and committed. */
function moveOn(src: Source): string {
  src.s.writeAll({ 'images/img4.bin': 'four\n', 'data.csv': 'changed\n', 'new.txt': 'new\n' });
  src.s.ok(['add', 'images', 'data.csv']);
  src.s.ok(['push']);
  src.s.git('add', '-A');
  src.s.git('commit', '-qm', 'more');
  return src.s.git('rev-parse', 'HEAD').trim();
}

function golden(name: string): string {
  return fs.readFileSync(path.join(FORMATS, 'outputs', name), 'utf8');
}

describe('trove ls', () => {
  it('matches DVC\'s reference output for --dvc-only -R, text and --json', () => {
    const { s } = source();
    const text = golden('dvc-ls.txt').split('\n');
    const expected = `${text.slice(1, text.indexOf('[exit 0]')).join('\n')}\n`;
    expect(s.ok(['ls', '--dvc-only', '-R', '.']).stdout).toBe(expected);
    expect(s.ok(['ls', '--dvc-only', '-R', '--json', '.']).stdout).toBe(golden('dvc-ls.json'));
  });

  it('lists the top level, a directory, a file, and at another revision, from another repository', () => {
    const src = source();
    const dst = repo();
    const url = src.s.root;
    expect(dst.ok(['ls', url]).stdout.split('\n').filter(Boolean)).toEqual([
      '.dvcignore', '.gitignore', 'README.md', 'data.csv', 'data.csv.dvc', 'dvc.lock', 'images', 'images.dvc', 'model.bin', 'prepared',
    ]);
    expect(dst.ok(['ls', url, '--dvc-only']).stdout).toBe('data.csv\nimages\nmodel.bin\nprepared\n');
    expect(dst.ok(['ls', url, 'images']).stdout).toBe('crlf.txt\nimg0.bin\nimg1.bin\nimg3.bin\nsub\n');
    expect(dst.ok(['ls', url, 'images/sub', '--json']).stdout).toBe(
      '[{"isout": true, "isdir": false, "isexec": false, "size": null, "path": "empty.txt"}, {"isout": true, "isdir": false, "isexec": false, "size": null, "path": "note.txt"}]\n',
    );
    const top = JSON.parse(dst.ok(['ls', url, '--json']).stdout) as { path: string; isout: boolean; isdir: boolean; size: number | null }[];
    expect(top.find((e) => e.path === 'README.md')).toEqual({ isout: false, isdir: false, isexec: false, size: 9, path: 'README.md' });
    expect(top.find((e) => e.path === 'images')).toMatchObject({ isout: true, isdir: true, size: 26 });
    expect(dst.ok(['ls', url, 'data.csv', '--json']).stdout).toBe('[{"isout": true, "isdir": false, "isexec": false, "size": 387, "path": "data.csv"}]\n');
    expect(dst.ok(['ls', url, 'data.csv', '--size']).stdout).toBe('387  data.csv\n');
    moveOn(src);
    expect(dst.ok(['ls', url]).stdout).toContain('new.txt\n');
    expect(dst.ok(['ls', url, '--rev', 'v1']).stdout).not.toContain('new.txt');
    expect(dst.ok(['ls', url, 'images', '--rev', 'v1', '-R']).stdout).toBe('crlf.txt\nimg0.bin\nimg1.bin\nimg3.bin\nsub/empty.txt\nsub/note.txt\n');
    expect(dst.ok(['ls', url, 'images', '-R']).stdout).toContain('img4.bin\n');
    // Read through git: the source's working tree and index were not touched.
    expect(src.s.git('status', '--porcelain')).toBe('');
  });

  it('hides what the source\'s .dvcignore ignores, as DVC\'s listing does', () => {
    const src = source();
    src.s.write('.dvcignore', `${src.s.read('.dvcignore')}scratch/\n`);
    src.s.write('scratch/tmp.txt', 'x\n');
    src.s.git('add', '-A');
    src.s.git('commit', '-qm', 'scratch');
    const dst = repo();
    expect(dst.ok(['ls', src.s.root]).stdout).not.toContain('scratch');
    expectCleanFailure(dst.trove(['ls', src.s.root, 'scratch/tmp.txt']), /does not exist/);
  });

  it('reads a git url through a temporary clone, removed afterwards', () => {
    const src = source();
    const dst = repo();
    const tmp = path.join(dst.base, 'tmp');
    fs.mkdirSync(tmp);
    const r = dst.ok(['ls', `file://${src.s.root}`, '--rev', 'v1', '-R', '--dvc-only'], { env: { TMPDIR: tmp } });
    expect(r.stdout).toContain('images/sub/note.txt\n');
    expect(fs.readdirSync(tmp)).toEqual([]);
  });

  it('names what is wrong: a missing path, a bad revision, a directory that is no repository', () => {
    const src = source();
    const dst = repo();
    expectCleanFailure(dst.trove(['ls', src.s.root, 'nope']), /the path 'nope' does not exist in the target repository/);
    expectCleanFailure(dst.trove(['ls', src.s.root, 'README.md', '--dvc-only']), /as a DVC output/);
    expectCleanFailure(dst.trove(['ls', src.s.root, '--rev', 'no-such-tag']), /unknown git revision 'no-such-tag'/);
    fs.mkdirSync(path.join(dst.base, 'plain'));
    expectCleanFailure(dst.trove(['ls', path.join(dst.base, 'plain')]), /is not a git repository/);
    expectCleanFailure(dst.trove(['ls', path.join(dst.base, 'nowhere')]), /neither a local directory nor a git url/);
    expectCleanFailure(dst.trove(['ls', `file://${path.join(dst.base, 'nowhere')}`]), /failed to clone/);
  });
});

describe('trove get', () => {
  it('downloads a file, a directory and a file inside a tracked directory, leaving nothing else behind', () => {
    const src = source();
    const dst = repo();
    const work = path.join(dst.base, 'work');
    fs.mkdirSync(work);
    const opts = { cwd: work };
    dst.ok(['get', src.s.root, 'data.csv'], opts);
    expect(fs.readFileSync(path.join(work, 'data.csv'), 'utf8')).toBe(src.s.read('data.csv'));
    dst.ok(['get', src.s.root, 'images'], opts);
    for (const [p, c] of Object.entries(IMAGES)) expect(fs.readFileSync(path.join(work, p), 'utf8')).toBe(c);
    dst.ok(['get', src.s.root, 'images/sub/note.txt', '-o', 'n.txt'], opts);
    expect(fs.readFileSync(path.join(work, 'n.txt'), 'utf8')).toBe('note\n');
    dst.ok(['get', src.s.root, 'README.md', '-o', 'docs/'], opts);
    expect(fs.existsSync(path.join(work, 'docs'))).toBe(true);
    expect(fs.readdirSync(work).sort()).toEqual(['data.csv', 'docs', 'images', 'n.txt']);
    // Writable copies, not links into any cache.
    expect(fs.statSync(path.join(work, 'images/img0.bin')).mode & 0o777).toBe(0o644);
  });

  it('refuses to overwrite without --force, and overwrites with it', () => {
    const src = source();
    const dst = repo();
    dst.write('data.csv', 'mine\n');
    expectCleanFailure(dst.trove(['get', src.s.root, 'data.csv']), /the file 'data.csv' already exists locally/);
    expect(dst.read('data.csv')).toBe('mine\n');
    dst.ok(['get', src.s.root, 'data.csv', '-f']);
    expect(dst.read('data.csv')).toBe(src.s.read('data.csv'));
    expectCleanFailure(dst.trove(['get', src.s.root, 'data.csv', '-o', 'x.dvc']), /pointer \(\.dvc\) file/);
  });

  it('from a git url at a tag, through the source\'s remote (a clone has no cache)', () => {
    const src = source();
    moveOn(src);
    const dst = repo();
    dst.ok(['get', `file://${src.s.root}`, 'images', '--rev', 'v1']);
    expect(fs.existsSync(dst.abs('images/img4.bin'))).toBe(false);
    expect(dst.read('images/img3.bin')).toBe('three\n');
    dst.ok(['get', `file://${src.s.root}`, 'data.csv']);
    expect(dst.read('data.csv')).toBe('changed\n');
  });

  it('fails clearly when the data is missing from the source\'s storage, or the storage is unreachable', () => {
    const src = source();
    const dst = repo();
    src.s.write('extra.csv', 'never pushed\n');
    src.s.ok(['add', 'extra.csv']);
    src.s.git('add', '-A');
    src.s.git('commit', '-qm', 'extra');
    fs.rmSync(src.s.cacheDir(), { recursive: true, force: true });
    const r = dst.trove(['get', src.s.root, 'extra.csv']);
    expectCleanFailure(r, /'extra.csv' is missing from the storage of/);
    expect(fs.existsSync(dst.abs('extra.csv'))).toBe(false);
    expect(fs.readdirSync(dst.root).filter((n) => n.startsWith('.trove-get'))).toEqual([]);
    // The remote is a file now: unreachable.
    fs.rmSync(src.remote, { recursive: true });
    fs.writeFileSync(src.remote, 'not a directory');
    expectCleanFailure(dst.trove(['get', src.s.root, 'data.csv']), /failed to get 'data.csv' from .*is not reachable/);
    // A source without any remote and without the data in its cache.
    src.s.ok(['remote', 'remove', 'local']);
    src.s.git('commit', '-qam', 'no remote');
    expectCleanFailure(dst.trove(['get', src.s.root, 'data.csv']), /has no default remote/);
  });
});

describe('trove import and update', () => {
  it('imports with a DVC 3 pointer file, updates after the source moves on, and a fresh clone pulls it from the source', () => {
    const src = source();
    const dst = repo();
    const r = dst.ok(['import', src.s.root, 'images']);
    expect(r.stderr).toContain(`Importing 'images (${src.s.root})' -> 'images'`);
    const pointer = dst.read('images.dvc');
    expect(pointer).toMatch(
      new RegExp(
        `^md5: [0-9a-f]{32}\\nfrozen: true\\ndeps:\\n- path: images\\n  repo:\\n    url: ${src.s.root}\\n    rev_lock: ${src.v1}\\nouts:\\n- md5: ${src.s.read('images.dvc').match(/md5: (\S+)/)![1]}\\n  size: 26\\n  nfiles: 6\\n  hash: md5\\n  path: images\\n$`,
      ),
    );
    expect(dst.read('.gitignore')).toBe('/images\n');
    for (const [p, c] of Object.entries(IMAGES)) expect(dst.read(p)).toBe(c);
    expect(dst.ok(['status']).stdout).toBe('Data and pipelines are up to date.\n');
    // A file inside a tracked directory, at a tag, to another name.
    dst.ok(['import', src.s.root, 'images/sub/note.txt', '--rev', 'v1', '-o', 'note.txt']);
    expect(dst.read('note.txt.dvc')).toContain(`    url: ${src.s.root}\n    rev: v1\n    rev_lock: ${src.v1}\n`);
    expect(dst.read('note.txt.dvc')).toContain(`- md5: ${md5('note\n')}\n  size: 5\n  hash: md5\n  path: note.txt\n`);
    dst.git('add', '-A');
    dst.git('commit', '-qm', 'imports');

    expect(dst.ok(['update', 'images.dvc']).stderr).toContain("'images.dvc' didn't change, skipping");
    const v2 = moveOn(src);
    const u = dst.ok(['update', 'images.dvc', 'note.txt.dvc']);
    expect(u.stderr).toContain(`Importing 'images (${src.s.root})' -> 'images'`);
    // note.txt follows the tag v1, which did not move.
    expect(u.stderr).toContain("'note.txt.dvc' didn't change, skipping");
    expect(dst.read('images/img4.bin')).toBe('four\n');
    expect(dst.read('images.dvc')).toContain(`rev_lock: ${v2}\n`);
    expect(dst.read('images.dvc')).toContain('nfiles: 7\n');
    expect(dst.ok(['status']).stdout).toBe('Data and pipelines are up to date.\n');
    // --rev moves back and is recorded after rev_lock, as DVC's update writes it.
    dst.ok(['update', 'images.dvc', '--rev', 'v1']);
    expect(dst.read('images.dvc')).toContain(`    rev_lock: ${src.v1}\n    rev: v1\n`);
    expect(fs.existsSync(dst.abs('images/img4.bin'))).toBe(false);
    dst.git('add', '-A');
    dst.git('commit', '-qm', 'updated');

    // push does not upload imported data (DVC does not either).
    const own = path.join(dst.base, 'own-remote');
    dst.ok(['remote', 'add', '-d', 'own', own]);
    dst.git('commit', '-qam', 'remote');
    dst.ok(['push']);
    expect(fs.existsSync(path.join(own, 'files'))).toBe(false);
    expect(dst.ok(['status', '-c']).stdout).toBe("Cache and remote 'own' are in sync.\n");

    // A fresh clone pulls the imports from their source.
    const clone = path.join(dst.base, 'clone');
    dst.git('clone', '-q', dst.root, clone);
    const p = dst.trove(['pull'], { cwd: clone });
    expect(p.code, p.stderr).toBe(0);
    expect(fs.readFileSync(path.join(clone, 'images/img3.bin'), 'utf8')).toBe('three\n');
    expect(fs.readFileSync(path.join(clone, 'note.txt'), 'utf8')).toBe('note\n');
    expect(dst.trove(['status'], { cwd: clone }).stdout).toBe('Data and pipelines are up to date.\n');
  });

  it('a hand-edited import shows as changed checksum; update refuses a pointer file that is not an import', () => {
    const src = source();
    const dst = repo();
    dst.ok(['import', src.s.root, 'data.csv']);
    dst.write('data.csv.dvc', dst.read('data.csv.dvc').replace(/rev_lock: \S+/, `rev_lock: ${'0'.repeat(40)}`));
    expect(dst.ok(['status']).stdout).toBe('data.csv.dvc:\n\tchanged checksum\n');
    dst.write('own.csv', 'own\n');
    dst.ok(['add', 'own.csv']);
    expectCleanFailure(dst.trove(['update', 'own.csv.dvc']), /update is not supported for 'own.csv.dvc': it is not an import/);
  });

  it('refuses to import over existing data, and names a missing source path', () => {
    const src = source();
    const dst = repo();
    dst.write('data.csv', 'mine\n');
    expectCleanFailure(dst.trove(['import', src.s.root, 'data.csv']), /already exists locally/);
    expect(dst.read('data.csv')).toBe('mine\n');
    expectCleanFailure(dst.trove(['import', src.s.root, 'nope.csv']), /the path 'nope.csv' does not exist in the target repository/);
    expect(fs.existsSync(dst.abs('nope.csv.dvc'))).toBe(false);
  });

  it('a relative source path typed in a subdirectory is recorded from the repository root, where update reads it', () => {
    const src = source();
    const dst = repo();
    fs.mkdirSync(dst.abs('sub'));
    const rel = path.relative(dst.abs('sub'), src.s.root);
    dst.ok(['import', rel, 'data.csv', '-o', 'in/data.csv'], { cwd: 'sub' });
    expect(dst.read('sub/in/data.csv.dvc')).toContain(`    url: ${path.relative(dst.root, src.s.root)}\n`);
    expect(dst.ok(['update', 'sub/in/data.csv.dvc']).stderr).toContain("didn't change, skipping");
    expect(dst.ok(['update', 'in/data.csv.dvc'], { cwd: 'sub' }).stderr).toContain("didn't change, skipping");
  });
});

describe('a git repository without DVC', () => {
  it('lists and gets git-tracked files; its missing paths say so', () => {
    const plain = new Sandbox();
    plain.writeAll({ 'docs/a.txt': 'a\n', 'run.sh': '#!/bin/sh\n' });
    fs.chmodSync(plain.abs('run.sh'), 0o755);
    plain.git('add', '-A');
    plain.git('commit', '-qm', 'plain');
    const dst = repo();
    expect(dst.ok(['ls', plain.root, '-R', '--json']).stdout).toBe(
      '[{"isout": false, "isdir": false, "isexec": false, "size": 2, "path": "docs/a.txt"}, {"isout": false, "isdir": false, "isexec": true, "size": 10, "path": "run.sh"}]\n',
    );
    dst.ok(['get', plain.root, 'docs']);
    expect(dst.read('docs/a.txt')).toBe('a\n');
    dst.ok(['get', plain.root, 'run.sh']);
    expect(dst.mode('run.sh')).toBe(0o755);
    expectCleanFailure(dst.trove(['get', plain.root, 'data.csv']), /does not exist in the target repository/);
  });
});
