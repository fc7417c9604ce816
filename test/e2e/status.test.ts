import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { expectCleanFailure, md5, repo, type Sandbox } from './helpers.js';

const OUTPUTS = '/work/shared/dvc-formats/outputs';

/** DVC's printed output for a command, without the `$ cmd` line and the `[exit N]` line. */
function dvcOutput(name: string): string | undefined {
  const file = path.join(OUTPUTS, name);
  if (!fs.existsSync(file)) return undefined;
  const lines = fs.readFileSync(file, 'utf8').split('\n');
  const end = lines.findIndex((l) => /^\[exit \d+\]$/.test(l));
  return `${lines.slice(1, end).join('\n')}\n`;
}

/** Splits status text into per-stage blocks, sorted (DVC's stage order is not stable). */
function blocks(text: string): string[] {
  return text
    .split(/\n(?=\S)/)
    .map((b) => b.trimEnd())
    .sort();
}

function setup(): Sandbox {
  const s = repo();
  s.writeAll({ 'data.csv': 'a,b\n1,2\n', 'images/img0.bin': 'img0', 'images/sub/note.txt': 'note\n' });
  s.ok(['add', 'data.csv', 'images']);
  s.git('add', '-A');
  s.git('commit', '-q', '-m', 'data');
  return s;
}

