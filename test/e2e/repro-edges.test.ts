/** Pipeline behaviour at the edges: callback stages, uncached outputs on remotes, persistent outputs. */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { corruptObjects, repo, Sandbox } from './helpers.js';

describe('repro: edges', () => {
  it("a stage with neither dependencies nor outputs runs every time (DVC's callback stage); one with an output runs once", () => {
    const s = repo();
    s.write('dvc.yaml', 'stages:\n  hello:\n    cmd: echo hi >> said.txt\n');
    expect(s.ok(['repro']).stdout).toContain("Running stage 'hello': it has no entry in dvc.lock yet");
    expect(s.ok(['repro']).stdout).toContain("Running stage 'hello': it has no dependencies or outputs, so it always runs");
    expect(JSON.parse(s.ok(['status', '--json']).stdout)).toEqual({ hello: ['always changed'] });
    s.write('dvc.yaml', 'stages:\n  hello:\n    cmd: echo hi > said.txt\n    outs:\n    - said.txt\n');
    expect(s.ok(['repro']).stdout).toContain("Running stage 'hello'");
    expect(s.ok(['repro']).stdout).toContain("Stage 'hello' didn't change, skipping");
    s.write('dvc.yaml', 'stages:\n  hello:\n    cmd: echo hi > said.txt\n    outs:\n    - said.txt\n    always_changed: true\n');
    expect(s.ok(['repro']).stdout).toContain("Running stage 'hello': it is always_changed");
  });

  it('outputs declared cache: false are hashed in dvc.lock but never pushed or missed', () => {
    const s = repo();
    s.write('in.txt', 'x\n');
    s.write('dvc.yaml', 'stages:\n  m:\n    cmd: cp in.txt model.bin && echo 1 > metrics.json\n    deps:\n    - in.txt\n    outs:\n    - model.bin\n    metrics:\n    - metrics.json:\n        cache: false\n');
    s.ok(['repro']);
    s.ok(['remote', 'add', '-d', 'local', path.join(s.base, 'remote')]);
    const pushed = s.ok(['push']);
    expect(pushed.stdout).toBe('1 file pushed\n');
    expect(pushed.stderr).not.toContain('metrics.json');
    expect(s.ok(['status', '-c']).stdout).toBe("Cache and remote 'local' are in sync.\n");
  });

  it('a persistent output linked to the cache is unprotected before its stage appends to it', () => {
    const s = repo();
    s.ok(['config', 'cache.type', 'hardlink']);
    s.write('in.txt', 'x\n');
    s.write('dvc.yaml', 'stages:\n  log:\n    cmd: cat in.txt >> log.txt\n    deps:\n    - in.txt\n    outs:\n    - log.txt:\n        persist: true\n');
    s.ok(['repro']);
    s.ok(['repro', '-f']);
    expect(s.read('log.txt')).toBe('x\nx\n');
    expect(corruptObjects(s.cacheObjects())).toEqual([]);
  });
});

describe('repro: run-cache', () => {
  const PIPELINE = 'stages:\n  train:\n    cmd: cat in.txt params.yaml > model.bin && echo ran >> runs.log\n    deps:\n    - in.txt\n    params:\n    - lr\n    outs:\n    - model.bin\n';

  it('an earlier identical run is restored from .dvc/cache/runs instead of run again; --no-run-cache runs it', () => {
    const s = repo();
    s.writeAll({ 'in.txt': 'a\n', 'params.yaml': 'lr: 1\n', 'dvc.yaml': PIPELINE });
    s.ok(['repro']);
    const lockV1 = s.read('dvc.lock');
    s.write('params.yaml', 'lr: 2\n');
    s.ok(['repro']);
    s.write('params.yaml', 'lr: 1\n');
    const back = s.ok(['repro']);
    expect(back.stdout).toContain("Stage 'train' is cached - skipping run, checking out outputs");
    expect(s.read('runs.log')).toBe('ran\nran\n');
    expect(s.read('model.bin')).toBe('a\nlr: 1\n');
    expect(s.read('dvc.lock')).toBe(lockV1);
    expect(s.ok(['status']).stdout).toBe('Data and pipelines are up to date.\n');
    const runs = fs.readdirSync(s.abs('.dvc/cache/runs'));
    expect(runs.every((d) => /^[0-9a-f]{2}$/.test(d))).toBe(true);

    s.write('params.yaml', 'lr: 2\n');
    const forced = s.ok(['repro', '--no-run-cache']);
    expect(forced.stdout).not.toContain('is cached');
    expect(s.read('runs.log')).toBe('ran\nran\nran\n');
  });

  it('a stage with a cache: false metrics output is restored too: the metrics file comes back as a plain writable copy, not a link, and stays out of .gitignore', () => {
    const s = repo();
    s.ok(['config', 'cache.type', 'hardlink']);
    const withMetrics = 'stages:\n  train:\n    cmd: cat in.txt params.yaml > model.bin && cp params.yaml metrics.yaml && echo ran >> runs.log\n    deps:\n    - in.txt\n    params:\n    - lr\n    outs:\n    - model.bin\n    metrics:\n    - metrics.yaml:\n        cache: false\n';
    s.writeAll({ 'in.txt': 'a\n', 'params.yaml': 'lr: 1\n', 'dvc.yaml': withMetrics });
    s.ok(['repro']);
    const lockV1 = s.read('dvc.lock');
    s.write('params.yaml', 'lr: 2\n');
    s.ok(['repro']);
    expect(s.read('metrics.yaml')).toBe('lr: 2\n');
    s.write('params.yaml', 'lr: 1\n');
    expect(s.ok(['repro']).stdout).toContain("Stage 'train' is cached - skipping run, checking out outputs");
    expect(s.read('runs.log')).toBe('ran\nran\n');
    expect(s.read('metrics.yaml')).toBe('lr: 1\n');
    expect(s.read('dvc.lock')).toBe(lockV1);
    const st = fs.lstatSync(s.abs('metrics.yaml'));
    expect(st.isFile() && st.nlink === 1 && (st.mode & 0o200) !== 0).toBe(true);
    expect(s.read('.gitignore')).not.toContain('metrics.yaml');
    expect(s.ok(['status']).stdout).toBe('Data and pipelines are up to date.\n');
    expect(corruptObjects(s.cacheObjects())).toEqual([]);
  });

  it('a recorded run whose outputs left the cache is run again', () => {
    const s = repo();
    s.writeAll({ 'in.txt': 'a\n', 'params.yaml': 'lr: 1\n', 'dvc.yaml': PIPELINE });
    s.ok(['repro']);
    s.write('params.yaml', 'lr: 2\n');
    s.ok(['repro']);
    fs.rmSync(s.abs('.dvc/cache/files'), { recursive: true });
    s.write('params.yaml', 'lr: 1\n');
    expect(s.ok(['repro']).stdout).not.toContain('is cached');
    expect(s.read('runs.log')).toBe('ran\nran\nran\n');
  });
});

