import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { expectCleanFailure, repo } from './helpers.js';

const EMPTY = 'd41d8cd98f00b204e9800998ecf8427e';

/** Pointer files a user (or a bad merge) could leave behind, with what the error must say. */
const CASES: { name: string; text: string; error: RegExp }[] = [
  { name: 'malformed YAML', text: 'outs:\n- md5: [unclosed\n  path: x\n', error: /x\.dvc:\d+: malformed YAML/ },
  { name: 'unknown top-level key', text: `outs:\n- md5: ${EMPTY}\n  path: x\nfrobnicate: 1\n`, error: /x\.dvc:4: unknown key 'frobnicate'/ },
  { name: 'unknown output field', text: `outs:\n- md5: ${EMPTY}\n  path: x\n  colour: red\n`, error: /x\.dvc:4: unknown output field 'colour'/ },
  { name: 'bad md5', text: 'outs:\n- md5: not-a-hash\n  path: x\n', error: /x\.dvc:2: 'not-a-hash' is not an md5/ },
  { name: 'short md5', text: 'outs:\n- md5: d41d8cd98f00\n  path: x\n', error: /x\.dvc:2: .* is not an md5/ },
  { name: 'md5 with a bad suffix', text: `outs:\n- md5: ${EMPTY}.tar\n  path: x\n`, error: /x\.dvc:2: .* is not an md5/ },
  { name: 'path: ../x', text: `outs:\n- md5: ${EMPTY}\n  path: ../x\n`, error: /x\.dvc:3: path '\.\.\/x' is outside of the repository/ },
  { name: 'path: /etc/passwd', text: `outs:\n- md5: ${EMPTY}\n  path: /etc/passwd\n`, error: /x\.dvc:3: path '\/etc\/passwd'/ },
  { name: 'path into .git', text: `outs:\n- md5: ${EMPTY}\n  path: .git/config\n`, error: /x\.dvc:3: path '\.git\/config' is inside '\.git\/'/ },
  { name: 'path into .dvc', text: `outs:\n- md5: ${EMPTY}\n  path: .dvc/config\n`, error: /x\.dvc:3: path '\.dvc\/config' is inside '\.dvc\/'/ },
  { name: 'missing path', text: `outs:\n- md5: ${EMPTY}\n`, error: /x\.dvc:2: output is missing `path`/ },
  { name: 'unsupported hash', text: `outs:\n- md5: ${EMPTY}\n  hash: sha256\n  path: x\n`, error: /x\.dvc:3: unsupported hash 'sha256'/ },
  { name: 'a list, not a mapping', text: '- just\n- a list\n', error: /x\.dvc:1: expected a mapping/ },
  { name: 'outs not a list', text: 'outs: x\n', error: /x\.dvc:1: `outs` must be a list/ },
  { name: 'duplicate keys', text: `outs:\n- md5: ${EMPTY}\n  path: x\n  path: y\n`, error: /x\.dvc:4: malformed YAML/ },
  { name: 'binary garbage', text: '\u0000\u0001\u0002garbage', error: /x\.dvc/ },
];