describe('trove status', () => {
  it('a clean workspace: the up-to-date message and {} (DVC byte for byte)', () => {
    const s = setup();
    const r = s.ok(['status']);
    expect(r.stdout).toBe('Data and pipelines are up to date.\n');
    const dvc = dvcOutput('dvc-status-clean.txt');
    if (dvc) expect(r.stdout).toBe(dvc);
    expect(s.ok(['status', '--json']).stdout).toBe('{}\n');
  });

  it('modified outputs, in DVC text and JSON shape', () => {
    const s = setup();
    s.write('data.csv', 'a,b\n1,2\n3,4\n');
    s.write('images/sub/note.txt', 'changed note\n');
    const r = s.ok(['status']);
    expect(r.stdout).toBe(
      'data.csv.dvc:\n\tchanged outs:\n\t\tmodified:           data.csv\nimages.dvc:\n\tchanged outs:\n\t\tmodified:           images\n',
    );
    const dvc = dvcOutput('dvc-status-dirty.txt');
    if (dvc) expect(blocks(r.stdout)).toEqual(blocks(dvc));
    const json = s.ok(['status', '--json']).stdout;
    expect(json).toBe('{"data.csv.dvc": [{"changed outs": {"data.csv": "modified"}}], "images.dvc": [{"changed outs": {"images": "modified"}}]}\n');
    const dvcJson = path.join(OUTPUTS, 'dvc-status-dirty.json');
    if (fs.existsSync(dvcJson)) expect(JSON.parse(json)).toEqual(JSON.parse(fs.readFileSync(dvcJson, 'utf8')));
  });

  it('a directory counts as modified when a file is added or removed inside it', () => {
    const s = setup();
    s.write('images/extra.bin', 'new');
    expect(JSON.parse(s.ok(['status', '--json']).stdout)).toEqual({ 'images.dvc': [{ 'changed outs': { images: 'modified' } }] });
    fs.rmSync(s.abs('images/extra.bin'));
    fs.rmSync(s.abs('images/img0.bin'));
    expect(JSON.parse(s.ok(['status', '--json']).stdout)).toEqual({ 'images.dvc': [{ 'changed outs': { images: 'modified' } }] });
  });

  it('an empty directory inside an output does not count, as in DVC', () => {
    const s = setup();
    fs.mkdirSync(s.abs('images/nothing-here'));
    expect(s.ok(['status']).stdout).toBe('Data and pipelines are up to date.\n');
  });

  it('deleted outputs', () => {
    const s = setup();
    fs.rmSync(s.abs('data.csv'));
    fs.rmSync(s.abs('images'), { recursive: true });
    const r = s.ok(['status']);
    expect(r.stdout).toBe(
      'data.csv.dvc:\n\tchanged outs:\n\t\tdeleted:            data.csv\nimages.dvc:\n\tchanged outs:\n\t\tdeleted:            images\n',
    );
    expect(JSON.parse(s.ok(['status', '--json']).stdout)).toEqual({
      'data.csv.dvc': [{ 'changed outs': { 'data.csv': 'deleted' } }],
      'images.dvc': [{ 'changed outs': { images: 'deleted' } }],
    });
  });

  it('not in cache, when the cache is gone (with the workspace too, as in the DVC session)', () => {
    const s = setup();
    fs.rmSync(s.cacheDir(), { recursive: true });
    fs.rmSync(s.abs('data.csv'));
    fs.rmSync(s.abs('images'), { recursive: true });
    const r = s.ok(['status']);
    const dvc = dvcOutput('dvc-status-missing.txt');
    expect(r.stdout).toBe(
      'data.csv.dvc:\n\tchanged outs:\n\t\tnot in cache:       data.csv\nimages.dvc:\n\tchanged outs:\n\t\tnot in cache:       images\n',
    );
    if (dvc) expect(blocks(r.stdout)).toEqual(blocks(dvc));
    const json = JSON.parse(s.ok(['status', '--json']).stdout);
    const dvcJson = path.join(OUTPUTS, 'dvc-status-missing.json');
    if (fs.existsSync(dvcJson)) expect(json).toEqual(JSON.parse(fs.readFileSync(dvcJson, 'utf8')));
  });

  it('not in cache when only one file object of a directory is missing', () => {
    const s = setup();
    const obj = s.cacheObjects().find((o) => fs.readFileSync(o.path, 'utf8') === 'note\n')!;
    fs.rmSync(obj.path);
    expect(JSON.parse(s.ok(['status', '--json']).stdout)).toEqual({ 'images.dvc': [{ 'changed outs': { images: 'not in cache' } }] });
  });

  it('targets: a pointer file, an output, a path inside an output, an untracked path', () => {
    const s = setup();
    s.write('data.csv', 'changed');
    s.write('images/img0.bin', 'changed');
    const byPointer = JSON.parse(s.ok(['status', '--json', 'data.csv.dvc']).stdout);
    expect(byPointer).toEqual({ 'data.csv.dvc': [{ 'changed outs': { 'data.csv': 'modified' } }] });
    const byOutput = JSON.parse(s.ok(['status', '--json', 'images']).stdout);
    expect(byOutput).toEqual({ 'images.dvc': [{ 'changed outs': { images: 'modified' } }] });
    const inner = JSON.parse(s.ok(['status', '--json', 'images/img0.bin']).stdout);
    expect(Object.keys(inner)).toEqual(['images.dvc']);
    s.write('loose.txt', 'x');
    expectCleanFailure(s.trove(['status', 'loose.txt']), /not tracked/);
    expectCleanFailure(s.trove(['status', 'no-such-thing']), /not tracked/);
  });

  it('an output the pointer file records no hash for is new; commit records it without asking', () => {
    const s = repo();
    s.write('fresh.txt', 'fresh\n');
    s.write('fresh.txt.dvc', 'outs:\n- path: fresh.txt\n');
    expect(s.ok(['status']).stdout).toBe('fresh.txt.dvc:\n\tchanged outs:\n\t\tnew:                fresh.txt\n');
    expect(JSON.parse(s.ok(['status', '--json']).stdout)).toEqual({ 'fresh.txt.dvc': [{ 'changed outs': { 'fresh.txt': 'new' } }] });
    s.ok(['commit']);
    expect(s.read('fresh.txt.dvc')).toContain(`md5: ${md5('fresh\n')}`);
    expect(s.ok(['status']).stdout).toBe('Data and pipelines are up to date.\n');
  });

  it('prints paths relative to the current directory', () => {
    const s = repo();
    s.write('sub/deep/f.txt', 'f');
    s.ok(['add', 'sub/deep/f.txt']);
    s.write('sub/deep/f.txt', 'g');
    const r = s.ok(['status'], { cwd: 'sub' });
    expect(r.stdout).toBe('deep/f.txt.dvc:\n\tchanged outs:\n\t\tmodified:           deep/f.txt\n');
  });

  it('-q prints nothing and exits 1 when something changed, as DVC', () => {
    const s = setup();
    const clean = s.trove(['status', '-q']);
    expect([clean.code, clean.stdout, clean.stderr]).toEqual([0, '', '']);
    s.write('data.csv', 'changed');
    const dirty = s.trove(['status', '-q']);
    expect([dirty.code, dirty.stdout, dirty.stderr]).toEqual([1, '', '']);
    expect(s.trove(['status', '-q', 'images.dvc']).code).toBe(0);
  });

  it('exits 0 with changes, and is read-only (no lock, no pointer changes)', () => {
    const s = setup();
    s.write('data.csv', 'changed');
    const before = s.read('data.csv.dvc');
    expect(s.trove(['status']).code).toBe(0);
    expect(s.read('data.csv.dvc')).toBe(before);
    expect(s.exists('.dvc/tmp/lock')).toBe(false);
  });

  it('a file replaced by a directory (and back) is modified, not a crash', () => {
    const s = setup();
    fs.rmSync(s.abs('data.csv'));
    s.write('data.csv/inner', 'x');
    const r = s.ok(['status', '--json']);
    expect(JSON.parse(r.stdout)).toEqual({ 'data.csv.dvc': [{ 'changed outs': { 'data.csv': 'modified' } }] });
    fs.rmSync(s.abs('images'), { recursive: true });
    s.write('images', 'now a file');
    expect(JSON.parse(s.ok(['status', '--json']).stdout)['images.dvc']).toEqual([{ 'changed outs': { images: 'modified' } }]);
  });
});
