import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { refreshUmask } from '../../../src/hash/md5.js';
import { beforeEach, describe, expect, it } from 'vitest';
import { RACY_WINDOW_MS } from '../../../src/hash/hash-index.js';
import { insertLargeFile, md5LargeFile } from '../../../src/hash/large-file.js';
import { caught, listTree, useTempDirs } from '../helpers.js';

const MiB = 1024 * 1024;

const tmp = useTempDirs();
let dir: string;
beforeEach(() => {
  dir = tmp();
});

/** Writes `size` pseudo-random bytes in 1 MiB pieces, returning their md5. */
function writeBig(file: string, size: number): string {
  const h = crypto.createHash('md5');
  const fd = fs.openSync(file, 'w');
  try {
    const block = crypto.randomBytes(MiB);
    for (let off = 0, i = 0; off < size; off += MiB, i++) {
      block.writeUInt32LE(i, 0); // every block differs
      const piece = block.subarray(0, Math.min(MiB, size - off));
      fs.writeSync(fd, piece);
      h.update(piece);
    }
  } finally {
    fs.closeSync(fd);
  }
  return h.digest('hex');
}

describe('large files (~70 MB)', () => {
  it('md5LargeFile and insertLargeFile agree with md5, and the object is read-only', async () => {
    const size = 70 * MiB + 123;
    const src = path.join(dir, 'big.bin');
    const want = writeBig(src, size);

    const hashed = await md5LargeFile(src);
    expect(hashed.md5).toBe(want);
    expect(hashed.size).toBe(size);

    const root = path.join(dir, 'cache', 'files', 'md5');
    const inserted = await insertLargeFile(src, root);
    expect(inserted).toMatchObject({ md5: want, size, added: true });
    const obj = path.join(root, want.slice(0, 2), want.slice(2));
    expect(fs.statSync(obj).size).toBe(size);
    expect(fs.statSync(obj).mode & 0o777).toBe(0o444);
    expect(listTree(root)).toEqual([`${want.slice(0, 2)}/`, `${want.slice(0, 2)}/${want.slice(2)}`]);

    const again = await insertLargeFile(src, root);
    expect(again.added).toBe(false);
    expect(listTree(root)).toHaveLength(2);
    // Same bytes as the source, checked by hashing the object itself.
    expect((await md5LargeFile(obj)).md5).toBe(want);
  });

  it('a file at rest is copied by the kernel while it is hashed; a just-written one is hashed as written', async () => {
    const size = 20 * MiB + 7;
    const root = path.join(dir, 'cache', 'files', 'md5');
    const atRest = path.join(dir, 'rest.bin');
    const restMd5 = writeBig(atRest, size);
    await new Promise((r) => setTimeout(r, RACY_WINDOW_MS + 30));
    const fresh = path.join(dir, 'fresh.bin');
    const freshMd5 = writeBig(fresh, size);
    for (const [src, want] of [
      [atRest, restMd5],
      [fresh, freshMd5],
    ] as const) {
      const r = await insertLargeFile(src, root);
      expect(r.md5).toBe(want);
      const obj = path.join(root, want.slice(0, 2), want.slice(2));
      expect((await md5LargeFile(obj)).md5).toBe(want);
      expect(fs.statSync(obj).mode & 0o777).toBe(0o444);
    }
    expect(fs.readdirSync(root).filter((n) => n.startsWith('.'))).toEqual([]);
  });

  it('handles sizes at the 8 MiB slot boundaries and the empty file', async () => {
    const root = path.join(dir, 'cache', 'files', 'md5');
    for (const size of [0, 1, 8 * MiB, 8 * MiB + 1, 24 * MiB]) {
      const src = path.join(dir, `f${size}`);
      const want = writeBig(src, size);
      expect((await md5LargeFile(src)).md5).toBe(want);
      expect((await insertLargeFile(src, root)).md5).toBe(want);
    }
    expect(listTree(root).filter((p) => p.includes('.trove-tmp'))).toEqual([]);
  });

  it('the object is 0444 whatever the umask', async () => {
    const old = process.umask(0o077);
    refreshUmask();
    try {
      const src = path.join(dir, 'f');
      const want = writeBig(src, 3 * MiB);
      const root = path.join(dir, 'cache', 'files', 'md5');
      await insertLargeFile(src, root);
      expect(fs.statSync(path.join(root, want.slice(0, 2), want.slice(2))).mode & 0o777).toBe(0o444);
    } finally {
      process.umask(old);
      refreshUmask();
    }
  });

  it('a missing source fails without leaving a temp file', async () => {
    const root = path.join(dir, 'cache', 'files', 'md5');
    fs.mkdirSync(root, { recursive: true });
    const e = await caught(() => insertLargeFile(path.join(dir, 'missing'), root));
    expect((e as NodeJS.ErrnoException).code).toBe('ENOENT');
    expect(listTree(root)).toEqual([]);
  });

  it('a directory as source fails without leaving a temp file', async () => {
    const root = path.join(dir, 'cache', 'files', 'md5');
    fs.mkdirSync(path.join(dir, 'adir'));
    await caught(() => insertLargeFile(path.join(dir, 'adir'), root));
    expect(listTree(root)).toEqual([]);
  });
});
