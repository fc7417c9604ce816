import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { FileFormatError, TroveError } from '../../../src/errors.js';
import { LocalCache, ObjectMissingError } from '../../../src/objects/local-cache.js';
import { serializeTree, treeOid, type TreeEntry } from '../../../src/objects/tree.js';
import { caughtSync, fixture, useTempDirs, writeFile } from '../helpers.js';

const tmp = useTempDirs();
let cacheDir: string;
let cache: LocalCache;

beforeEach(() => {
  cacheDir = path.join(tmp(), '.dvc', 'cache');
  cache = new LocalCache(cacheDir);
});

const md5 = (s: string) => crypto.createHash('md5').update(s).digest('hex');
const ENTRIES: TreeEntry[] = [
  { relpath: 'crlf.txt', md5: 'c6242222cf6ccdb15a43e0e5b1a08810' },
  { relpath: 'img0.bin', md5: 'cbecbdb0fdd5cec1e242493b6008cc79' },
  { relpath: 'img1.bin', md5: '28222217078e55b09f48588399053101' },
  { relpath: 'img2.bin', md5: '388da37db990f7a1d768d3e1fd54fa7b' },
  { relpath: 'sub/empty.txt', md5: 'd41d8cd98f00b204e9800998ecf8427e' },
  { relpath: 'sub/note.txt', md5: 'a4f92ec3d78ed1ee2c736947b0b92007' },
];
const IMAGES_OID = '76adacbdfed898e18721c71b3f46d89e.dir';

function putObject(root: string, oid: string, data = oid): string {
  const p = path.join(root, oid.slice(0, 2), oid.slice(2));
  writeFile(p, data);
  fs.chmodSync(p, 0o444);
  return p;
}

describe('LocalCache trees', () => {
  it('writeTree stores the golden manifest at files/md5/xx/rest.dir, read-only', () => {
    const { oid, manifest } = cache.writeTree(ENTRIES);
    expect(oid).toBe(IMAGES_OID);
    expect(manifest).toBe(fixture('images.dir-manifest.json'));
    const p = path.join(cacheDir, 'files', 'md5', '76', 'adacbdfed898e18721c71b3f46d89e.dir');
    expect(cache.pathOf(oid)).toBe(p);
    expect(fs.readFileSync(p, 'utf8')).toBe(manifest);
    expect(fs.statSync(p).mode & 0o777).toBe(0o444);
    expect(cache.has(oid)).toBe(true);
    // Writing it again is harmless.
    expect(cache.writeTree(ENTRIES).oid).toBe(oid);
  });

  it('readTree reads it back in a fresh cache object (no memo)', () => {
    cache.writeTree(ENTRIES);
    expect(new LocalCache(cacheDir).readTree(IMAGES_OID)).toEqual(ENTRIES);
  });

  it('reads a DVC 2 manifest from the legacy layout .dvc/cache/xx/rest.dir', () => {
    const manifest = serializeTree(ENTRIES);
    const legacy = putObject(cacheDir, IMAGES_OID, manifest);
    expect(legacy).toBe(path.join(cacheDir, '76', 'adacbdfed898e18721c71b3f46d89e.dir'));
    const fresh = new LocalCache(cacheDir);
    expect(fresh.locate(IMAGES_OID, 'md5-dos2unix')).toBe(legacy);
    expect(fresh.readTree(IMAGES_OID, 'md5-dos2unix')).toEqual(ENTRIES);
    // A 3.x lookup falls back to the legacy copy as well.
    expect(new LocalCache(cacheDir).readTree(IMAGES_OID, 'md5')).toEqual(ENTRIES);
  });

  it('prefers the layout the hash kind names when both exist', () => {
    const modern = putObject(path.join(cacheDir, 'files', 'md5'), md5('x'));
    const legacy = putObject(cacheDir, md5('x'));
    expect(cache.locate(md5('x'), 'md5')).toBe(modern);
    expect(cache.locate(md5('x'), 'md5-dos2unix')).toBe(legacy);
  });

  it('a missing tree is ObjectMissingError; tryReadTree gives undefined', () => {
    expect(caughtSync(() => cache.readTree(IMAGES_OID))).toBeInstanceOf(ObjectMissingError);
    expect(cache.tryReadTree(IMAGES_OID)).toBeUndefined();
  });

  it('a corrupt tree is a FileFormatError, not a missing one', () => {
    putObject(path.join(cacheDir, 'files', 'md5'), IMAGES_OID, '[{"md5": ');
    expect(caughtSync(() => cache.tryReadTree(IMAGES_OID))).toBeInstanceOf(FileFormatError);
  });

  it('a file oid is not a tree', () => {
    putObject(path.join(cacheDir, 'files', 'md5'), md5('x'));
    expect((caughtSync(() => cache.readTree(md5('x'))) as TroveError).code).toBe('NOT_A_TREE');
  });
});

describe('LocalCache.presentSet', () => {
  it('listing the fan-out (>= 2048 oids) gives the same answer as one stat per oid', () => {
    const filesRoot = path.join(cacheDir, 'files', 'md5');
    const present: string[] = [];
    const absent: string[] = [];
    for (let i = 0; i < 2500; i++) {
      const oid = md5(`object ${i}`) + (i % 50 === 0 ? '.dir' : '');
      if (i % 3 === 0) absent.push(oid);
      else if (i % 3 === 1) {
        putObject(filesRoot, oid);
        present.push(oid);
      } else {
        putObject(cacheDir, oid); // legacy layout
        present.push(oid);
      }
    }
    // Things that are not objects: temp files, DVC's own temp names, the `files` dir itself.
    writeFile(path.join(filesRoot, '.trove-tmp-1-0-abc-1'), 'x');
    writeFile(path.join(filesRoot, absent[0]!.slice(0, 2), `${absent[0]!.slice(2)}.Zx8vQ2.tmp`), 'x');
    writeFile(path.join(cacheDir, 'zz', absent[1]!.slice(2)), 'x');
    const asked = [...present, ...absent];
    expect(asked.length).toBeGreaterThanOrEqual(2048);

    const viaListing = cache.presentSet(asked);
    const viaStat = new Set(asked.filter((oid) => cache.has(oid)));
    expect([...viaListing].sort()).toEqual([...viaStat].sort());
    expect([...viaListing].sort()).toEqual([...present].sort());
    // Below the threshold (the stat path), the same.
    const few = asked.slice(0, 500);
    expect([...cache.presentSet(few)].sort()).toEqual(few.filter((o) => present.includes(o)).sort());
  });

  it('listOids lists both layouts and nothing else', () => {
    putObject(path.join(cacheDir, 'files', 'md5'), md5('a'));
    putObject(cacheDir, md5('b'));
    putObject(path.join(cacheDir, 'files', 'md5'), treeOid('[]'));
    writeFile(path.join(cacheDir, 'files', 'md5', '.trove-tmp-9-0-x-1'), 'x');
    expect([...cache.listOids()].sort()).toEqual([md5('a'), md5('b'), treeOid('[]')].sort());
    expect(cache.listByLayout()).toEqual({ md5: expect.arrayContaining([md5('a'), treeOid('[]')]), legacy: [md5('b')] });
  });

  it('an empty or missing cache has nothing', () => {
    expect(cache.presentSet([md5('a')]).size).toBe(0);
    expect(cache.listOids().size).toBe(0);
  });
});
