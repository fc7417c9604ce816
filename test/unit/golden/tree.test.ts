import { describe, expect, it } from 'vitest';
import { parseTree, serializeTree, sortTreeEntries, treeOid, type TreeEntry } from '../../../src/objects/tree.js';
import { LocalCache } from '../../../src/objects/local-cache.js';
import { fixture, fixtureBytes, shuffled } from '../helpers.js';

/** The `.dvc` file that records each golden manifest's oid, and the file telling where DVC cached it. */
const CASES = [
  { manifest: 'images.dir-manifest.json', dvc: 'images.dvc', cachepath: 'images.dir-manifest.cachepath.txt' },
  { manifest: 'images.dir-manifest.v2.json', dvc: 'images.dvc.v2', cachepath: 'images.dir-manifest.v2.cachepath.txt' },
  { manifest: 'sortexp-d.dir-manifest.json', dvc: 'sortexp-d.dvc', cachepath: undefined },
] as const;

function recordedOid(dvcFile: string): string {
  const m = /md5: ([0-9a-f]{32}\.dir)\n/.exec(fixture(dvcFile));
  if (!m) throw new Error(`no dir md5 in ${dvcFile}`);
  return m[1]!;
}

describe('.dir manifests, byte for byte against DVC 3.22.1', () => {
  for (const c of CASES) {
    describe(c.manifest, () => {
      const raw = fixture(c.manifest);

      it('has no trailing newline and is pure ASCII', () => {
        expect(raw.endsWith(']')).toBe(true);
        expect(fixtureBytes(c.manifest).every((b) => b < 0x80)).toBe(true);
      });

      it('re-serializes identically after sorting a shuffled copy', () => {
        const entries = parseTree(raw, c.manifest);
        for (const seed of [1, 2, 3, 42]) {
          const sorted = sortTreeEntries(shuffled(entries, seed));
          expect(serializeTree(sorted)).toBe(raw);
        }
        expect(serializeTree(sortTreeEntries([...entries].reverse()))).toBe(raw);
      });

      it('hashes to the oid recorded in the .dvc file', () => {
        expect(treeOid(raw)).toBe(recordedOid(c.dvc));
        const entries = sortTreeEntries(shuffled(parseTree(raw, c.manifest), 7));
        expect(treeOid(serializeTree(entries))).toBe(recordedOid(c.dvc));
      });

      if (c.cachepath) {
        it('lives where DVC cached it', () => {
          const cache = new LocalCache('.dvc/cache');
          expect(`${cache.pathOf(recordedOid(c.dvc))}\n`).toBe(fixture(c.cachepath));
        });
      }
    });
  }

  it('sortexp-d pins the order DVC uses: A < a-b/x/y < a.b < a/b < a0 ... < é.txt', () => {
    const entries = parseTree(fixture('sortexp-d.dir-manifest.json'), 'sortexp-d');
    expect(entries.map((e) => e.relpath)).toEqual(['A', 'a-b/x/y', 'a.b', 'a/b', 'a0', 'b', 'crlf.txt', 'z', 'é.txt']);
    // JavaScript's default sort agrees here, but the manifest bytes must escape é.
    expect(fixture('sortexp-d.dir-manifest.json')).toContain('"relpath": "\\u00e9.txt"');
  });
});

