import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { lockEntryFor, lockKeyParts } from '../../../src/pipeline/lock-entry.js';
import { parseLockFile, PyFloat, serializeLockStage, type LockedStage } from '../../../src/pipeline/lock-file.js';
import {
  checkRunCacheEntry,
  listRunCache,
  lookup,
  runCacheEntryPath,
  runCacheKey,
  runCacheSkipReason,
  runCacheValue,
  save,
  writeRunCacheEntry,
} from '../../../src/pipeline/run-cache.js';
import { fixture, useTempDirs } from '../helpers.js';
import { goldenHashes, goldenParams, goldenStages, type GoldenVersion } from './golden-pipeline.js';

const tmp = useTempDirs('trove-runcache-');

/** The run-cache entries DVC 3.22.1 left after the golden session: `.dvc/cache/runs/xx/<key>/<value>`. */
const DVC_RUNS = new Set(
  fixture('outputs/cache-after-gc.txt')
    .split('\n')
    .filter((l) => l.startsWith('.dvc/cache/runs/'))
    .map((l) => l.slice('.dvc/cache/'.length)),
);

const keyOf = (e: LockedStage) => runCacheKey({ ...e, outPaths: e.outs.map((o) => o.path) });

describe("run-cache keys and values are DVC's", () => {
  for (const v of ['v1', 'v2', 'v4'] as const) {
    it(`every stage of dvc.lock.${v} is where DVC put its run`, () => {
      for (const entry of parseLockFile(fixture(`dvc.lock.${v}`)).stages.values()) {
        const key = keyOf(entry);
        expect(DVC_RUNS).toContain(`runs/${key.slice(0, 2)}/${key}/${runCacheValue(entry)}`);
      }
    });
  }

  it('the key computed before the outs exist (from the stage, deps hashes and params) is the same', () => {
    const [prepare, train] = goldenStages();
    for (const v of ['v1', 'v2', 'v4'] as GoldenVersion[]) {
      for (const stage of [prepare, train]) {
        const entry = lockEntryFor(stage, goldenHashes(v), goldenParams(v));
        expect(runCacheKey(lockKeyParts(stage, goldenHashes(v), goldenParams(v)))).toBe(keyOf(entry));
      }
    }
  });

  it('size and nfiles are left out of both hashes, at any depth (a param named size too)', () => {
    const entry = parseLockFile(fixture('dvc.lock.v1')).stages.get('prepare')!;
    const resized: LockedStage = {
      ...entry,
      deps: entry.deps.map((d) => ({ ...d, size: 1 })),
      outs: entry.outs.map((o) => ({ ...o, size: 2, nfiles: 99 })),
      params: { 'params.yaml': { ...entry.params['params.yaml'], size: 5 } },
    };
    expect(keyOf(resized)).toBe(keyOf(entry));
    expect(runCacheValue(resized)).toBe(runCacheValue(entry));
    const other: LockedStage = { ...entry, params: { 'params.yaml': { ...entry.params['params.yaml'], 'prepare.seed': 8 } } };
    expect(keyOf(other)).not.toBe(keyOf(entry));
  });

  it('an out hash changes the value, not the key; int 1 and float 1.0 differ, as in Python json', () => {
    const entry = parseLockFile(fixture('dvc.lock.v1')).stages.get('train')!;
    const rerun = { ...entry, outs: entry.outs.map((o) => ({ ...o, md5: 'f'.repeat(32) })) };
    expect(keyOf(rerun)).toBe(keyOf(entry));
    expect(runCacheValue(rerun)).not.toBe(runCacheValue(entry));
    const asInt = { ...entry, params: { 'params.yaml': { train: { lr: 0.01, epochs: 10 } } } };
    const asFloat = { ...entry, params: { 'params.yaml': { train: { lr: 0.01, epochs: new PyFloat(10) } } } };
    expect(keyOf(asInt)).toBe(keyOf(entry));
    expect(keyOf(asFloat)).not.toBe(keyOf(asInt));
  });
});

