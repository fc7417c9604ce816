import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LocalCache } from '../../../src/objects/local-cache.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

/** A cache holding `oids` (file objects), every fan-out directory dated a minute ago. */
function cacheWith(oids: string[]): { cache: LocalCache; root: string; memo: string } {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'trove-complete-'));
  dirs.push(root);
  const memo = path.join(root, 'memo.json');
  const cache = new LocalCache(path.join(root, 'cache'), memo);
  for (const oid of oids) {
    const p = cache.pathOf(oid);
    fs.mkdirSync(path.dirname(p), { recursive: true });
    fs.writeFileSync(p, oid);
  }
  age(cache);
  return { cache, root, memo };
}

function age(cache: LocalCache): void {
  const past = new Date(Date.now() - 60_000);
  for (const d of fs.readdirSync(cache.filesRoot)) fs.utimesSync(path.join(cache.filesRoot, d), past, past);
  fs.utimesSync(cache.filesRoot, past, past);
}

const A = 'a'.repeat(32);
const B = 'b'.repeat(32);
const TREE = `${'c'.repeat(32)}.dir`;
const entries = [
  { relpath: 'x', md5: A },
  { relpath: 'y', md5: B },
];

describe('LocalCache.isTreeComplete', () => {
  it('remembers a complete tree, and forgets it when an object is deleted', () => {
    const { cache, memo } = cacheWith([A, B]);
    expect(cache.isTreeComplete(TREE, entries)).toBe(true);
    expect(JSON.parse(fs.readFileSync(memo, 'utf8'))[TREE]).toBeTypeOf('string');
    fs.rmSync(cache.pathOf(B));
    expect(cache.isTreeComplete(TREE, entries)).toBe(false);
  });

  it('a deletion in the same fan-out directory, re-dated to the old mtime, is the only thing it cannot see', () => {
    const { cache } = cacheWith([A, B]);
    expect(cache.isTreeComplete(TREE, entries)).toBe(true);
    const dir = path.dirname(cache.pathOf(A));
    const before = fs.statSync(dir);
    fs.rmSync(cache.pathOf(A));
    // Nothing but a deliberate utimes can put the old mtime back:
    fs.utimesSync(dir, before.atime, before.mtime);
    expect(cache.isTreeComplete(TREE, entries)).toBe(true);
  });

  it('does not remember while the cache changed within the racy window', () => {
    const { cache, memo } = cacheWith([A, B]);
    const now = new Date();
    fs.utimesSync(path.dirname(cache.pathOf(A)), now, now);
    expect(cache.isTreeComplete(TREE, entries)).toBe(true);
    expect(fs.existsSync(memo)).toBe(false);
  });

  it('an incomplete tree is never remembered', () => {
    const { cache, memo } = cacheWith([A]);
    expect(cache.isTreeComplete(TREE, entries)).toBe(false);
    expect(fs.existsSync(memo)).toBe(false);
  });
});