describe('hand-made manifest (expected bytes from CPython json.dumps(sorted(...), sort_keys=True))', () => {
  // relpath -> md5, in the order Python's sorted() puts them (code point order).
  const SORTED: TreeEntry[] = [
    { relpath: 'A', md5: '7fc56270e7a70fa81a5935b72eacbe29' },
    { relpath: 'a', md5: '0cc175b9c0f1b6a831c399e269772661' },
    { relpath: 'a-b/x/y', md5: '715e5fd45aa9a474793b282cca460c04' },
    { relpath: 'a.b', md5: 'e32b629f658481c8aa169aa08acc0625' },
    { relpath: 'a/b', md5: 'a7e86136543b019d72468ceebf71fb8e' },
    { relpath: 'café/日本.txt', md5: '4d0d80a194a25ff41cd6ef909380580c' },
    { relpath: 'ctl\x7f\x1f', md5: '425348236a29b88dd5e2e44ae63da128' },
    { relpath: 'quote"back\\slash', md5: 'f83712d7db230ab98c6b0d739d0399bc' },
    { relpath: 'sub/\u{10348}/x', md5: 'a39c34da5eb41fe2aee7357471a1338d' },
    { relpath: 'tab\there', md5: '844fd4cec7535bdc04e9ba1226b7f358' },
    { relpath: 'z', md5: 'fbade9e36a3f36d3d676c1b808451dd7' },
    { relpath: 'é.txt', md5: '814a32383afcebc0007413871a7a145e' },
    // U+E000 and U+FFFF sort *before* the astral U+1F600, though JavaScript's UTF-16 sort puts them after.
    { relpath: '\ue000.txt', md5: '99a34de0e16a7fdf488ad3d1512093a1' },
    { relpath: '\uffff', md5: 'b65c5532b01074a57a20703513148301' },
    { relpath: '\u{1F600}.bin', md5: '80eb7f3a768e4b35e4b03a384c8c30b3' },
  ];
  const EXPECTED =
    '[{"md5": "7fc56270e7a70fa81a5935b72eacbe29", "relpath": "A"}, {"md5": "0cc175b9c0f1b6a831c399e269772661", "relpath": "a"}, ' +
    '{"md5": "715e5fd45aa9a474793b282cca460c04", "relpath": "a-b/x/y"}, {"md5": "e32b629f658481c8aa169aa08acc0625", "relpath": "a.b"}, ' +
    '{"md5": "a7e86136543b019d72468ceebf71fb8e", "relpath": "a/b"}, {"md5": "4d0d80a194a25ff41cd6ef909380580c", "relpath": "caf\\u00e9/\\u65e5\\u672c.txt"}, ' +
    '{"md5": "425348236a29b88dd5e2e44ae63da128", "relpath": "ctl\\u007f\\u001f"}, {"md5": "f83712d7db230ab98c6b0d739d0399bc", "relpath": "quote\\"back\\\\slash"}, ' +
    '{"md5": "a39c34da5eb41fe2aee7357471a1338d", "relpath": "sub/\\ud800\\udf48/x"}, {"md5": "844fd4cec7535bdc04e9ba1226b7f358", "relpath": "tab\\there"}, ' +
    '{"md5": "fbade9e36a3f36d3d676c1b808451dd7", "relpath": "z"}, {"md5": "814a32383afcebc0007413871a7a145e", "relpath": "\\u00e9.txt"}, ' +
    '{"md5": "99a34de0e16a7fdf488ad3d1512093a1", "relpath": "\\ue000.txt"}, {"md5": "b65c5532b01074a57a20703513148301", "relpath": "\\uffff"}, ' +
    '{"md5": "80eb7f3a768e4b35e4b03a384c8c30b3", "relpath": "\\ud83d\\ude00.bin"}]';
  const EXPECTED_OID = 'a5d83b4142d1223394ae9620a0bd8ed6.dir';

  it('sorts by code point from any starting order', () => {
    for (const seed of [1, 5, 9, 1234]) {
      expect(sortTreeEntries(shuffled(SORTED, seed)).map((e) => e.relpath)).toEqual(SORTED.map((e) => e.relpath));
    }
  });

  it('differs from the naive JavaScript sort (so the test would catch a regression to it)', () => {
    const naive = [...SORTED].sort((a, b) => (a.relpath < b.relpath ? -1 : a.relpath > b.relpath ? 1 : 0));
    expect(naive.map((e) => e.relpath)).not.toEqual(SORTED.map((e) => e.relpath));
  });

  it('serializes to exactly the bytes Python writes, and hashes to the same oid', () => {
    const text = serializeTree(sortTreeEntries(shuffled(SORTED, 3)));
    expect(text).toBe(EXPECTED);
    expect(treeOid(text)).toBe(EXPECTED_OID);
    expect(JSON.stringify(SORTED)).not.toBe(EXPECTED);
  });

  it('parses back to the same entries', () => {
    expect(parseTree(EXPECTED, 'hand-made')).toEqual(SORTED);
  });

  it('an empty directory is an empty list', () => {
    expect(serializeTree([])).toBe('[]');
    expect(treeOid('[]')).toBe('d751713988987e9331980363e24189ce.dir');
  });
});
