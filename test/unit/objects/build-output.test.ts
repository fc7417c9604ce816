import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { MultiError, TroveError } from '../../../src/errors.js';
import { HashIndex } from '../../../src/hash/hash-index.js';
import { buildOutput } from '../../../src/objects/build-output.js';
import { LocalCache } from '../../../src/objects/local-cache.js';
import { serializeTree, sortTreeEntries, treeOid } from '../../../src/objects/tree.js';
import { DvcIgnore } from '../../../src/repo/dvcignore.js';
import { caught, fixture, listTree, useTempDirs, writeFile } from '../helpers.js';

const tmp = useTempDirs();
let root: string;
const T = 1_700_000_000; // a fixed mtime (seconds), so content can change behind an unchanged stat

beforeEach(() => {
  root = tmp();
});

const md5 = (s: string | Buffer) => crypto.createHash('md5').update(s).digest('hex');

/** The golden `images` directory: same names and contents' hashes as DVC recorded. */
function makeImages(dir: string): void {
  writeFile(path.join(dir, 'crlf.txt'), 'line1\r\nline2\r\n');
  writeFile(path.join(dir, 'sub', 'empty.txt'), '');
  fs.mkdirSync(path.join(dir, 'emptydir'));
}

function makeDir(dir: string, n: number): Record<string, string> {
  const files: Record<string, string> = {};
  for (let i = 0; i < n; i++) {
    const rel = `${i % 3 ? 'sub/' : ''}f${i}.txt`;
    files[rel] = `content of file ${i}\n`;
    writeFile(path.join(dir, rel), files[rel]);
    fs.utimesSync(path.join(dir, rel), T, T);
  }
  return files;
}

