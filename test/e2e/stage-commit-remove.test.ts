/** `commit` and `remove` with pipeline stages as targets, as DVC 3 does them. */
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { expectCleanFailure, md5, repo, type Sandbox } from './helpers.js';

const PIPELINE = `stages:
  prep:
    cmd: mkdir -p data && cp in.txt data/a.txt && echo b > data/b.txt
    deps:
    - in.txt
    outs:
    - data
  train:
    cmd: cat data/a.txt data/b.txt > model.bin
    deps:
    - data
    outs:
    - model.bin
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

describe('commit: stages', () => {
  it('an unchanged stage commits silently; a changed one needs -f, then dvc.lock and the cache hold it', () => {
    const s = pipeline();
    const lock = s.read('dvc.lock');
    const quiet = s.ok(['commit', 'train']);
    expect(quiet.stdout + quiet.stderr).toBe('');
    s.write('model.bin', 'edited\n');
    expectCleanFailure(s.trove(['commit', 'train']), /unable to commit changed stage 'train'/);
    expect(s.read('dvc.lock')).toBe(lock);
    const r = s.ok(['commit', '-f', 'train']);
    expect(r.stdout).toBe("Updating lock file 'dvc.lock'\n");
    expect(r.stderr).toContain('git add dvc.lock');
    expect(s.read('dvc.lock')).toBe(lock.replace(md5('a\nb\n'), md5('edited\n')).replace(/(path: model\.bin\n\s+hash: md5\n\s+md5: \w+\n\s+size: )4/, '$17'));
    expect(s.cacheOids()).toContain(md5('edited\n'));
    expect(s.ok(['status']).stdout).toBe('Data and pipelines are up to date.\n');
  });

  it('a stage whose command ran by hand is recorded as repro records it', () => {
    const s = repo();
    s.writeAll({ 'in.txt': 'a\n', 'dvc.yaml': PIPELINE, 'data/a.txt': 'a\n', 'data/b.txt': 'b\n' });
    const r = s.ok(['commit', '-f', 'prep']);
    expect(r.stdout).toBe("Generating lock file 'dvc.lock'\nUpdating lock file 'dvc.lock'\n");
    expect(s.read('.gitignore')).toBe('/data\n');
    const ref = repo();
    ref.writeAll({ 'in.txt': 'a\n', 'dvc.yaml': PIPELINE });
    ref.ok(['repro', 'prep']);
    expect(s.read('dvc.lock')).toBe(ref.read('dvc.lock'));
    expect(s.ok(['repro', 'prep']).stdout).toContain("Stage 'prep' didn't change, skipping");
  });

  it('a path of a stage saves only that output to the cache; dvc.lock records them all', () => {
    const s = pipeline();
    s.writeAll({ 'x.bin': 'x2\n', 'y.bin': 'y2\n' });
    s.ok(['commit', '-f', 'x.bin']);
    expect(s.cacheOids()).toContain(md5('x2\n'));
    expect(s.cacheOids()).not.toContain(md5('y2\n'));
    expect(s.read('dvc.lock')).toContain(md5('y2\n'));
    expect(JSON.parse(s.ok(['status', '--json']).stdout)).toEqual({ two: [{ 'changed outs': { 'y.bin': 'not in cache' } }] });
    // Nothing changed since, but y.bin is missing from the cache: commit saves it, without asking.
    s.ok(['commit', 'two']);
    expect(s.ok(['status']).stdout).toBe('Data and pipelines are up to date.\n');
  });

  it('without targets commit takes stages too (as DVC); -d takes the stages a target depends on', () => {
    const s = pipeline();
    s.write('in.txt', 'changed\n');
    expectCleanFailure(s.trove(['commit']), /unable to commit changed stage 'prep'/);
    expect(s.ok(['commit', '-f']).stdout).toBe("Updating lock file 'dvc.lock'\n");
    expect(s.read('dvc.lock')).toContain(md5('changed\n'));
    s.write('data/a.txt', 'a2\n');
    s.write('model.bin', 'm2\n');
    s.ok(['commit', '-f', '-d', 'train']);
    expect(s.ok(['status']).stdout).toBe('Data and pipelines are up to date.\n');
    expect(s.cacheOids()).toEqual(expect.arrayContaining([md5('a2\n'), md5('m2\n')]));
  });

  it('a missing output or dependency fails clearly and records nothing', () => {
    const s = pipeline();
    const lock = s.read('dvc.lock');
    fs.rmSync(s.abs('model.bin'));
    expectCleanFailure(s.trove(['commit', '-f', 'train']), /output 'model\.bin' of stage 'train' does not exist/);
    fs.rmSync(s.abs('in.txt'));
    expectCleanFailure(s.trove(['commit', '-f', 'prep']), /cannot commit stage 'prep': dependency 'in\.txt' does not exist/);
    expect(s.read('dvc.lock')).toBe(lock);
    expectCleanFailure(s.trove(['commit', 'nosuch']), /'nosuch' is not tracked by trove, and no stage has that name/);
  });
});

const COMMENTED = `# the pipeline
stages:
  prep:  # makes data/
    cmd: mkdir -p data && cp in.txt data/a.txt && echo b > data/b.txt
    deps:
    - in.txt
    outs:
    - data

  train:
    cmd: cat data/a.txt data/b.txt > model.bin
    deps:
    - data
    outs:
    - model.bin

  # the last one
  two:
    cmd: "echo x > x.bin && echo y > y.bin"
    outs:
    - x.bin
    - y.bin
