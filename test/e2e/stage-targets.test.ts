/**
 * Stages and their outputs as targets of the data commands, as DVC 3 takes them: checkout, pull,
 * fetch, push, status (and -c), unprotect; `-d` and `-R`; granular paths inside a stage's
 * directory output; and the errors.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { expectCleanFailure, md5, repo, type Sandbox } from './helpers.js';

/** prep makes data/ (two files); train reads it and makes model.bin and an uncached metrics.json. */
const PIPELINE = `stages:
  prep:
    cmd: mkdir -p data && cp in.txt data/a.txt && echo b > data/b.txt
    deps:
    - in.txt
    outs:
    - data
  train:
    cmd: cat data/a.txt data/b.txt > model.bin && echo 1 > metrics.json
    deps:
    - data
    outs:
    - model.bin
    metrics:
    - metrics.json:
        cache: false
  two:
    cmd: echo x > x.bin && echo y > y.bin
    outs:
    - x.bin
    - y.bin
`;

function pipeline(): Sandbox {
  const s = repo();
  s.writeAll({ 'in.txt': 'a\n', 'dvc.yaml': PIPELINE });
  s.ok(['repro']);
  return s;
}

function rmOutputs(s: Sandbox, ...paths: string[]): void {
  for (const p of paths) fs.rmSync(s.abs(p), { recursive: true, force: true });
}