describe('save and lookup', () => {
  it('save writes the entry where DVC would, as DVC writes it; lookup finds it from the inputs alone', () => {
    const cache = path.join(tmp(), '.dvc', 'cache');
    const [prepare, train] = goldenStages();
    for (const stage of [prepare, train]) {
      const entry = lockEntryFor(stage, goldenHashes('v1'), goldenParams('v1'));
      const saved = save(cache, stage, entry);
      expect(saved.kind).toBe('saved');
      if (saved.kind === 'skipped') throw new Error('skipped');
      expect(path.relative(cache, saved.path)).toBeOneOf([...DVC_RUNS]);
      expect(fs.readFileSync(saved.path, 'utf8')).toBe(serializeLockStage(entry));
      expect(save(cache, stage, entry).kind).toBe('exists');
      // Only the deps' hashes are needed to look it up.
      const depsOnly = new Map([...goldenHashes('v1')].filter(([p]) => stage.deps.some((d) => d.repoPath === p)));
      expect(lookup(cache, stage, depsOnly, goldenParams('v1'))).toEqual(entry);
    }
    expect(fs.readFileSync(runCacheEntryPath(cache, keyOf(lockEntryFor(prepare, goldenHashes('v1'), goldenParams('v1'))), runCacheValue(lockEntryFor(prepare, goldenHashes('v1'), goldenParams('v1')))), 'utf8')).toBe(
      `cmd: python3 prepare.py
deps:
- path: data.csv
  hash: md5
  md5: 17c3d8e4c9f2c9a647218794388f3661
  size: 377
- path: prepare.py
  hash: md5
  md5: 64decf60ba43cb00ca6076568c2584f2
  size: 417
params:
  params.yaml:
    prepare.seed: 7
    prepare.split: 0.25
outs:
- path: prepared
  hash: md5
  md5: aa6f2f09d6c084014e098307b9e5d19a.dir
  size: 384
  nfiles: 2
`,
    );
    expect(listRunCache(cache).map((e) => `runs/${e.key.slice(0, 2)}/${e.key}/${e.value}`).every((p) => DVC_RUNS.has(p))).toBe(true);
    expect(listRunCache(cache)).toHaveLength(2);
  });

  it('misses when a param or a dependency changed, or nothing was saved', () => {
    const cache = tmp();
    const [, train] = goldenStages();
    expect(lookup(cache, train, goldenHashes('v1'), goldenParams('v1'))).toBeUndefined();
    save(cache, train, lockEntryFor(train, goldenHashes('v1'), goldenParams('v1')));
    expect(lookup(cache, train, goldenHashes('v2'), goldenParams('v2'))).toBeUndefined();
    const changedDep = new Map(goldenHashes('v1')).set('train.py', { md5: 'e'.repeat(32), size: 453 });
    expect(lookup(cache, train, changedDep, goldenParams('v1'))).toBeUndefined();
    expect(lookup(cache, train, goldenHashes('v1'), goldenParams('v1'))).toBeDefined();
  });

  it('a run recorded by DVC (another entry under the same key) is a hit; corrupt entries and temp files are skipped', () => {
    const cache = tmp();
    const [, train] = goldenStages();
    const entry = lockEntryFor(train, goldenHashes('v1'), goldenParams('v1'));
    const dir = path.dirname(runCacheEntryPath(cache, keyOf(entry), 'x'));
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, '0'.repeat(64)), 'cmd: [unclosed\n');
    fs.writeFileSync(path.join(dir, `.${'1'.repeat(64)}.tmp`), 'partial');
    expect(lookup(cache, train, goldenHashes('v1'), goldenParams('v1'))).toBeUndefined();
    const other = { ...entry, outs: entry.outs.map((o) => ({ ...o, md5: 'a'.repeat(32) })) };
    fs.writeFileSync(path.join(dir, runCacheValue(other)), serializeLockStage(other));
    expect(lookup(cache, train, goldenHashes('v1'), goldenParams('v1'))).toEqual(other);
  });

  it('a corrupt entry at the path being saved is replaced', () => {
    const cache = tmp();
    const [prepare] = goldenStages();
    const entry = lockEntryFor(prepare, goldenHashes('v1'), goldenParams('v1'));
    const file = runCacheEntryPath(cache, keyOf(entry), runCacheValue(entry));
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, 'garbage: [');
    expect(save(cache, prepare, entry).kind).toBe('saved');
    expect(fs.readFileSync(file, 'utf8')).toBe(serializeLockStage(entry));
  });
});

