import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Linker, writableFileMode, type LinkType } from '../../../src/fs/links.js';
import { HashIndex } from '../../../src/hash/hash-index.js';
import { insertFileSync } from '../../../src/hash/md5.js';
import { checkoutOutput, type CheckoutOptions } from '../../../src/objects/checkout.js';
import { LocalCache } from '../../../src/objects/local-cache.js';
import { sortTreeEntries, type TreeEntry } from '../../../src/objects/tree.js';
import { listTree, useTempDirs, writeFile } from '../helpers.js';

const tmp = useTempDirs();
let root: string;
let ws: string;
let cache: LocalCache;

beforeEach(() => {
  root = tmp();
  ws = path.join(root, 'ws');
  fs.mkdirSync(ws);
  cache = new LocalCache(path.join(root, 'cache'));
});
afterEach(() => {
  vi.unstubAllEnvs();
});

/** Puts `content` in the cache (through a scratch file) and returns its oid. */
function cacheContent(content: string): string {
  const scratch = path.join(root, 'scratch');
  fs.writeFileSync(scratch, content);
  const { md5 } = insertFileSync(scratch, cache.filesRoot);
  fs.rmSync(scratch);
  return md5;
}

function cacheDir(files: Record<string, string>): string {
  const entries: TreeEntry[] = Object.entries(files).map(([relpath, content]) => ({ relpath, md5: cacheContent(content) }));
  return cache.writeTree(sortTreeEntries(entries)).oid;
}

function options(extra: Partial<CheckoutOptions> = {}, types: LinkType[] = ['copy']): CheckoutOptions {
  return { cache, index: HashIndex.inMemory(), linker: new Linker(types), ...extra };
}

const read = (rel: string) => fs.readFileSync(path.join(ws, rel), 'utf8');
const target = (rel: string, md5: string) => ({ abs: path.join(ws, rel), display: rel, md5, hashName: 'md5' as const });

/** The workspace's files and their contents. */
function snapshot(dir = ws): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of listTree(dir)) if (!p.endsWith('/')) out[p] = fs.readFileSync(path.join(dir, p), 'utf8');
  return out;
}

describe('checkoutOutput: a file', () => {
  it("removes the temp file a killed checkout left beside the output (and no one else's)", async () => {
    const oid = cacheContent('v1');
    // pid 2^22+1 is above Linux's pid_max default: never a live process.
    writeFile(path.join(ws, '.data.csv.4194305.1.tmp'), 'partial');
    writeFile(path.join(ws, `.data.csv.${process.pid}.9.tmp`), 'ours, in flight');
    writeFile(path.join(ws, '.other.csv.4194305.1.tmp'), 'not beside this output');
    await checkoutOutput(target('data.csv', oid), options());
    expect(fs.readdirSync(ws).sort()).toEqual([`.data.csv.${process.pid}.9.tmp`, '.other.csv.4194305.1.tmp', 'data.csv']);
  });

  it('restores a missing file as a writable copy', async () => {
    const oid = cacheContent('v1');
    const r = await checkoutOutput(target('data.csv', oid), options());
    expect(r).toMatchObject({ status: 'added', linked: 1, refused: [], missing: [] });
    expect(read('data.csv')).toBe('v1');
    expect(fs.statSync(path.join(ws, 'data.csv')).mode & 0o777).toBe(writableFileMode());
  });

  it('creates missing parent directories', async () => {
    const oid = cacheContent('v1');
    await checkoutOutput(target('a/b/data.csv', oid), options());
    expect(read('a/b/data.csv')).toBe('v1');
  });

  it('leaves an up-to-date file alone', async () => {
    const oid = cacheContent('v1');
    writeFile(path.join(ws, 'data.csv'), 'v1');
    const ino = fs.statSync(path.join(ws, 'data.csv')).ino;
    const r = await checkoutOutput(target('data.csv', oid), options());
    expect(r.status).toBe('unchanged');
    expect(fs.statSync(path.join(ws, 'data.csv')).ino).toBe(ino);
  });

  it('refuses to overwrite a modified file whose content is not in the cache', async () => {
    const oid = cacheContent('v1');
    writeFile(path.join(ws, 'data.csv'), 'precious uncommitted work');
    const r = await checkoutOutput(target('data.csv', oid), options());
    expect(r).toMatchObject({ status: 'refused', refused: ['data.csv'], linked: 0 });
    expect(read('data.csv')).toBe('precious uncommitted work');
  });

  it('overwrites it with force', async () => {
    const oid = cacheContent('v1');
    writeFile(path.join(ws, 'data.csv'), 'precious uncommitted work');
    const r = await checkoutOutput(target('data.csv', oid), options({ force: true }));
    expect(r.status).toBe('modified');
    expect(read('data.csv')).toBe('v1');
  });

  it('overwrites a modified file whose content is safe in the cache', async () => {
    const v1 = cacheContent('v1');
    cacheContent('v2');
    writeFile(path.join(ws, 'data.csv'), 'v2');
    const r = await checkoutOutput(target('data.csv', v1), options());
    expect(r).toMatchObject({ status: 'modified', refused: [] });
    expect(read('data.csv')).toBe('v1');
  });

  it('reports a missing object and touches nothing', async () => {
    const r = await checkoutOutput(target('data.csv', 'd41d8cd98f00b204e9800998ecf8427f'), options());
    expect(r.status).toBe('missing');
    expect(listTree(ws)).toEqual([]);
  });

  it('dryRun plans without changing anything', async () => {
    const v1 = cacheContent('v1');
    cacheContent('v2');
    writeFile(path.join(ws, 'old.csv'), 'v2');
    expect((await checkoutOutput(target('new.csv', v1), options({ dryRun: true }))).status).toBe('added');
    expect((await checkoutOutput(target('old.csv', v1), options({ dryRun: true }))).status).toBe('modified');
    expect(snapshot()).toEqual({ 'old.csv': 'v2' });
    expect(listTree(cache.dir).some((p) => p.includes('probe'))).toBe(false);
  });

  it.each([['hardlink'], ['symlink']] as const)('links with %s', async (type) => {
    const oid = cacheContent('v1');
    await checkoutOutput(target('data.csv', oid), options({}, [type]));
    const st = fs.lstatSync(path.join(ws, 'data.csv'));
    if (type === 'hardlink') expect(st.ino).toBe(fs.statSync(cache.pathOf(oid)).ino);
    else expect(fs.readlinkSync(path.join(ws, 'data.csv'))).toBe(cache.pathOf(oid));
    expect(read('data.csv')).toBe('v1');
  });
});

