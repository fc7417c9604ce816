import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { hashFileSync, insertFileSync, isTextBlock, md5Dos2UnixFileSync, md5FileSync, refreshUmask } from '../../../src/hash/md5.js';
import { caughtSync, listTree, prng, useTempDirs, writeFile } from '../helpers.js';

const MiB = 1024 * 1024;
/** trove's read size in md5.ts. */
const READ_CHUNK = 4 * MiB;

const tmp = useTempDirs();
let dir: string;
beforeEach(() => {
  dir = tmp();
});

const md5 = (data: Uint8Array) => crypto.createHash('md5').update(data).digest('hex');

function randomBytes(n: number, seed: number): Buffer {
  const rnd = prng(seed);
  const b = Buffer.allocUnsafe(n);
  for (let i = 0; i < n; i++) b[i] = (rnd() * 256) | 0;
  return b;
}

/** `n` bytes of printable text with LF line ends (no CR anywhere). */
function textBytes(n: number, seed: number): Buffer {
  const rnd = prng(seed);
  const b = Buffer.allocUnsafe(n);
  for (let i = 0; i < n; i++) b[i] = rnd() < 0.03 ? 10 : 97 + ((rnd() * 26) | 0);
  return b;
}

function put(name: string, data: Uint8Array): string {
  const p = path.join(dir, name);
  writeFile(p, data);
  return p;
}

/**
 * What DVC computes for `md5-dos2unix` (DVC 2's default hash, which 3.x still uses for files
 * without `hash: md5`): text or binary is decided once from the first 512 bytes; the file is read
 * 1 MiB at a time and CRLF -> LF is replaced within each read, so a CRLF split between two reads
 * stays as it is (dvc/utils file_md5 in 2.x, dvc_data HashStreamFile + fobj_md5(chunk_size=2**20)).
 */
function dvcDos2UnixMd5(data: Buffer): string {
  const h = crypto.createHash('md5');
  const text = isTextBlock(data.subarray(0, 512));
  for (let off = 0; off < data.length; off += MiB) {
    const chunk = data.subarray(off, off + MiB);
    h.update(text ? Buffer.from(chunk.toString('latin1').replaceAll('\r\n', '\n'), 'latin1') : chunk);
  }
  return h.digest('hex');
}

describe('md5FileSync', () => {
  it.each([0, 1, 511, 4096, READ_CHUNK - 1, READ_CHUNK, READ_CHUNK + 1, 2 * READ_CHUNK + 17])('equals crypto md5 for %i random bytes', (n) => {
    const data = randomBytes(n, n + 1);
    const r = md5FileSync(put(`f${n}`, data));
    expect(r.md5).toBe(md5(data));
    expect(r.size).toBe(n);
    expect(r.after.size).toBe(n);
  });

  it('of the empty file is the well-known md5', () => {
    expect(md5FileSync(put('empty', new Uint8Array())).md5).toBe('d41d8cd98f00b204e9800998ecf8427e');
  });

  it('hashes CRLF raw (DVC 3, `hash: md5`)', () => {
    // images/crlf.txt in the golden manifest.
    expect(md5FileSync(put('crlf.txt', Buffer.from('line1\r\nline2\r\n'))).md5).toBe('c6242222cf6ccdb15a43e0e5b1a08810');
  });

  it('throws ENOENT for a missing file', () => {
    expect((caughtSync(() => md5FileSync(path.join(dir, 'nope'))) as NodeJS.ErrnoException).code).toBe('ENOENT');
  });
});