describe('which stages the run-cache takes (DVC _can_hash)', () => {
  const [prepare, train] = goldenStages();
  it.each([
    ['always_changed', { ...train, alwaysChanged: true }, 'always_changed is set'],
    ['no outputs', { ...train, outs: [] }, 'it has no outputs'],
    ['no deps nor params', { ...train, deps: [], params: [] }, 'it has no dependencies'],
    ['a persist output', { ...train, outs: [{ ...train.outs[0]!, persist: true }] }, "output 'model.bin' has persist: true"],
  ])('%s', (_name, stage, reason) => {
    expect(runCacheSkipReason(stage)).toBe(reason);
    const cache = tmp();
    expect(save(cache, stage, lockEntryFor(stage, goldenHashes('v1'), goldenParams('v1')))).toEqual({ kind: 'skipped', reason });
    expect(fs.existsSync(path.join(cache, 'runs'))).toBe(false);
    expect(lookup(cache, stage, goldenHashes('v1'), goldenParams('v1'))).toBeUndefined();
  });

  it('params only is enough; frozen and cache: false outputs do not matter; a params file with no values does', () => {
    expect(runCacheSkipReason({ ...prepare, deps: [] })).toBeUndefined();
    expect(runCacheSkipReason({ ...train, frozen: true })).toBeUndefined();
    const whole = { ...prepare, params: [{ file: 'params.yaml', repoPath: 'params.yaml', keys: [], all: true }] };
    expect(save(tmp(), whole, lockEntryFor(whole, goldenHashes('v1'), { 'params.yaml': {} }))).toEqual({ kind: 'skipped', reason: "params file 'params.yaml' has no values" });
  });
});

describe('checking an entry that came from elsewhere (fetch and push --run-cache)', () => {
  const v1 = parseLockFile(fixture('dvc.lock.v1')).stages;
  const prepare = v1.get('prepare')!;
  const train = v1.get('train')!;
  const text = serializeLockStage(prepare);

  it('takes the entries of the lock DVC wrote at the key and name DVC filed them under', () => {
    for (const entry of [prepare, train]) {
      const r = checkRunCacheEntry(serializeLockStage(entry), keyOf(entry), runCacheValue(entry));
      expect(r).toEqual({ entry });
    }
  });

  it('refuses bytes that hash to another name, belong under another key, or are no lock entry', () => {
    expect(checkRunCacheEntry(text, keyOf(prepare), runCacheValue(train))).toEqual({ problem: `its content hashes to ${runCacheValue(prepare)}` });
    expect(checkRunCacheEntry(text, keyOf(train), runCacheValue(prepare))).toEqual({ problem: `it belongs under key ${keyOf(prepare)}` });
    const notYaml = checkRunCacheEntry('cmd: [unclosed\n', keyOf(prepare), runCacheValue(prepare));
    expect(notYaml).toMatchObject({ problem: expect.stringMatching(/^it is not a stage's lock entry: line \d+: malformed YAML/) });
    const noCmd = checkRunCacheEntry('outs: []\nextra: 1\n', keyOf(prepare), runCacheValue(prepare));
    expect(noCmd).toMatchObject({ problem: expect.stringMatching(/^it is not a stage's lock entry: line \d+: .* \(and 1 more\)$/) });
    expect(checkRunCacheEntry('\u0000\u0001binary', keyOf(prepare), runCacheValue(prepare))).toMatchObject({ problem: expect.stringMatching(/^it is not a stage's lock entry/) });
  });

  it('writes an adopted entry where lookup finds it, byte for byte, with no temp file left', () => {
    const dir = tmp();
    const file = writeRunCacheEntry(dir, keyOf(prepare), runCacheValue(prepare), Buffer.from(text));
    expect(file).toBe(runCacheEntryPath(dir, keyOf(prepare), runCacheValue(prepare)));
    expect(fs.readFileSync(file, 'utf8')).toBe(text);
    expect(listRunCache(dir).map((e) => e.path)).toEqual([file]);
    expect(fs.readdirSync(path.dirname(file))).toEqual([runCacheValue(prepare)]);
  });
});