describe('buildOutput', () => {
  it('a directory: sorted manifest, oid, size and nfiles; empty dirs not recorded', async () => {
    const dir = path.join(root, 'images');
    makeImages(dir);
    const built = await buildOutput(dir, { index: HashIndex.inMemory() });
    expect(built?.type).toBe('dir');
    if (built?.type !== 'dir') return;
    const expected = sortTreeEntries([
      { relpath: 'crlf.txt', md5: 'c6242222cf6ccdb15a43e0e5b1a08810' },
      { relpath: 'sub/empty.txt', md5: 'd41d8cd98f00b204e9800998ecf8427e' },
    ]);
    expect(built.entries).toEqual(expected);
    expect(built.manifest).toBe(serializeTree(expected));
    expect(built.oid).toBe(treeOid(built.manifest));
    expect(built.size).toBe(14);
    expect(built.nfiles).toBe(2);
    // Same md5s as the golden manifest for these two files.
    for (const e of expected) expect(fixture('images.dir-manifest.json')).toContain(`{"md5": "${e.md5}", "relpath": "${e.relpath}"}`);
  });

  it('a file, and nothing at all', async () => {
    writeFile(path.join(root, 'data.csv'), 'a,b\n1,2\n');
    const built = await buildOutput(path.join(root, 'data.csv'), { index: HashIndex.inMemory() });
    expect(built).toMatchObject({ type: 'file', md5: md5('a,b\n1,2\n'), size: 8 });
    expect(await buildOutput(path.join(root, 'missing'), { index: HashIndex.inMemory() })).toBeUndefined();
    expect(await buildOutput(path.join(root, 'data.csv', 'below-a-file'), { index: HashIndex.inMemory() })).toBeUndefined();
  });

  it('respects a .dvcignore filter', async () => {
    const dir = path.join(root, 'data');
    makeDir(dir, 5);
    writeFile(path.join(dir, 'skip.tmp'), 'x');
    writeFile(path.join(root, '.dvcignore'), '*.tmp\n');
    const built = await buildOutput(dir, { index: HashIndex.inMemory(), filter: new DvcIgnore(root).prepare(dir) });
    expect(built?.type === 'dir' && built.entries.map((e) => e.relpath)).not.toContain('skip.tmp');
    expect(built?.type === 'dir' && built.nfiles).toBe(5);
  });

  it('uses the hash index: a second build re-hashes nothing', async () => {
    const dir = path.join(root, 'data');
    const files = makeDir(dir, 60);
    const index = HashIndex.inMemory();
    const setSpy = vi.spyOn(index, 'set');
    const first = await buildOutput(dir, { index });
    expect(setSpy).toHaveBeenCalledTimes(60);
    if (first?.type !== 'dir') throw new Error('expected a dir');
    for (const e of first.entries) expect(e.md5).toBe(md5(files[e.relpath]!));

    // Change a file's bytes behind an unchanged (inode, mtime, size): only a re-hash would notice.
    const victim = path.join(dir, 'sub', 'f1.txt');
    fs.writeFileSync(victim, 'CONTENT OF FILE 1\n');
    fs.utimesSync(victim, T, T);
    setSpy.mockClear();
    const second = await buildOutput(dir, { index });
    expect(setSpy).not.toHaveBeenCalled();
    expect(second?.type === 'dir' && second.oid).toBe(first.oid);

    // A fresh index does see the change.
    const third = await buildOutput(dir, { index: HashIndex.inMemory() });
    expect(third?.type === 'dir' && third.oid).not.toBe(first.oid);
  });

  it('a changed mtime is re-hashed', async () => {
    const dir = path.join(root, 'data');
    makeDir(dir, 3);
    const index = HashIndex.inMemory();
    await buildOutput(dir, { index });
    const victim = path.join(dir, 'f0.txt');
    fs.writeFileSync(victim, 'changed!\n');
    fs.utimesSync(victim, T + 5, T + 5);
    const built = await buildOutput(dir, { index });
    expect(built?.type === 'dir' && built.entries.find((e) => e.relpath === 'f0.txt')!.md5).toBe(md5('changed!\n'));
  });

  it('the index survives a flush and a reopen', async () => {
    const dir = path.join(root, 'data');
    makeDir(dir, 10);
    const file = path.join(root, '.dvc', 'tmp', 'trove', 'hash-index');
    const a = HashIndex.open(file);
    const first = await buildOutput(dir, { index: a });
    a.flush();
    const b = HashIndex.open(file);
    const setSpy = vi.spyOn(b, 'set');
    const second = await buildOutput(dir, { index: b });
    expect(setSpy).not.toHaveBeenCalled();
    expect(second?.type === 'dir' && second.oid).toBe(first?.type === 'dir' && first.oid);
  });

  it('insertInto copies what the cache lacks, even for files the index already knows', async () => {
    const dir = path.join(root, 'data');
    const files = makeDir(dir, 8);
    writeFile(path.join(dir, 'dup.txt'), files['f0.txt']!);
    const index = HashIndex.inMemory();
    await buildOutput(dir, { index });
    const cache = new LocalCache(path.join(root, '.dvc', 'cache'));
    const built = await buildOutput(dir, { index, insertInto: cache });
    if (built?.type !== 'dir') throw new Error('expected a dir');
    for (const e of built.entries) {
      const p = cache.pathOf(e.md5);
      expect(fs.readFileSync(p, 'utf8')).toBe(files[e.relpath] ?? files['f0.txt']);
      expect(fs.statSync(p).mode & 0o777).toBe(0o444);
    }
    expect(listTree(cache.filesRoot).filter((p) => !p.endsWith('/'))).toHaveLength(8);
    // The workspace files stay as they were.
    expect(fs.statSync(path.join(dir, 'f0.txt')).mode & 0o777).toBe(0o644);
  });

  it('files that vanish during the walk drop out instead of failing', async () => {
    const dir = path.join(root, 'data');
    makeDir(dir, 3);
    const doomed = ['f0.txt', 'sub/f1.txt'];
    const filter = {
      enterDir(absDir: string) {
        if (absDir === dir) for (const d of doomed) fs.rmSync(path.join(dir, d));
      },
      ignored: () => false,
    };
    const built = await buildOutput(dir, { index: HashIndex.inMemory(), filter });
    expect(built?.type === 'dir' && built.entries.map((e) => e.relpath)).toEqual(['sub/f2.txt']);
  });

  it('files that vanish between the walk and the hashing are all reported at once', async () => {
    const dir = path.join(root, 'data');
    makeDir(dir, 4);
    const reporter = {
      progress(ev: { kind: string }) {
        // Hashing is about to start: the walk has listed and stat-ed every file.
        if (ev.kind === 'start') for (const d of ['f0.txt', 'f3.txt']) fs.rmSync(path.join(dir, d));
      },
      info() {},
      warn() {},
      debug() {},
    };
    const e = await caught(() => buildOutput(dir, { index: HashIndex.inMemory(), reporter }));
    expect(e).toBeInstanceOf(MultiError);
    const messages = (e as MultiError).errors.map((x) => x.message).join('\n');
    expect(messages).toContain("'f0.txt'");
    expect(messages).toContain("'f3.txt'");
    expect((e as MultiError).errors).toHaveLength(2);
  });

  it('a special file is refused with a clear error', async () => {
    const e = await caught(() => buildOutput('/dev/null', { index: HashIndex.inMemory() }));
    expect((e as TroveError).code).toBe('UNSUPPORTED_FILE');
  });
});