describe('checkoutOutput: a directory', () => {
  const V1 = { 'a.txt': 'A1', 'sub/b.txt': 'B1', 'sub/deep/c.txt': 'C1' };

  it('restores a whole directory', async () => {
    const oid = cacheDir(V1);
    const r = await checkoutOutput(target('data', oid), options());
    expect(r).toMatchObject({ status: 'added', linked: 3 });
    expect(snapshot(path.join(ws, 'data'))).toEqual(V1);
  });

  it('restores missing files and leaves the others alone', async () => {
    const oid = cacheDir(V1);
    await checkoutOutput(target('data', oid), options());
    fs.rmSync(path.join(ws, 'data', 'sub', 'deep'), { recursive: true });
    const inoA = fs.statSync(path.join(ws, 'data', 'a.txt')).ino;
    const r = await checkoutOutput(target('data', oid), options());
    expect(r).toMatchObject({ status: 'modified', linked: 1, removed: 0 });
    expect(snapshot(path.join(ws, 'data'))).toEqual(V1);
    expect(fs.statSync(path.join(ws, 'data', 'a.txt')).ino).toBe(inoA);
  });

  it('removes extra files whose content is in the cache, and the directories they leave empty', async () => {
    const oid = cacheDir(V1);
    cacheContent('old extra');
    await checkoutOutput(target('data', oid), options());
    writeFile(path.join(ws, 'data', 'gone', 'deeper', 'extra.txt'), 'old extra');
    const r = await checkoutOutput(target('data', oid), options());
    expect(r).toMatchObject({ status: 'modified', removed: 1 });
    expect(listTree(path.join(ws, 'data'))).toEqual(['a.txt', 'sub/', 'sub/b.txt', 'sub/deep/', 'sub/deep/c.txt']);
  });

  it('refuses to delete an extra file that is not in the cache, unless forced', async () => {
    const oid = cacheDir(V1);
    await checkoutOutput(target('data', oid), options());
    writeFile(path.join(ws, 'data', 'new.txt'), 'not saved anywhere');
    const r = await checkoutOutput(target('data', oid), options());
    expect(r).toMatchObject({ status: 'refused', refused: ['data/new.txt'] });
    expect(read('data/new.txt')).toBe('not saved anywhere');
    const forced = await checkoutOutput(target('data', oid), options({ force: true }));
    expect(forced).toMatchObject({ status: 'modified', removed: 1 });
    expect(snapshot(path.join(ws, 'data'))).toEqual(V1);
  });

  it('refuses to overwrite a modified file that is not in the cache, and changes nothing else', async () => {
    const oid = cacheDir(V1);
    await checkoutOutput(target('data', oid), options());
    fs.writeFileSync(path.join(ws, 'data', 'a.txt'), 'edited');
    fs.rmSync(path.join(ws, 'data', 'sub', 'b.txt'));
    const r = await checkoutOutput(target('data', oid), options());
    expect(r).toMatchObject({ status: 'refused', refused: ['data/a.txt'] });
    expect(read('data/a.txt')).toBe('edited');
    expect(fs.existsSync(path.join(ws, 'data', 'sub', 'b.txt'))).toBe(false);
  });

  it('switches between versions whose files are all cached', async () => {
    const v1 = cacheDir(V1);
    const v2 = cacheDir({ 'a.txt': 'A2', 'sub/b.txt': 'B1', 'z.txt': 'Z2' });
    await checkoutOutput(target('data', v1), options());
    expect((await checkoutOutput(target('data', v2), options())).status).toBe('modified');
    expect(snapshot(path.join(ws, 'data'))).toEqual({ 'a.txt': 'A2', 'sub/b.txt': 'B1', 'z.txt': 'Z2' });
    await checkoutOutput(target('data', v1), options());
    expect(snapshot(path.join(ws, 'data'))).toEqual(V1);
  });

  it('replaces a file where the directory must go (when that file is cached)', async () => {
    const oid = cacheDir(V1);
    cacheContent('was a file');
    writeFile(path.join(ws, 'data'), 'was a file');
    const r = await checkoutOutput(target('data', oid), options());
    expect(r.status).toBe('modified');
    expect(snapshot(path.join(ws, 'data'))).toEqual(V1);
  });

  it('dryRun creates nothing', async () => {
    const oid = cacheDir(V1);
    const r = await checkoutOutput(target('data', oid), options({ dryRun: true }));
    expect(r.status).toBe('added');
    expect(listTree(ws)).toEqual([]);
    writeFile(path.join(ws, 'data', 'extra.txt'), 'x');
    cacheContent('x');
    const r2 = await checkoutOutput(target('data', oid), options({ dryRun: true }));
    expect(r2.status).toBe('modified');
    expect(snapshot()).toEqual({ 'data/extra.txt': 'x' });
  });

  it('a missing tree object is reported, nothing created', async () => {
    const r = await checkoutOutput(target('data', 'd41d8cd98f00b204e9800998ecf8427e.dir'), options());
    expect(r).toMatchObject({ status: 'missing', missing: ['d41d8cd98f00b204e9800998ecf8427e.dir'] });
    expect(listTree(ws)).toEqual([]);
  });

  it('files whose objects are missing are reported; the rest is checked out', async () => {
    const oid = cacheDir(V1);
    const entries = cache.readTree(oid);
    const lost = entries.find((e) => e.relpath === 'sub/b.txt')!.md5;
    fs.chmodSync(path.dirname(cache.pathOf(lost)), 0o755);
    fs.rmSync(cache.pathOf(lost), { force: true });
    const r = await checkoutOutput(target('data', oid), options());
    expect(r.status).toBe('missing');
    expect(r.missing).toEqual([lost]);
    expect(snapshot(path.join(ws, 'data'))).toEqual({ 'a.txt': 'A1', 'sub/deep/c.txt': 'C1' });
  });

  it('many files with copy use the worker pool and give the same result', async () => {
    vi.stubEnv('TROVE_HASH_THREADS', '2');
    const files: Record<string, string> = {};
    for (let i = 0; i < 150; i++) files[`d${i % 5}/f${i}.txt`] = `file ${i}\n`;
    const oid = cacheDir(files);
    const index = HashIndex.inMemory();
    const r = await checkoutOutput(target('data', oid), options({ index }));
    expect(r).toMatchObject({ status: 'added', linked: 150 });
    expect(snapshot(path.join(ws, 'data'))).toEqual(files);
    for (const rel of ['d0/f0.txt', 'd4/f149.txt']) {
      const st = fs.statSync(path.join(ws, 'data', rel));
      expect(st.mode & 0o777).toBe(writableFileMode());
      // The index learned the new files, so a status right after hashes nothing.
      expect(index.get(st)).toBeDefined();
    }
    expect(listTree(path.join(ws, 'data')).filter((p) => p.endsWith('.tmp'))).toEqual([]);
  });
});
