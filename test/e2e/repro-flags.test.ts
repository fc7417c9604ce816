/** repro's target selection (default ./dvc.yaml, -p, -P, --glob) and its data flags (--allow-missing, --pull), and data sources re-saved as DVC does. */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { expectCleanFailure, repo, Sandbox } from './helpers.js';

function ranStages(r: { stdout: string }): string[] {
  return [...r.stdout.matchAll(/^Running stage '([^']+)'/gm)].map((m) => m[1]!);
}

const stage = (name: string, cmd: string, deps: string[], outs: string[]) =>
  `  ${name}:\n    cmd: ${cmd}\n${deps.length ? `    deps:\n${deps.map((d) => `    - ${d}\n`).join('')}` : ''}${outs.length ? `    outs:\n${outs.map((o) => `    - ${o}\n`).join('')}` : ''}`;

describe('repro: which stages', () => {
  it('without targets runs ./dvc.yaml (and what it needs), as DVC; -P runs every pipeline; a subdirectory runs its own', () => {
    const s = repo();
    s.write('in.txt', 'x\n');
    s.write('dvc.yaml', `stages:\n${stage('top', 'cp sub/mid.txt top.txt', ['sub/mid.txt'], ['top.txt'])}`);
    s.write('sub/dvc.yaml', `stages:\n${stage('mid', 'cp ../in.txt mid.txt', ['../in.txt'], ['mid.txt'])}${stage('other', 'echo o > other.txt', [], ['other.txt'])}`);
    expect(ranStages(s.ok(['repro']))).toEqual(['sub/dvc.yaml:mid', 'top']);
    expect(s.exists('sub/other.txt')).toBe(false);
    expect(ranStages(s.ok(['repro'], { cwd: 'sub' }))).toEqual(['other']);
    fs.rmSync(s.abs('sub/other.txt'));
    expect(ranStages(s.ok(['repro', '-P']))).toEqual(['sub/dvc.yaml:other']);
    // No dvc.yaml here: DVC's error, with a hint.
    s.write('elsewhere/x.txt', '');
    expectCleanFailure(s.trove(['repro'], { cwd: 'elsewhere' }), /'dvc\.yaml' does not exist/, 1);
  });

  it('-p runs the whole pipeline a target belongs to, not the others', () => {
    const s = repo();
    s.write(
      'dvc.yaml',
      `stages:\n${stage('a1', 'echo 1 > a1.txt', [], ['a1.txt'])}${stage('a2', 'cp a1.txt a2.txt', ['a1.txt'], ['a2.txt'])}${stage('a3', 'cp a2.txt a3.txt', ['a2.txt'], ['a3.txt'])}${stage('b1', 'echo b > b1.txt', [], ['b1.txt'])}`,
    );
    expect(ranStages(s.ok(['repro', '-p', 'a2']))).toEqual(['a1', 'a2', 'a3']);
    expect(s.exists('b1.txt')).toBe(false);
  });

  it('--glob takes shell-style patterns of stage names, also after dvc.yaml:', () => {
    const s = repo();
    s.write('dvc.yaml', `stages:\n${stage('train-a', 'echo a > a.txt', [], ['a.txt'])}${stage('train-b', 'echo b > b.txt', [], ['b.txt'])}${stage('eval', 'echo e > e.txt', [], ['e.txt'])}`);
    expect(ranStages(s.ok(['repro', '--glob', 'train-*']))).toEqual(['train-a', 'train-b']);
    expect(ranStages(s.ok(['repro', '--glob', 'dvc.yaml:e?al']))).toEqual(['eval']);
    expectCleanFailure(s.trove(['repro', 'train-*']), /train-\*/, 1);
  });
});