`;

describe('remove: stages', () => {
  it('takes a stage out of dvc.yaml (the rest keeps its bytes), dvc.lock and .gitignore; the data stays, writable', () => {
    const s = repo();
    s.ok(['config', '--local', 'cache.type', 'hardlink']);
    s.writeAll({ 'in.txt': 'a\n', 'dvc.yaml': COMMENTED });
    s.ok(['repro']);
    const r = s.ok(['remove', 'train']);
    expect(r.stderr).toContain('git add .gitignore dvc.lock dvc.yaml');
    expect(s.read('dvc.yaml')).toBe(COMMENTED.replace('  train:\n    cmd: cat data/a.txt data/b.txt > model.bin\n    deps:\n    - data\n    outs:\n    - model.bin\n\n', ''));
    expect(s.read('dvc.lock')).not.toContain('train');
    expect(s.read('.gitignore')).toBe('/data\n/x.bin\n/y.bin\n');
    expect(s.read('model.bin')).toBe('a\nb\n');
    expect(s.lstat('model.bin').nlink).toBe(1);
    expect(s.ok(['remove', 'dvc.yaml:prep']).stderr).toContain('git add');
    expect(s.read('dvc.yaml')).toBe('# the pipeline\nstages:\n  # the last one\n  two:\n    cmd: "echo x > x.bin && echo y > y.bin"\n    outs:\n    - x.bin\n    - y.bin\n');
    expect(s.ok(['status']).stdout).toBe('Data and pipelines are up to date.\n');
  });

  it('--outs deletes the outputs; with the last stage go dvc.yaml and dvc.lock', () => {
    const s = pipeline();
    s.ok(['remove', '--outs', 'two', 'train']);
    expect(s.exists('x.bin') || s.exists('y.bin') || s.exists('model.bin')).toBe(false);
    expect(s.exists('data/a.txt')).toBe(true);
    s.ok(['remove', 'prep']);
    expect(s.exists('dvc.yaml') || s.exists('dvc.lock') || s.exists('.gitignore')).toBe(false);
    expect(s.read('data/a.txt')).toBe('a\n');
  });

  it('a whole dvc.yaml, and one in a subdirectory; a dvc.yaml with other sections keeps them', () => {
    const s = repo();
    s.writeAll({ 'sub/dvc.yaml': 'stages:\n  s:\n    cmd: echo s > s.out\n    outs:\n    - s.out\n', 'dvc.yaml': 'stages:\n  m:\n    cmd: echo 1 > m.json\n    metrics:\n    - m.json:\n        cache: false\nmetrics:\n- m.json\n' });
    s.ok(['repro', '-P']);
    s.ok(['remove', 'sub/dvc.yaml']);
    expect(s.exists('sub/dvc.yaml') || s.exists('sub/dvc.lock') || s.exists('sub/.gitignore')).toBe(false);
    expect(s.read('sub/s.out')).toBe('s\n');
    s.ok(['remove', 'm']);
    expect(s.read('dvc.yaml')).toBe('metrics:\n- m.json\n');
    expect(s.exists('dvc.lock')).toBe(false);
  });

  it('refuses foreach stages alone and says which stage owns an output; one bad target removes nothing', () => {
    const s = repo();
    s.writeAll({ 'dvc.yaml': 'stages:\n  each:\n    foreach: [a, b]\n    do:\n      cmd: echo ${item} > ${item}.txt\n      outs:\n      - ${item}.txt\n  one:\n    cmd: echo 1 > one.txt\n    outs:\n    - one.txt\n' });
    s.ok(['repro']);
    const yaml = s.read('dvc.yaml');
    expectCleanFailure(s.trove(['remove', 'each@a']), /cannot remove 'each@a': it is generated by foreach\/matrix stage 'each'/);
    expectCleanFailure(s.trove(['remove', 'each']), /cannot remove 'each': it is a foreach\/matrix group/);
    expectCleanFailure(s.trove(['remove', 'one.txt']), /it is an output of stage 'one': remove the stage \(`trove remove one`\)/);
    expectCleanFailure(s.trove(['remove', 'one', 'dvc.yaml:nosuch']), /Stage 'nosuch' not found inside 'dvc\.yaml' file/);
    expect(s.read('dvc.yaml')).toBe(yaml);
    expect(s.read('.gitignore')).toContain('/one.txt');
  });
});
