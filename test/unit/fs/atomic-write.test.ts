import fs from 'node:fs';
import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { readFileIfExists, tempPathFor, writeFileAtomic } from '../../../src/fs/atomic-write.js';
import { caughtSync, listTree, useTempDirs } from '../helpers.js';

const tmp = useTempDirs();
let dir: string;
beforeEach(() => {
  dir = tmp();
});

describe('writeFileAtomic', () => {
  it('creates missing parent directories and leaves no temp file', () => {
    const target = path.join(dir, 'a', 'b', 'c.txt');
    writeFileAtomic(target, 'hello');
    expect(fs.readFileSync(target, 'utf8')).toBe('hello');
    expect(listTree(dir)).toEqual(['a/', 'a/b/', 'a/b/c.txt']);
  });

  it('replaces an existing file (new inode: readers of the old one are not disturbed)', () => {
    const target = path.join(dir, 'f');
    fs.writeFileSync(target, 'old');
    const fd = fs.openSync(target, 'r');
    try {
      writeFileAtomic(target, Buffer.from('new'));
      expect(fs.readFileSync(target, 'utf8')).toBe('new');
      expect(fs.readFileSync(fd, 'utf8')).toBe('old');
    } finally {
      fs.closeSync(fd);
    }
    expect(listTree(dir)).toEqual(['f']);
  });

  it('applies the mode, even over a read-only file', () => {
    const target = path.join(dir, 'obj');
    writeFileAtomic(target, 'x', 0o444);
    expect(fs.statSync(target).mode & 0o777).toBe(0o444);
    writeFileAtomic(target, 'y', 0o444);
    expect(fs.readFileSync(target, 'utf8')).toBe('y');
  });

  it('fails cleanly when the target is a directory', () => {
    fs.mkdirSync(path.join(dir, 'd'));
    caughtSync(() => writeFileAtomic(path.join(dir, 'd'), 'x'));
    expect(listTree(dir)).toEqual(['d/']);
  });

  it('temp names are unique and beside the target', () => {
    const a = tempPathFor(path.join(dir, 'x'));
    const b = tempPathFor(path.join(dir, 'x'));
    expect(a).not.toBe(b);
    expect(path.dirname(a)).toBe(dir);
  });
});

describe('readFileIfExists', () => {
  it('returns undefined for a missing file or a file as parent', () => {
    expect(readFileIfExists(path.join(dir, 'nope'))).toBeUndefined();
    fs.writeFileSync(path.join(dir, 'file'), 'x');
    expect(readFileIfExists(path.join(dir, 'file', 'child'))).toBeUndefined();
    expect(readFileIfExists(path.join(dir, 'file'))).toBe('x');
  });
});