describe('repro: data sources', () => {
  const PIPE = `stages:\n${stage('count', 'wc -l < data.csv > count.txt', ['data.csv'], ['count.txt'])}`;

  it('a changed .dvc data source is re-saved (cache and pointer file), then what depends on it runs', () => {
    const s = repo();
    s.write('data.csv', 'a\n');
    s.ok(['add', 'data.csv']);
    s.write('dvc.yaml', PIPE);
    s.ok(['repro']);
    s.write('data.csv', 'a\nb\n');
    const r = s.ok(['repro']);
    expect(r.stdout).toMatch(/^Verifying data sources in stage: 'data\.csv\.dvc'\n/);
    expect(ranStages(r)).toEqual(['count']);
    expect(s.read('count.txt').trim()).toBe('2');
    // The pointer file is what `add` writes for the new content.
    const viaRepro = s.read('data.csv.dvc');
    s.ok(['add', 'data.csv']);
    expect(s.read('data.csv.dvc')).toBe(viaRepro);
    expect(s.ok(['status']).stdout).toBe('Data and pipelines are up to date.\n');
  });

  it('a missing data source fails the run, naming it; --allow-missing skips it and what only lacks data', () => {
    const s = repo();
    s.write('data.csv', 'a\n');
    s.ok(['add', 'data.csv']);
    s.write('dvc.yaml', PIPE);
    s.ok(['repro']);
    fs.rmSync(s.abs('data.csv'));
    fs.rmSync(s.abs('count.txt'));
    expectCleanFailure(s.trove(['repro']), /failed to reproduce 'data\.csv\.dvc': missing data 'source': data\.csv/, 1);
    const r = s.ok(['repro', '--allow-missing']);
    expect(r.stdout).toContain("'data.csv.dvc' didn't change, skipping\n");
    expect(r.stdout).toContain("Stage 'count' didn't change, skipping\n");
    expect(ranStages(r)).toEqual([]);
  });
});

describe('repro: --allow-missing and --pull on a fresh clone', () => {
  const PARAMS = 'n: 1\n';
  const PIPE = `stages:\n  prep:\n    cmd: sed s/a/p/ data.csv > prep.txt && echo prep >> runs.log\n    deps:\n    - data.csv\n    outs:\n    - prep.txt\n  train:\n    cmd: cat prep.txt params.yaml > model.txt && echo train >> runs.log\n    deps:\n    - prep.txt\n    params:\n    - n\n    outs:\n    - model.txt\n`;

  function cloneOfPushedPipeline(): { s: Sandbox; clone: Sandbox } {
    const s = repo();
    s.writeAll({ 'data.csv': 'a\n', 'params.yaml': PARAMS, 'dvc.yaml': PIPE, '.gitignore': 'runs.log\n' });
    s.ok(['add', 'data.csv']);
    s.ok(['repro']);
    s.ok(['remote', 'add', '-d', 'local', path.join(s.base, 'remote')]);
    s.ok(['push']);
    s.git('add', '-A');
    s.git('commit', '-qm', 'pipeline');
    const clone = new Sandbox({ git: false });
    clone.git('clone', '-q', s.root, '.');
    return { s, clone };
  }

  it('--allow-missing: nothing runs when only data is missing; a param change still runs its stage', () => {
    const { clone } = cloneOfPushedPipeline();
    const r = clone.ok(['repro', '--allow-missing']);
    expect(ranStages(r)).toEqual([]);
    expect(r.stdout).toContain('Data and pipelines are up to date.');
    clone.write('params.yaml', 'n: 2\n');
    // train runs, so its missing dependency prep.txt matters: prep is not stale but its output is gone.
    const changed = clone.trove(['repro', '--allow-missing', '-s', 'train']);
    expect(ranStages(changed)).toEqual(['train']);
  });

  it('--pull: data-only stages are pulled instead of run; the changed one runs', () => {
    const { clone } = cloneOfPushedPipeline();
    clone.write('params.yaml', 'n: 2\n');
    const r = clone.ok(['repro', '--pull']);
    expect(r.stdout).toContain("Pulling data for stage: 'data.csv.dvc'\n");
    expect(r.stdout).toContain("Pulling data for stage: 'prep'\n");
    expect(ranStages(r)).toEqual(['train']);
    expect(clone.read('prep.txt')).toBe('p\n');
    expect(clone.read('runs.log')).toBe('train\n');
    expect(clone.ok(['status']).stdout).toBe('Data and pipelines are up to date.\n');
  });

  it('--pull with the data absent from the remote says so and runs the stage', () => {
    const { s, clone } = cloneOfPushedPipeline();
    fs.rmSync(path.join(s.base, 'remote'), { recursive: true, force: true });
    fs.mkdirSync(path.join(s.base, 'remote'));
    clone.write('data.csv', 'a\n');
    const r = clone.ok(['repro', '--pull']);
    expect(r.stdout).toContain("Unable to pull data for stage: 'prep'\n");
    expect(ranStages(r)).toEqual(expect.arrayContaining(['prep', 'train']));
  });
});
