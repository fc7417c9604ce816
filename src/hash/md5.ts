import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { threadId } from 'node:worker_threads';
import { objectPath } from '../util/cache-layout.js';

export type HashKind = 'md5' | 'md5-dos2unix';

const CHUNK = 4 * 1024 * 1024;
let shared: Buffer | undefined;
function buffer(): Buffer {
  return (shared ??= Buffer.allocUnsafe(CHUNK));
}

export interface HashedFile {
  md5: string;
  size: number;
  /** Stat of the file taken after it was read; compare with the stat before to detect a racing writer. */
  after: fs.Stats;
}

/**
 * Reads an open file to its end through the one reused buffer, hashing every chunk and handing it
 * to `sink` (hash-while-copy) when given.
 */
function hashFd(fd: number, sink?: (chunk: Buffer) => void): HashedFile {
  const hash = crypto.createHash('md5');
  const buf = buffer();
  let size = 0;
  for (;;) {
    const n = fs.readSync(fd, buf, 0, CHUNK, null);
    if (n === 0) break;
    const view = n === CHUNK ? buf : buf.subarray(0, n);
    hash.update(view);
    sink?.(view);
    size += n;
    // A short read of a regular file is its end: skip the extra read() that would say so.
    if (n < CHUNK) break;
  }
  return { md5: hash.digest('hex'), size, after: fs.fstatSync(fd) };
}

/** md5 of a file's raw bytes, read into one reused buffer. */
export function md5FileSync(file: string): HashedFile {
  const fd = fs.openSync(file, 'r');
  try {
    return hashFd(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/** DVC's text-file heuristic (dvc-data istextblock) over the first 512 bytes. */
export function isTextBlock(block: Uint8Array): boolean {
  if (block.length === 0) return true;
  let nontext = 0;
  for (const b of block) {
    if (b === 0) return false;
    const text = (b >= 32 && b < 127) || b === 10 || b === 13 || b === 9 || b === 12 || b === 8;
    if (!text) nontext++;
  }
  return nontext / block.length <= 0.3;
}

/** DVC reads 1 MiB at a time for `md5-dos2unix` and converts CRLF within each read on its own. */
const DOS2UNIX_READ = 1024 * 1024;

/**
 * DVC 2's `md5-dos2unix`: text files are hashed with CRLF turned into LF; binary files raw. Text or
 * binary is decided once, from the first 512 bytes. Like DVC (dvc-data's fobj_md5 with
 * chunk_size=2**20), CRLF is converted within each 1 MiB block of the file, so a CRLF split across
 * two blocks stays as it is: that is the hash DVC recorded.
 */
export function md5Dos2UnixFileSync(file: string): HashedFile {
  const fd = fs.openSync(file, 'r');
  try {
    const buf = buffer();
    const hash = crypto.createHash('md5');
    let size = 0;
    let first = true;
    let text = false;
    for (;;) {
      // Fill the buffer, so that blocks stay aligned to 1 MiB offsets of the file.
      let n = 0;
      for (let r = -1; n < CHUNK && r !== 0; n += r) r = fs.readSync(fd, buf, n, CHUNK - n, null);
      if (n === 0) break;
      size += n;
      if (first) {
        text = isTextBlock(buf.subarray(0, Math.min(n, 512)));
        first = false;
      }
      if (!text) {
        hash.update(buf.subarray(0, n));
      } else {
        for (let off = 0; off < n; off += DOS2UNIX_READ) {
          const block = buf.subarray(off, Math.min(off + DOS2UNIX_READ, n));
          let start = 0;
          for (let i = block.indexOf(13); i !== -1; i = block.indexOf(13, i + 1)) {
            if (block[i + 1] === 10) {
              hash.update(block.subarray(start, i));
              start = i + 1;
            }
          }
          hash.update(block.subarray(start));
        }
      }
      if (n < CHUNK) break;
    }
    return { md5: hash.digest('hex'), size, after: fs.fstatSync(fd) };
  } finally {
    fs.closeSync(fd);
  }
}

export function hashFileSync(file: string, kind: HashKind): HashedFile {
  return kind === 'md5' ? md5FileSync(file) : md5Dos2UnixFileSync(file);
}

let tmpCounter = 0;
export function cacheTempPath(filesRoot: string): string {
  // pid + thread: workers of one process share the pid and each count from zero.
  return `${filesRoot}/.trove-tmp-${process.pid}-${threadId}-${Date.now().toString(36)}-${++tmpCounter}`;
}

export interface InsertedFile extends HashedFile {
  /** False when the cache already held the object and the copy was dropped. */
  added: boolean;
}

/**
 * Copies `src` into the cache while hashing it, then renames the temp file to its content
 * address. The cache never sees a partial object: the name is decided by the bytes written.
 */
export function insertFileSync(src: string, filesRoot: string): InsertedFile {
  const tmp = cacheTempPath(filesRoot);
  let out: number;
  try {
    out = fs.openSync(tmp, 'wx', 0o444);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    fs.mkdirSync(filesRoot, { recursive: true });
    out = fs.openSync(tmp, 'wx', 0o444);
  }
  let result: HashedFile;
  try {
    const fd = fs.openSync(src, 'r');
    try {
      result = hashFd(fd, (chunk) => {
        let off = 0;
        while (off < chunk.length) off += fs.writeSync(out, chunk, off, chunk.length - off);
      });
    } finally {
      fs.closeSync(fd);
    }
  } catch (e) {
    fs.closeSync(out);
    fs.rmSync(tmp, { force: true });
    throw e;
  }
  fs.closeSync(out);
  return { ...result, added: adoptTemp(tmp, objectPath(filesRoot, result.md5)) };
}

/** Stores bytes held in memory (a git blob) as a cache object; returns their md5. */
export function insertBytesSync(bytes: Uint8Array, filesRoot: string): { md5: string; size: number; added: boolean } {
  const md5 = crypto.createHash('md5').update(bytes).digest('hex');
  const dest = objectPath(filesRoot, md5);
  if (fs.existsSync(dest)) return { md5, size: bytes.length, added: false };
  const tmp = cacheTempPath(filesRoot);
  fs.mkdirSync(filesRoot, { recursive: true });
  fs.writeFileSync(tmp, bytes, { mode: 0o444, flag: 'wx' });
  return { md5, size: bytes.length, added: adoptTemp(tmp, dest) };
}

/** Moves a fully written temp object to its final name, unless that object already exists. */
let hidesRead: boolean | undefined;
/** Read once per thread: process.umask() costs two syscalls, and this runs once per object. */
function umaskHidesRead(): boolean {
  return (hidesRead ??= (process.umask() & 0o444) !== 0);
}

/** For code that changes the process umask after objects were written (tests). */
export function refreshUmask(): void {
  hidesRead = undefined;
}

export function adoptTemp(tmp: string, dest: string): boolean {
  if (fs.existsSync(dest)) {
    fs.rmSync(tmp, { force: true });
    return false;
  }
  try {
    // Temp objects are created 0444 already (see insertFileSync), unless the umask took read bits
    // away (077, 027): DVC's objects are 0444 regardless, so put them back in that case only.
    if (umaskHidesRead()) fs.chmodSync(tmp, 0o444);
    fs.renameSync(tmp, dest);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') {
      fs.rmSync(tmp, { force: true });
      throw e;
    }
    fs.mkdirSync(path.dirname(dest), { recursive: true });
    fs.renameSync(tmp, dest);
  }
  return true;
}