describe('checkout: stage targets', () => {
  it('a stage output, a path inside a directory output, and a stage each restore just that', () => {
    const s = pipeline();
    rmOutputs(s, 'data', 'model.bin');
    expect(s.ok(['checkout', 'model.bin']).stdout).toBe('A       model.bin\n');
    expect(s.exists('data')).toBe(false);
    expect(s.ok(['checkout', 'data/b.txt']).stdout).toBe('A       data/b.txt\n');
    expect(s.read('data/b.txt')).toBe('b\n');
    expect(s.exists('data/a.txt')).toBe(false);
    expect(s.ok(['checkout', 'prep']).stdout).toBe('M       data/\n');
    expect(s.read('data/a.txt')).toBe('a\n');
    rmOutputs(s, 'data', 'model.bin', 'x.bin');
    expect(s.ok(['checkout', 'dvc.yaml:train', 'two']).stdout).toBe('A       model.bin\nA       x.bin\n');
    expect(s.exists('data')).toBe(false);
    expect(s.ok(['status', '--json', 'two']).stdout).toBe('{}\n');
  });

  it('-d also restores what a stage depends on; a path target stays that path (as DVC)', () => {
    const s = pipeline();
    rmOutputs(s, 'data', 'model.bin');
    expect(s.ok(['checkout', '-d', 'model.bin']).stdout).toBe('A       model.bin\n');
    expect(s.exists('data')).toBe(false);
    rmOutputs(s, 'model.bin');
    expect(s.ok(['checkout', '-d', 'train']).stdout).toBe('A       data/\nA       model.bin\n');
    expect(s.ok(['status']).stdout).toBe('Data and pipelines are up to date.\n');
  });

  it('stages of another dvc.yaml, foreach stages, a whole dvc.yaml, -R, and a stage with a wdir', () => {
    const s = repo();
    s.writeAll({
      'sub/dvc.yaml': 'stages:\n  each:\n    foreach: [a, b]\n    do:\n      cmd: echo ${item} > ${item}.txt\n      outs:\n      - ${item}.txt\n',
      'dvc.yaml': 'stages:\n  w:\n    cmd: echo w > o.txt\n    wdir: wd\n    outs:\n    - o.txt\n',
      'wd/keep': '',
    });
    s.ok(['repro', '-P']);
    const gone = () => rmOutputs(s, 'sub/a.txt', 'sub/b.txt');
    gone();
    expect(s.ok(['checkout', 'sub/dvc.yaml:each@a']).stdout).toBe('A       sub/a.txt\n');
    expect(s.ok(['checkout', 'sub/dvc.yaml:each']).stdout).toBe('A       sub/b.txt\n');
    gone();
    // From inside sub/: a bare name is a stage of ./dvc.yaml, and paths are shown from there.
    expect(s.ok(['checkout', 'each'], { cwd: 'sub' }).stdout).toBe('A       a.txt\nA       b.txt\n');
    gone();
    expect(s.ok(['checkout', 'sub/dvc.yaml']).stdout).toBe('A       sub/a.txt\nA       sub/b.txt\n');
    gone();
    expect(s.ok(['checkout', '-R', 'sub']).stdout).toBe('A       sub/a.txt\nA       sub/b.txt\n');
    // dvc.lock records o.txt relative to the wdir: it is restored there, by name or with everything.
    rmOutputs(s, 'wd/o.txt');
    expect(s.ok(['checkout', 'w']).stdout).toBe('A       wd/o.txt\n');
    rmOutputs(s, 'wd/o.txt');
    expect(s.ok(['checkout']).stdout).toBe('A       wd/o.txt\n');
    expect(s.exists('o.txt')).toBe(false);
  });

  it('an output declared cache: false is not restored: said when it is targeted, skipped otherwise', () => {
    const s = pipeline();
    // repro kept a copy of metrics.json in the cache for the run-cache: checkout still leaves it
    // to git, as DVC does, and the message does not pretend the cache lacks it.
    const oid = md5('1\n');
    expect(s.exists(`.dvc/cache/files/md5/${oid.slice(0, 2)}/${oid.slice(2)}`)).toBe(true);
    rmOutputs(s, 'metrics.json');
    expect(s.ok(['checkout']).stdout).toBe('');
    const r = s.trove(['checkout', 'metrics.json']);
    expectCleanFailure(r, /cannot check out 'metrics\.json': it is declared `cache: false` in dvc\.yaml, so checkout does not restore it; restore it from git if it is committed there, or run `trove repro train`/);
    // The whole stage: model.bin is fine, metrics.json still cannot be restored.
    expectCleanFailure(s.trove(['checkout', 'train']), /metrics\.json/);
    s.write('metrics.json', '1\n');
    expect(s.ok(['checkout', 'metrics.json', 'train']).stdout).toBe('');
  });

  it('a stage dvc.lock does not record yet is skipped with a warning', () => {
    const s = pipeline();
    s.write('dvc.yaml', `${PIPELINE}  late:\n    cmd: echo l > late.txt\n    outs:\n    - late.txt\n`);
    const r = s.ok(['checkout', 'late']);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain("'late.txt' has no record in dvc.lock yet: run `trove repro late`");
  });

  it('unknown targets fail clearly and name stages; dvc.lock is not a target', () => {
    const s = pipeline();
    expectCleanFailure(s.trove(['checkout', 'nosuch']), /'nosuch' is not tracked by trove, and no stage has that name/);
    expectCleanFailure(s.trove(['checkout', 'dvc.yaml:nosuch']), /Stage 'nosuch' not found inside 'dvc\.yaml' file/);
    expectCleanFailure(s.trove(['checkout', 'nosub/dvc.yaml']), /'nosub\/dvc\.yaml' does not exist/);
    expectCleanFailure(s.trove(['checkout', 'dvc.lock']), /did you mean `dvc\.yaml`/);
    expectCleanFailure(s.trove(['checkout', 'dvc.lock:train']), /Did you mean: `dvc\.yaml:train`/);
    expectCleanFailure(s.trove(['checkout', 'data/nosuch.txt']), /'data\/nosuch\.txt' is not in the recorded version of 'data'/);
  });
});

