import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { writeFileAtomic } from '../fs/atomic-write.js';
import type { HashKind } from './md5.js';

/**
 * The stat-keyed hash index: (inode, mtime, size) -> md5, so unchanged files are never re-hashed.
 *
 * Stored as an append-only log of fixed 48-byte records after an 8-byte magic header:
 *   f64 ino | f64 mtimeMs | f64 size | 16 bytes md5 | u8 kind | 3 pad | u32 crc32(bytes 0..44)
 * Later records win. A torn or corrupt record fails its checksum and is treated as a miss, so a
 * crash at any point costs at most a re-hash. Loading is one read; checksums are checked lazily,
 * on the hits that are used. The log is rewritten (atomically) once it holds mostly stale records.
 */
const MAGIC = Buffer.from('TRVIDX1\n');
const REC = 48;
const KIND_CODE: Record<HashKind, number> = { md5: 0, 'md5-dos2unix': 1 };
/** Wider than the coarse clock Linux filesystems stamp mtimes with (one jiffy, <= 10 ms). */
export const RACY_WINDOW_MS = 25;

interface Pending {
  mtimeMs: number;
  size: number;
  md5: string;
  ino: number;
  kind: number;
}

function keyOf(ino: number, kind: number): number {
  return ino * 2 + kind;
}

export interface StatLike {
  ino: number;
  mtimeMs: number;
  size: number;
}

export class HashIndex {
  private data: Buffer = Buffer.alloc(0);
  /** key -> offset of the newest record in `data`. */
  private offsets = new Map<number, number>();
  private pending = new Map<number, Pending>();
  /** Entries set and already flushed by this process (not reflected in `offsets`). */
  private flushed = new Map<number, Pending>();
  private recordsOnDisk = 0;
  private needsRewrite = false;

  private constructor(readonly file: string) {}

  static open(file: string): HashIndex {
    const index = new HashIndex(file);
    index.load();
    return index;
  }

  /** An index that is never persisted (read-only repos, tests). */
  static inMemory(): HashIndex {
    return new HashIndex('');
  }

  private load(): void {
    if (!this.file) return;
    let buf: Buffer;
    try {
      buf = fs.readFileSync(this.file);
    } catch {
      return;
    }
    if (buf.length < MAGIC.length || !buf.subarray(0, MAGIC.length).equals(MAGIC)) {
      this.needsRewrite = true;
      return;
    }
    const body = buf.length - MAGIC.length;
    const count = Math.floor(body / REC);
    if (body % REC !== 0) this.needsRewrite = true; // a torn tail: appending would misalign
    this.data = buf;
    for (let i = 0; i < count; i++) {
      const off = MAGIC.length + i * REC;
      this.offsets.set(keyOf(buf.readDoubleLE(off), buf[off + 40]!), off);
    }
    this.recordsOnDisk = count;
  }

  get(stat: StatLike, kind: HashKind = 'md5'): string | undefined {
    const k = keyOf(stat.ino, KIND_CODE[kind]);
    const p = this.pending.get(k) ?? this.flushed.get(k);
    if (p) return p.mtimeMs === stat.mtimeMs && p.size === stat.size ? p.md5 : undefined;
    const off = this.offsets.get(k);
    if (off === undefined) return undefined;
    const d = this.data;
    if (d.readDoubleLE(off + 8) !== stat.mtimeMs || d.readDoubleLE(off + 16) !== stat.size) return undefined;
    if (zlib.crc32(d.subarray(off, off + 44)) !== d.readUInt32LE(off + 44)) return undefined;
    return d.toString('hex', off + 24, off + 40);
  }

  /**
   * Records a hash read from a file that others may still write, unless its mtime is so close to
   * the moment the read ended (`readAt`, ms since the epoch) that a further write could keep the
   * same mtime: filesystems stamp files with a coarse clock (a few ms on Linux). Such a file is
   * simply hashed again next time: git's "racily clean" rule. Returns whether it was recorded.
   */
  setIfSettled(stat: StatLike, md5: string, kind: HashKind, readAt: number): boolean {
    if (stat.mtimeMs > readAt - RACY_WINDOW_MS) return false;
    this.set(stat, md5, kind);
    return true;
  }

  set(stat: StatLike, md5: string, kind: HashKind = 'md5'): void {
    const code = KIND_CODE[kind];
    this.pending.set(keyOf(stat.ino, code), { ino: stat.ino, mtimeMs: stat.mtimeMs, size: stat.size, md5, kind: code });
  }

  get size(): number {
    let n = this.offsets.size;
    for (const k of this.flushed.keys()) if (!this.offsets.has(k)) n++;
    for (const k of this.pending.keys()) if (!this.offsets.has(k) && !this.flushed.has(k)) n++;
    return n;
  }

  private encode(records: Iterable<Pending>, count: number): Buffer {
    const out = Buffer.alloc(count * REC);
    let off = 0;
    for (const r of records) {
      out.writeDoubleLE(r.ino, off);
      out.writeDoubleLE(r.mtimeMs, off + 8);
      out.writeDoubleLE(r.size, off + 16);
      out.write(r.md5, off + 24, 16, 'hex');
      out[off + 40] = r.kind;
      out.writeUInt32LE(zlib.crc32(out.subarray(off, off + 44)), off + 44);
      off += REC;
    }
    return out;
  }

  /** Persists new entries: an append normally, an atomic rewrite when the log is mostly stale. */
  flush(): void {
    if (!this.file || (this.pending.size === 0 && !this.needsRewrite)) return;
    const live = this.size;
    const total = this.recordsOnDisk + this.pending.size;
    try {
      if (this.needsRewrite || total > 2 * live + 4096) this.rewrite();
      else this.append();
    } catch {
      // The index is an optimisation: failing to persist it must never fail the command.
    }
    for (const [k, p] of this.pending) this.flushed.set(k, p);
    this.pending.clear();
  }

  private append(): void {
    const records = this.encode(this.pending.values(), this.pending.size);
    let fd: number;
    try {
      fd = fs.openSync(this.file, 'a');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      fs.mkdirSync(path.dirname(this.file), { recursive: true });
      fd = fs.openSync(this.file, 'a');
    }
    try {
      if (fs.fstatSync(fd).size === 0) fs.writeSync(fd, MAGIC);
      fs.writeSync(fd, records);
    } finally {
      fs.closeSync(fd);
    }
    this.recordsOnDisk += this.pending.size;
  }

  private rewrite(): void {
    const merged = new Map<number, Pending>();
    const d = this.data;
    for (const [k, off] of this.offsets) {
      if (this.pending.has(k) || this.flushed.has(k)) continue;
      if (zlib.crc32(d.subarray(off, off + 44)) !== d.readUInt32LE(off + 44)) continue;
      merged.set(k, {
        ino: d.readDoubleLE(off),
        mtimeMs: d.readDoubleLE(off + 8),
        size: d.readDoubleLE(off + 16),
        md5: d.toString('hex', off + 24, off + 40),
        kind: d[off + 40]!,
      });
    }
    for (const [k, p] of this.flushed) merged.set(k, p);
    for (const [k, p] of this.pending) merged.set(k, p);
    const body = this.encode(merged.values(), merged.size);
    writeFileAtomic(this.file, Buffer.concat([MAGIC, body]));
    this.recordsOnDisk = merged.size;
    this.needsRewrite = false;
  }
}