describe('bad pointer files: one clear message naming the file (and line), no stack', () => {
  // Every case through status, and through one writer (rotating, to keep the suite fast).
  const WRITERS = [['checkout'], ['commit', '-f'], ['add', 'other'], ['gc', '-w', '-f']];
  it.each(CASES.map((c, i) => ({ ...c, writer: WRITERS[i % WRITERS.length]! })))('$name', ({ text, error, writer }) => {
    const s = repo();
    s.write('x.dvc', text);
    s.write('other', 'o');
    for (const cmd of [['status'], writer]) {
      const r = s.trove(cmd);
      expectCleanFailure(r, error);
      expect(r.code).toBe(1);
    }
  });

  it('reports every problem of one file at once', () => {
    const s = repo();
    s.write('x.dvc', `outs:\n- md5: bad\n  path: x\n- md5: ${EMPTY}\n  path: ../y\nextra: 1\n`);
    const r = s.trove(['status']);
    expectCleanFailure(r, /3 problems/);
    expect(r.stderr).toMatch(/x\.dvc:2:/);
    expect(r.stderr).toMatch(/x\.dvc:5:/);
    expect(r.stderr).toMatch(/x\.dvc:6:/);
  });

  it('names nested pointer files by their repo path, and a target pointer file too', () => {
    const s = repo();
    s.write('sub/dir/y.dvc', 'outs:\n- md5: nope\n  path: y\n');
    expectCleanFailure(s.trove(['status']), /sub\/dir\/y\.dvc:2:/);
    expectCleanFailure(s.trove(['status', 'sub/dir/y.dvc']), /sub\/dir\/y\.dvc:2:/);
    expectCleanFailure(s.trove(['checkout', 'sub/dir/y.dvc']), /sub\/dir\/y\.dvc:2:/);
  });

  it('a path that reaches outside through a symlinked directory is rejected', () => {
    const s = repo();
    fs.mkdirSync(`${s.base}/outside`);
    fs.writeFileSync(`${s.base}/outside/secret`, 'secret');
    fs.symlinkSync(`${s.base}/outside`, s.abs('link'));
    s.write('x.dvc', `outs:\n- md5: ${EMPTY}\n  size: 0\n  hash: md5\n  path: link/secret\n`);
    for (const cmd of [['status'], ['checkout', '-f'], ['commit', '-f']]) {
      const r = s.trove(cmd);
      expectCleanFailure(r, /x\.dvc: 'link\/secret' leads outside of the repository through a symlink/);
    }
    expect(fs.readFileSync(`${s.base}/outside/secret`, 'utf8')).toBe('secret');
    // As a target of add, too.
    expectCleanFailure(s.trove(['add', 'link/secret']), /outside of the repository/);
    fs.rmSync(s.abs('x.dvc'));
    expectCleanFailure(s.trove(['add', 'link']), /symlink that leads outside of the repository/);
    fs.symlinkSync(`${s.base}/outside/secret`, s.abs('file-link'));
    expectCleanFailure(s.trove(['add', 'file-link']), /symlink that leads outside of the repository/);
    fs.symlinkSync('.git', s.abs('git-link'));
    expectCleanFailure(s.trove(['add', 'git-link']), /\.git/);
    expect(s.cacheOids()).toEqual([]);
  });

  it('a broken pointer file is never rewritten', () => {
    const s = repo();
    s.write('data', 'd');
    const text = 'outs:\n- md5: zzz\n  path: data\n';
    s.write('data.dvc', text);
    expectCleanFailure(s.trove(['add', 'data']), /data\.dvc:2:/);
    expectCleanFailure(s.trove(['commit', '-f']), /data\.dvc:2:/);
    expect(s.read('data.dvc')).toBe(text);
  });

  it('a directory where a config file or .gitignore must be is reported, not a crash', () => {
    const s = repo();
    fs.rmSync(s.abs('.dvc/config'));
    fs.mkdirSync(s.abs('.dvc/config'));
    expectCleanFailure(s.trove(['status']), /is a directory: .*\.dvc\/config/);
    fs.rmdirSync(s.abs('.dvc/config'));
    fs.writeFileSync(s.abs('.dvc/config'), '');
    fs.mkdirSync(s.abs('.gitignore'));
    s.write('q', 'q');
    expectCleanFailure(s.trove(['add', 'q']), /is a directory: .*\.gitignore/);
  });

  it('a corrupt directory manifest in the cache is reported, not a crash', () => {
    const s = repo();
    s.write('d/f', 'f');
    s.ok(['add', 'd']);
    const dirObj = s.cacheObjects().find((o) => o.oid.endsWith('.dir'))!;
    fs.chmodSync(dirObj.path, 0o644);
    fs.writeFileSync(dirObj.path, '{not json');
    fs.rmSync(s.abs('d'), { recursive: true });
    const r = s.trove(['checkout']);
    expectCleanFailure(r);
    expect(r.stderr).toContain(dirObj.oid.slice(2));
  });
});