describe('repro: no pipeline', () => {
  it('without a dvc.yaml, repro says so and exits 1, as DVC', () => {
    const s = repo();
    const r = s.trove(['repro']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("ERROR: 'dvc.yaml' does not exist");
  });
});

describe('stage outputs in checkout and pull', () => {
  const PIPELINE = 'stages:\n  build:\n    cmd: mkdir -p out && cp in.txt out/a.txt && cp in.txt model.bin && echo 1 > metrics.json\n    deps:\n    - in.txt\n    outs:\n    - out\n    - model.bin\n    metrics:\n    - metrics.json:\n        cache: false\n';

  it('checkout restores the outputs dvc.lock records (not cache: false ones), refusing nothing it should not', () => {
    const s = repo();
    s.writeAll({ 'in.txt': 'x\n', 'dvc.yaml': PIPELINE });
    s.ok(['repro']);
    fs.rmSync(s.abs('out'), { recursive: true });
    fs.rmSync(s.abs('model.bin'));
    const r = s.ok(['checkout']);
    expect(r.stdout).toBe('A       model.bin\nA       out/\n');
    expect(s.read('out/a.txt')).toBe('x\n');
    expect(s.ok(['status']).stdout).toBe('Data and pipelines are up to date.\n');
  });

  it('a fresh clone pulls stage outputs instead of having to run the stages', () => {
    const s = repo();
    s.writeAll({ 'in.txt': 'x\n', 'dvc.yaml': PIPELINE });
    s.ok(['repro']);
    s.ok(['remote', 'add', '-d', 'local', path.join(s.base, 'remote')]);
    s.ok(['push']);
    s.git('add', '-A');
    s.git('commit', '-qm', 'pipeline');
    const clone = new Sandbox({ git: false });
    clone.git('clone', '-q', s.root, '.');
    const pulled = clone.ok(['pull']);
    expect(pulled.stdout).toContain('A       model.bin\n');
    expect(pulled.stdout).toContain('A       out/\n');
    expect(clone.read('out/a.txt')).toBe('x\n');
    // metrics.json is not cached: it came through git. Nothing needs to run.
    expect(clone.read('metrics.json')).toBe('1\n');
    expect(clone.ok(['repro']).stdout).toContain("Stage 'build' didn't change, skipping");
  });
});

describe('status with stage targets', () => {
  it('a stage named as a target is reported as DVC reports it; data targets still work beside it', () => {
    const s = repo();
    s.writeAll({ 'in.txt': 'x\n', 'data.csv': 'a\n', 'dvc.yaml': 'stages:\n  build:\n    cmd: cp in.txt out.txt\n    deps:\n    - in.txt\n    outs:\n    - out.txt\n' });
    s.ok(['add', 'data.csv']);
    s.ok(['repro']);
    expect(s.ok(['status', 'build']).stdout).toBe('Data and pipelines are up to date.\n');
    s.write('in.txt', 'y\n');
    s.write('data.csv', 'b\n');
    expect(JSON.parse(s.ok(['status', 'build', '--json']).stdout)).toEqual({ build: [{ 'changed deps': { 'in.txt': 'modified' } }] });
    expect(JSON.parse(s.ok(['status', 'dvc.yaml:build', 'data.csv', '--json']).stdout)).toEqual({
      build: [{ 'changed deps': { 'in.txt': 'modified' } }],
      'data.csv.dvc': [{ 'changed outs': { 'data.csv': 'modified' } }],
    });
  });
});
