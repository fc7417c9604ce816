import { describe, expect, it } from 'vitest';
import { FileFormatError } from '../../../src/errors.js';
import { diffTreeTexts, isSafeRelpath, parseTree, serializeTree, sortTreeEntries, treeOid, type TreeChange, type TreeEntry } from '../../../src/objects/tree.js';
import { caughtSync } from '../helpers.js';

const MD5 = 'd41d8cd98f00b204e9800998ecf8427e';

describe('parseTree', () => {
  it('reads what serializeTree writes', () => {
    const entries = sortTreeEntries([
      { relpath: 'b/c', md5: MD5 },
      { relpath: 'a', md5: '0cc175b9c0f1b6a831c399e269772661' },
    ]);
    expect(parseTree(serializeTree(entries), 'x')).toEqual(entries);
  });

  it.each([
    ['not JSON', '[{"md5": '],
    ['not a list', '{"md5": "x"}'],
    ['an entry without md5', '[{"relpath": "a"}]'],
    ['a bad md5', '[{"md5": "xyz", "relpath": "a"}]'],
    ['a relpath that is not a string', `[{"md5": "${MD5}", "relpath": 3}]`],
  ])('rejects %s with a FileFormatError naming the object', (_what, text) => {
    const e = caughtSync(() => parseTree(text, '.dvc/cache/files/md5/ab/cdef.dir'));
    expect(e).toBeInstanceOf(FileFormatError);
    expect((e as FileFormatError).file).toBe('.dvc/cache/files/md5/ab/cdef.dir');
  });

  it.each(['../evil', 'a/../../evil', '/etc/passwd', 'a//b', './a', 'a/.', '', 'a\0b', 'a/'])(
    'rejects the relpath %j, which could leave the directory',
    (relpath) => {
      expect(isSafeRelpath(relpath)).toBe(false);
      const e = caughtSync(() => parseTree(JSON.stringify([{ md5: MD5, relpath }]), 'm'));
      expect(e).toBeInstanceOf(FileFormatError);
    },
  );

  it.each(['a', 'a/b/c', '..a', 'a..', '.hidden/x', 'sp ace', 'é'])('accepts the relpath %j', (relpath) => {
    expect(isSafeRelpath(relpath)).toBe(true);
  });

  it.runIf(process.platform !== 'win32')('accepts a backslash, an ordinary filename character on POSIX', () => {
    // DVC records such files; trove must read back the manifests it writes for them.
    const entries = [{ relpath: 'dir\\name.txt', md5: MD5 }];
    const text = serializeTree(entries);
    expect(text).toBe(`[{"md5": "${MD5}", "relpath": "dir\\\\name.txt"}]`);
    expect(parseTree(text, 'm')).toEqual(entries);
    expect(treeOid(text)).toMatch(/^[0-9a-f]{32}\.dir$/);
  });
});

describe('parseTree on the canonical form (read without JSON.parse)', () => {
  it.each([
    ['braces, commas and spaces', ['a}b', 'c{d', 'e, f', 'x y/z', 'plain', '{md5: x}']],
    ['escaped characters (read by JSON.parse)', ['g"}h', 'é', 'tab\there']],
  ])('reads what JSON.parse reads: names with %s', (_what, names) => {
    const entries = sortTreeEntries(names.map((relpath, i) => ({ relpath, md5: MD5.slice(0, 31) + i })));
    const text = serializeTree(entries);
    expect(parseTree(text, 'm')).toEqual(JSON.parse(text));
    expect(parseTree('[]', 'm')).toEqual([]);
  });

  it.each([
    ['a relpath that leaves the directory', `[{"md5": "${MD5}", "relpath": "../evil"}]`],
    ['a bad md5', `[{"md5": "${'z'.repeat(32)}", "relpath": "a"}]`],
  ])('still rejects %s', (_what, text) => {
    expect(caughtSync(() => parseTree(text, 'm'))).toBeInstanceOf(FileFormatError);
  });
});

/** Seeded pseudo-random numbers. */
function rng(seed: number): () => number {
  let x = seed;
  return () => {
    x = (x * 1103515245 + 12345) >>> 0;
    return x / 2 ** 32;
  };
}

/** The plain answer: both manifests parsed, then merged. */
function naiveChanges(a: TreeEntry[], b: TreeEntry[]): TreeChange[] {
  const ma = new Map(a.map((e) => [e.relpath, e.md5]));
  const mb = new Map(b.map((e) => [e.relpath, e.md5]));
  const paths = sortTreeEntries([...new Set([...ma.keys(), ...mb.keys()])].map((relpath) => ({ relpath, md5: '' }))).map((e) => e.relpath);
  return paths.filter((p) => ma.get(p) !== mb.get(p)).map((p) => ({ relpath: p, a: ma.get(p), b: mb.get(p) }));
}

describe('diffTreeTexts', () => {
  const md5 = (n: number) => n.toString(16).padStart(32, '0');
  const names = ['data', 'a}b', 'x, y', 'sub/deep', 'z'];

  it.each([0, 1, 2, 3, 4, 5, 6, 7])('finds what a full parse and merge finds (seed %i)', (seed) => {
    const r = rng(seed + 1);
    const size = [0, 1, 50, 3000][seed % 4]!;
    const a: TreeEntry[] = [];
    for (let i = 0; i < size; i++) a.push({ relpath: `${names[i % names.length]}/f${String(i).padStart(5, '0')}`, md5: md5(i) });
    sortTreeEntries(a);
    const b: TreeEntry[] = [];
    for (const e of a) {
      const x = r();
      if (x < 0.02) continue; // deleted
      b.push(x < 0.05 ? { relpath: e.relpath, md5: md5(1e6 + b.length) } : e); // modified
      if (x > 0.98) b.push({ relpath: `${e.relpath}-new`, md5: md5(2e6 + b.length) }); // added
    }
    if (seed % 2) b.push({ relpath: 'zz-last', md5: md5(3) });
    sortTreeEntries(b);
    const got = diffTreeTexts(serializeTree(a), serializeTree(b));
    expect(got).toEqual(naiveChanges(a, b));
    expect(diffTreeTexts(serializeTree(b), serializeTree(a))).toEqual(naiveChanges(b, a));
    expect(diffTreeTexts(serializeTree(a), serializeTree(a))).toEqual([]);
  });

  it('finds a change in a long run of identical entries, at the start, the middle and the end', () => {
    const a = Array.from({ length: 5000 }, (_, i) => ({ relpath: `d/f${String(i).padStart(5, '0')}`, md5: md5(i) }));
    for (const at of [0, 2500, 4999]) {
      const b = a.map((e, i) => (i === at ? { ...e, md5: md5(9e6) } : e));
      expect(diffTreeTexts(serializeTree(a), serializeTree(b))).toEqual([{ relpath: a[at]!.relpath, a: md5(at), b: md5(9e6) }]);
    }
  });

  it('gives up on a manifest that is not in the canonical form', () => {
    const canonical = serializeTree([{ relpath: 'a', md5: MD5 }]);
    expect(diffTreeTexts(canonical, JSON.stringify([{ md5: MD5, relpath: 'a' }]))).toBeUndefined();
    expect(diffTreeTexts(serializeTree([{ relpath: 'é', md5: MD5 }]), canonical)).toBeUndefined();
    expect(diffTreeTexts('[]', canonical)).toEqual([{ relpath: 'a', a: undefined, b: MD5 }]);
  });
});
