import fs from 'node:fs';
import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { HashIndex, RACY_WINDOW_MS, type StatLike } from '../../../src/hash/hash-index.js';
import { useTempDirs } from '../helpers.js';

const MAGIC_LEN = 8;
const REC = 48;

const tmp = useTempDirs();
let file: string;
beforeEach(() => {
  file = path.join(tmp(), 'tmp', 'trove', 'hash-index');
});

const md5Of = (i: number, v = 0) => (i * 7919 + v * 104729).toString(16).padStart(32, '0').slice(-32);
const statOf = (i: number, mtimeMs = 1_700_000_000_000 + i + 0.5, size = i * 10): StatLike => ({ ino: 1000 + i, mtimeMs, size });

function fill(n: number, v = 0, from = 0): void {
  const index = HashIndex.open(file);
  for (let i = from; i < from + n; i++) index.set(statOf(i, 1_700_000_000_000 + i + v), md5Of(i, v));
  index.flush();
}

describe('HashIndex', () => {
  it('set, get, flush, reopen', () => {
    const a = HashIndex.open(file);
    expect(a.get(statOf(1))).toBeUndefined();
    a.set(statOf(1), md5Of(1));
    expect(a.get(statOf(1))).toBe(md5Of(1));
    a.flush();
    expect(a.get(statOf(1))).toBe(md5Of(1));
    expect(fs.statSync(file).size).toBe(MAGIC_LEN + REC);
    const b = HashIndex.open(file);
    expect(b.get(statOf(1))).toBe(md5Of(1));
    expect(b.size).toBe(1);
  });

  it('does not record a file whose mtime is within the racy window of the read (git\'s racily-clean rule)', () => {
    const index = HashIndex.inMemory();
    const readAt = 1_700_000_000_000;
    const fresh: StatLike = { ino: 1, mtimeMs: readAt - RACY_WINDOW_MS + 1, size: 3 };
    const settled: StatLike = { ino: 2, mtimeMs: readAt - RACY_WINDOW_MS - 1, size: 3 };
    expect(index.setIfSettled(fresh, 'a'.repeat(32), 'md5', readAt)).toBe(false);
    expect(index.get(fresh)).toBeUndefined();
    expect(index.setIfSettled(settled, 'b'.repeat(32), 'md5', readAt)).toBe(true);
    expect(index.get(settled)).toBe('b'.repeat(32));
  });

  it('a changed mtime or size is a miss', () => {
    const a = HashIndex.open(file);
    a.set(statOf(1), md5Of(1));
    a.flush();
    const b = HashIndex.open(file);
    const s = statOf(1);
    expect(b.get({ ...s, mtimeMs: s.mtimeMs + 1 })).toBeUndefined();
    expect(b.get({ ...s, size: s.size + 1 })).toBeUndefined();
    expect(b.get({ ...s, ino: s.ino + 1 })).toBeUndefined();
  });

  it('keeps md5 and md5-dos2unix apart', () => {
    const a = HashIndex.open(file);
    a.set(statOf(1), md5Of(1), 'md5');
    a.set(statOf(1), md5Of(2), 'md5-dos2unix');
    a.flush();
    const b = HashIndex.open(file);
    expect(b.get(statOf(1), 'md5')).toBe(md5Of(1));
    expect(b.get(statOf(1), 'md5-dos2unix')).toBe(md5Of(2));
  });

  it('later records win, across flushes and processes', () => {
    const a = HashIndex.open(file);
    a.set(statOf(1, 1), md5Of(1, 1));
    a.flush();
    a.set(statOf(1, 2), md5Of(1, 2));
    a.flush();
    expect(a.get(statOf(1, 2))).toBe(md5Of(1, 2));
    const b = HashIndex.open(file);
    expect(b.get(statOf(1, 2))).toBe(md5Of(1, 2));
    expect(b.get(statOf(1, 1))).toBeUndefined();
    b.set(statOf(1, 3), md5Of(1, 3));
    b.flush();
    expect(HashIndex.open(file).get(statOf(1, 3))).toBe(md5Of(1, 3));
  });

  it('flush with nothing new writes nothing', () => {
    const a = HashIndex.open(file);
    a.flush();
    expect(fs.existsSync(file)).toBe(false);
  });

  it('an in-memory index never touches the disk', () => {
    const a = HashIndex.inMemory();
    a.set(statOf(1), md5Of(1));
    a.flush();
    expect(a.get(statOf(1))).toBe(md5Of(1));
    expect(fs.existsSync(path.dirname(file))).toBe(false);
  });

  it('a torn tail is a miss for the torn record only, and the next flush rewrites the file aligned', () => {
    fill(10);
    fs.truncateSync(file, MAGIC_LEN + 10 * REC - 13);
    const b = HashIndex.open(file);
    for (let i = 0; i < 9; i++) expect(b.get(statOf(i, 1_700_000_000_000 + i))).toBe(md5Of(i));
    expect(b.get(statOf(9, 1_700_000_000_009))).toBeUndefined();
    b.set(statOf(20), md5Of(20));
    b.flush();
    expect((fs.statSync(file).size - MAGIC_LEN) % REC).toBe(0);
    const c = HashIndex.open(file);
    for (let i = 0; i < 9; i++) expect(c.get(statOf(i, 1_700_000_000_000 + i))).toBe(md5Of(i));
    expect(c.get(statOf(20))).toBe(md5Of(20));
    // Appends after the repair stay aligned too.
    c.set(statOf(21), md5Of(21));
    c.flush();
    const d = HashIndex.open(file);
    expect(d.get(statOf(20))).toBe(md5Of(20));
    expect(d.get(statOf(21))).toBe(md5Of(21));
    expect(d.size).toBe(11);
  });

  it.each([
    ['the md5', 24],
    ['the mtime', 8],
    ['the checksum', 45],
    ['the padding', 42],
  ])('a flipped byte in %s is a miss and does not break later appends', (_where, offsetInRecord) => {
    fill(10);
    const buf = fs.readFileSync(file);
    buf[MAGIC_LEN + 4 * REC + offsetInRecord] ^= 0x40;
    fs.writeFileSync(file, buf);
    const b = HashIndex.open(file);
    expect(b.get(statOf(4, 1_700_000_000_004))).toBeUndefined();
    for (const i of [0, 3, 5, 9]) expect(b.get(statOf(i, 1_700_000_000_000 + i))).toBe(md5Of(i));
    b.set(statOf(4, 1_700_000_000_004), md5Of(4));
    b.set(statOf(30), md5Of(30));
    b.flush();
    const c = HashIndex.open(file);
    expect(c.get(statOf(4, 1_700_000_000_004))).toBe(md5Of(4));
    expect(c.get(statOf(30))).toBe(md5Of(30));
    for (const i of [0, 3, 5, 9]) expect(c.get(statOf(i, 1_700_000_000_000 + i))).toBe(md5Of(i));
  });

  it('a file with a foreign header is ignored and replaced', () => {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, 'SQLite format 3\0 and then some more bytes than a header');
    const a = HashIndex.open(file);
    expect(a.get(statOf(1))).toBeUndefined();
    a.set(statOf(1), md5Of(1));
    a.flush();
    expect(fs.statSync(file).size).toBe(MAGIC_LEN + REC);
    expect(HashIndex.open(file).get(statOf(1))).toBe(md5Of(1));
  });

  it('compaction keeps every live entry, with its newest hash', () => {
    const N = 3000;
    fill(N, 0);
    fill(200, 0, N); // entries that are never updated again
    for (let v = 1; v <= 3; v++) fill(N, v);
    // 3000 + 200 live entries; the last flush found the log mostly stale and rewrote it.
    expect(fs.statSync(file).size).toBe(MAGIC_LEN + (N + 200) * REC);
    const idx = HashIndex.open(file);
    expect(idx.size).toBe(N + 200);
    for (let i = 0; i < N; i += 97) {
      expect(idx.get(statOf(i, 1_700_000_000_000 + i + 3))).toBe(md5Of(i, 3));
      expect(idx.get(statOf(i, 1_700_000_000_000 + i + 2))).toBeUndefined();
    }
    for (let i = N; i < N + 200; i += 13) expect(idx.get(statOf(i, 1_700_000_000_000 + i))).toBe(md5Of(i, 0));
  });

  it('compaction in a process that flushed before keeps what it flushed', () => {
    const N = 3000;
    fill(N, 0);
    const a = HashIndex.open(file);
    a.set(statOf(N + 1), md5Of(N + 1));
    a.flush(); // appended, remembered as flushed
    for (let v = 1; v <= 4; v++) {
      for (let i = 0; i < N; i++) a.set(statOf(i, 1_700_000_000_000 + i + v), md5Of(i, v));
      a.flush();
    }
    const b = HashIndex.open(file);
    expect(b.get(statOf(N + 1))).toBe(md5Of(N + 1));
    expect(b.get(statOf(5, 1_700_000_000_005 + 4))).toBe(md5Of(5, 4));
    expect(fs.statSync(file).size).toBeLessThan(MAGIC_LEN + 3 * (N + 1) * REC);
  });

  it('leaves no temp files beside the index', () => {
    fill(10);
    fs.truncateSync(file, MAGIC_LEN + 5 * REC + 1);
    const a = HashIndex.open(file);
    a.set(statOf(50), md5Of(50));
    a.flush();
    expect(fs.readdirSync(path.dirname(file))).toEqual(['hash-index']);
  });
});