describe('status: stage targets', () => {
  it('a path in a stage reports that stage with only that output; -d adds what it depends on', () => {
    const s = pipeline();
    s.write('y.bin', 'changed\n');
    expect(s.ok(['status', '--json', 'x.bin']).stdout).toBe('{}\n');
    expect(JSON.parse(s.ok(['status', '--json', 'y.bin']).stdout)).toEqual({ two: [{ 'changed outs': { 'y.bin': 'modified' } }] });
    expect(JSON.parse(s.ok(['status', '--json', 'two']).stdout)).toEqual({ two: [{ 'changed outs': { 'y.bin': 'modified' } }] });
    s.write('data/a.txt', 'edited\n');
    expect(JSON.parse(s.ok(['status', '--json', 'train']).stdout)).toEqual({ train: [{ 'changed deps': { data: 'modified' } }] });
    expect(JSON.parse(s.ok(['status', '--json', '-d', 'train']).stdout)).toEqual({
      prep: [{ 'changed outs': { data: 'modified' } }],
      train: [{ 'changed deps': { data: 'modified' } }],
    });
    expect(JSON.parse(s.ok(['status', '--json', 'data/b.txt']).stdout)).toEqual({ prep: [{ 'changed outs': { data: 'modified' } }] });
  });
});

describe('unprotect: stage outputs', () => {
  it('makes linked stage outputs (or a stage, or a file in its directory output) writable copies', () => {
    const s = repo();
    s.ok(['config', '--local', 'cache.type', 'hardlink']);
    s.writeAll({ 'in.txt': 'a\n', 'dvc.yaml': PIPELINE });
    s.ok(['repro']);
    expect(s.lstat('model.bin').nlink).toBe(2);
    expect(s.ok(['unprotect', 'model.bin']).stderr).toBe('1 file unprotected.\n');
    expect(s.lstat('model.bin').nlink).toBe(1);
    expect(s.mode('model.bin') & 0o200).not.toBe(0);
    expect(s.ok(['unprotect', 'data/a.txt']).stderr).toBe('1 file unprotected.\n');
    expect(s.ok(['unprotect', 'prep']).stderr).toBe('1 file unprotected.\n');
    expect(s.ok(['status']).stdout).toBe('Data and pipelines are up to date.\n');
  });
});

describe('push, fetch, pull and status -c: stage targets', () => {
  it('take stages, their outputs, paths inside them and -d', () => {
    const s = pipeline();
    s.ok(['remote', 'add', '-d', 'local', path.join(s.base, 'remote')]);
    expect(s.ok(['push', 'train']).stdout).toBe('1 file pushed\n');
    expect(JSON.parse(s.ok(['status', '-c', '--json', 'train']).stdout)).toEqual({});
    expect(JSON.parse(s.ok(['status', '-c', '--json', '-d', 'train']).stdout)).toEqual({ data: 'new', 'data/a.txt': 'new', 'data/b.txt': 'new' });
    expect(s.ok(['push', '-d', 'train']).stdout).toBe('3 files pushed\n');
    expect(s.ok(['push', 'two']).stdout).toBe('2 files pushed\n');
    expect(s.ok(['status', '-c']).stdout).toBe("Cache and remote 'local' are in sync.\n");

    rmOutputs(s, '.dvc/cache', 'data', 'model.bin', 'x.bin', 'y.bin');
    expect(s.ok(['fetch', 'x.bin']).stdout).toBe('1 file fetched\n');
    expect(s.cacheOids()).toEqual([md5('x\n')]);
    // A path inside prep's directory output: its manifest and that file only.
    const one = s.ok(['pull', 'data/b.txt']);
    expect(one.stdout).toBe('A       data/b.txt\n1 file added and 2 files fetched\n');
    expect(s.exists('data/a.txt')).toBe(false);
    const all = s.ok(['pull', '-d', 'train']);
    expect(all.stdout).toContain('A       model.bin\n');
    expect(s.read('data/a.txt')).toBe('a\n');
    expect(s.read('model.bin')).toBe('a\nb\n');
    expect(s.exists('x.bin')).toBe(false);
    expectCleanFailure(s.trove(['push', 'nosuch']), /'nosuch' is not tracked by trove, and no stage has that name/);
  });
});