describe('md5Dos2UnixFileSync (legacy md5-dos2unix)', () => {
  it('hashes CRLF text as if it had LF line ends', () => {
    const p = put('crlf.txt', Buffer.from('line1\r\nline2\r\n'));
    expect(md5Dos2UnixFileSync(p).md5).toBe(md5(Buffer.from('line1\nline2\n')));
    expect(md5Dos2UnixFileSync(p).size).toBe(14);
    expect(hashFileSync(p, 'md5-dos2unix').md5).toBe(md5(Buffer.from('line1\nline2\n')));
    expect(hashFileSync(p, 'md5').md5).toBe('c6242222cf6ccdb15a43e0e5b1a08810');
  });

  it('leaves binary files (a NUL in the first 512 bytes) unchanged', () => {
    const data = Buffer.from('\0binary\r\nwith crlf\r\n');
    expect(md5Dos2UnixFileSync(put('bin', data)).md5).toBe(md5(data));
  });

  it('leaves files that are mostly non-text unchanged', () => {
    const data = Buffer.concat([randomBytes(400, 3).map((b) => (b === 0 ? 1 : b)), Buffer.from('\r\n')]);
    expect(isTextBlock(data.subarray(0, 512))).toBe(false);
    expect(md5Dos2UnixFileSync(put('bin', data)).md5).toBe(md5(data));
  });

  it.each([
    ['a lone CR', 'a\rb\n'],
    ['CR at the end of the file', 'abc\r'],
    ['CR CR LF', 'a\r\r\nb'],
    ['LF CR', 'a\n\rb'],
    ['only CRs', '\r\r\r'],
    ['the empty file', ''],
  ])('%s', (_what, text) => {
    const data = Buffer.from(text, 'latin1');
    expect(md5Dos2UnixFileSync(put('t', data)).md5).toBe(md5(Buffer.from(text.replaceAll('\r\n', '\n'), 'latin1')));
  });

  it('converts CRLF everywhere inside DVC’s 1 MiB reads of a large file', () => {
    const lf = textBytes(3 * READ_CHUNK + 1234, 9);
    const crlf = Buffer.from(lf.toString('latin1').replaceAll('\n', '\r\n'), 'latin1');
    const want = dvcDos2UnixMd5(crlf);
    expect(md5Dos2UnixFileSync(put('big.txt', crlf)).md5).toBe(want);
  });

  // DVC reads 1 MiB at a time and converts each read on its own, so these hashes are what DVC 2
  // recorded (and what DVC 3 computes) for such files; matching them is what keeps legacy outputs
  // from showing up as modified.
  it.each([
    ['the first 1 MiB read boundary', MiB],
    ['a 1 MiB boundary inside trove’s first 4 MiB read', 3 * MiB],
    ['trove’s 4 MiB read boundary', READ_CHUNK],
    ['a later 1 MiB boundary', READ_CHUNK + 2 * MiB],
  ])('keeps a CRLF that is split across %s, as DVC does', (_what, boundary) => {
    const data = textBytes(boundary + 1000, 11);
    data[boundary - 1] = 13;
    data[boundary] = 10;
    // A CRLF that DVC does convert, for contrast.
    data[100] = 13;
    data[101] = 10;
    const want = dvcDos2UnixMd5(data);
    expect(want).not.toBe(md5(Buffer.from(data.toString('latin1').replaceAll('\r\n', '\n'), 'latin1')));
    expect(md5Dos2UnixFileSync(put('split.txt', data)).md5).toBe(want);
  });

  it('decides text or binary once, from the start of the file', () => {
    // Text first, then a NUL-laden region: still text as a whole, CRLF converted throughout.
    const data = Buffer.concat([textBytes(MiB, 4), Buffer.from('\0\0\0\r\n\0\0'), Buffer.from('tail\r\n')]);
    expect(md5Dos2UnixFileSync(put('mixed', data)).md5).toBe(dvcDos2UnixMd5(data));
  });
});

describe('insertFileSync', () => {
  const objects = () => listTree(path.join(dir, 'cache'));

  it('copies the file to files/md5/xx/rest, read-only, hashing as it copies', () => {
    const data = randomBytes(READ_CHUNK + 5, 1);
    const src = put('ws/data.bin', data);
    const root = path.join(dir, 'cache', 'files', 'md5');
    const r = insertFileSync(src, root);
    const oid = md5(data);
    expect(r).toMatchObject({ md5: oid, size: data.length, added: true });
    const obj = path.join(root, oid.slice(0, 2), oid.slice(2));
    expect(fs.readFileSync(obj).equals(data)).toBe(true);
    expect(fs.statSync(obj).mode & 0o777).toBe(0o444);
    expect(objects()).toEqual(['files/', 'files/md5/', `files/md5/${oid.slice(0, 2)}/`, `files/md5/${oid.slice(0, 2)}/${oid.slice(2)}`]);
    // The workspace file is untouched.
    expect(fs.statSync(src).mode & 0o777).toBe(0o644);
  });

  it('objects are 0444 whatever the umask, as DVC makes them', () => {
    const old = process.umask(0o077);
    refreshUmask();
    try {
      const root = path.join(dir, 'cache', 'files', 'md5');
      const r = insertFileSync(put('private', Buffer.from('shared cache')), root);
      expect(fs.statSync(path.join(root, r.md5.slice(0, 2), r.md5.slice(2))).mode & 0o777).toBe(0o444);
    } finally {
      process.umask(old);
      refreshUmask();
    }
  });

  it('a second insert of the same content adds nothing and leaves no temp file', () => {
    const root = path.join(dir, 'cache', 'files', 'md5');
    const a = put('a', Buffer.from('same'));
    const b = put('b', Buffer.from('same'));
    expect(insertFileSync(a, root).added).toBe(true);
    expect(insertFileSync(b, root).added).toBe(false);
    expect(objects().filter((p) => !p.endsWith('/'))).toHaveLength(1);
  });

  it('inserts the empty file', () => {
    const root = path.join(dir, 'cache', 'files', 'md5');
    const r = insertFileSync(put('empty', new Uint8Array()), root);
    expect(r.md5).toBe('d41d8cd98f00b204e9800998ecf8427e');
    expect(fs.statSync(path.join(root, 'd4', '1d8cd98f00b204e9800998ecf8427e')).size).toBe(0);
  });

  it('a missing source fails and leaves no temp file behind', () => {
    const root = path.join(dir, 'cache', 'files', 'md5');
    fs.mkdirSync(root, { recursive: true });
    expect((caughtSync(() => insertFileSync(path.join(dir, 'missing'), root)) as NodeJS.ErrnoException).code).toBe('ENOENT');
    expect(objects()).toEqual(['files/', 'files/md5/']);
  });

  it('a directory as source fails and leaves no temp file behind', () => {
    const root = path.join(dir, 'cache', 'files', 'md5');
    fs.mkdirSync(path.join(dir, 'adir'));
    caughtSync(() => insertFileSync(path.join(dir, 'adir'), root));
    expect(objects()).toEqual(['files/', 'files/md5/']);
  });
});
