import fs from 'node:fs';
import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { TroveError } from '../../../src/errors.js';
import { isLinkedAs, Linker, parseLinkTypes, writableFileMode, type LinkType } from '../../../src/fs/links.js';
import { caughtSync, listTree, useTempDirs } from '../helpers.js';

const tmp = useTempDirs();
let dir: string;
let src: string;

beforeEach(() => {
  dir = tmp();
  fs.mkdirSync(path.join(dir, 'cache'));
  fs.mkdirSync(path.join(dir, 'ws'));
  src = path.join(dir, 'cache', 'obj');
  fs.writeFileSync(src, 'content', { mode: 0o444 });
  fs.chmodSync(src, 0o444);
});

/** Whether this file system can clone files (btrfs, xfs, apfs can; ext4 and tmpfs cannot). */
function reflinkWorks(): boolean {
  const probe = path.join(dir, 'cache', 'probe');
  try {
    fs.copyFileSync(src, probe, fs.constants.COPYFILE_FICLONE_FORCE);
    return true;
  } catch {
    return false;
  } finally {
    fs.rmSync(probe, { force: true });
  }
}

const mode = (p: string) => fs.statSync(p).mode & 0o777;

describe('Linker', () => {
  it('copy: own inode, writable (0666 & ~umask)', () => {
    const dst = path.join(dir, 'ws', 'f');
    expect(new Linker(['copy']).link(src, dst)).toBe('copy');
    expect(fs.readFileSync(dst, 'utf8')).toBe('content');
    expect(fs.statSync(dst).ino).not.toBe(fs.statSync(src).ino);
    expect(mode(dst)).toBe(0o666 & ~process.umask());
    expect(mode(dst)).toBe(writableFileMode());
    expect(isLinkedAs('copy', src, fs.lstatSync(dst), dst)).toBe(true);
  });

  it('hardlink: shares the read-only inode', () => {
    const dst = path.join(dir, 'ws', 'f');
    expect(new Linker(['hardlink']).link(src, dst)).toBe('hardlink');
    expect(fs.statSync(dst).ino).toBe(fs.statSync(src).ino);
    expect(mode(dst)).toBe(0o444);
    expect(fs.statSync(src).nlink).toBe(2);
    expect(isLinkedAs('hardlink', src, fs.lstatSync(dst), dst)).toBe(true);
    expect(isLinkedAs('copy', src, fs.lstatSync(dst), dst)).toBe(false);
  });

  it('symlink: points at the object', () => {
    const dst = path.join(dir, 'ws', 'f');
    expect(new Linker(['symlink']).link(src, dst)).toBe('symlink');
    expect(fs.lstatSync(dst).isSymbolicLink()).toBe(true);
    expect(fs.readlinkSync(dst)).toBe(src);
    expect(fs.readFileSync(dst, 'utf8')).toBe('content');
    expect(isLinkedAs('symlink', src, fs.lstatSync(dst), dst)).toBe(true);
  });

  it('reflink: a writable clone, or a fallback to copy where the file system cannot clone', () => {
    const dst = path.join(dir, 'ws', 'f');
    const chosen: [LinkType, LinkType[]][] = [];
    const linker = new Linker(['reflink', 'copy'], (t, skipped) => chosen.push([t, skipped]));
    const used = linker.link(src, dst);
    if (reflinkWorks()) {
      expect(used).toBe('reflink');
      expect(chosen).toEqual([['reflink', []]]);
    } else {
      expect(used).toBe('copy');
      expect(chosen).toEqual([['copy', ['reflink']]]);
    }
    expect(fs.readFileSync(dst, 'utf8')).toBe('content');
    expect(mode(dst)).toBe(writableFileMode());
    expect(fs.statSync(dst).ino).not.toBe(fs.statSync(src).ino);
  });

  it('reflink alone fails with a hint where the file system cannot clone', () => {
    if (reflinkWorks()) return;
    const e = caughtSync(() => new Linker(['reflink']).link(src, path.join(dir, 'ws', 'f')));
    expect(e).toBeInstanceOf(TroveError);
    expect((e as TroveError).code).toBe('LINK_FAILED');
    expect((e as TroveError).hint).toContain('copy');
    expect(listTree(path.join(dir, 'ws'))).toEqual([]);
  });

  it('replaces an existing file, atomically, leaving no temp file', () => {
    const dst = path.join(dir, 'ws', 'f');
    fs.writeFileSync(dst, 'old');
    new Linker(['hardlink']).link(src, dst);
    expect(fs.readFileSync(dst, 'utf8')).toBe('content');
    new Linker(['copy']).link(src, dst);
    expect(fs.readFileSync(dst, 'utf8')).toBe('content');
    expect(listTree(path.join(dir, 'ws'))).toEqual(['f']);
  });

  it('probe() picks the first type that works and remembers it', () => {
    const seen: [LinkType, LinkType[]][] = [];
    const linker = new Linker(['reflink', 'hardlink', 'copy'], (t, skipped) => seen.push([t, skipped]));
    expect(linker.chosenType).toBeUndefined();
    expect(linker.preferredType).toBe('reflink');
    const expected: LinkType = reflinkWorks() ? 'reflink' : 'hardlink';
    expect(linker.probe(path.join(dir, 'cache'), path.join(dir, 'ws'))).toBe(expected);
    expect(linker.chosenType).toBe(expected);
    // Probing leaves nothing behind, and a second probe does not probe again.
    expect(listTree(path.join(dir, 'ws'))).toEqual([]);
    expect(listTree(path.join(dir, 'cache'))).toEqual(['obj']);
    expect(linker.probe(path.join(dir, 'cache'), path.join(dir, 'ws'))).toBe(expected);
    // Later links use the settled type, and the choice is announced once per run.
    expect(linker.link(src, path.join(dir, 'ws', 'f'))).toBe(expected);
    expect(linker.link(src, path.join(dir, 'ws', 'g'))).toBe(expected);
    expect(seen).toHaveLength(1);
    expect(seen[0]![0]).toBe(expected);
  });

  it('re-linking a hardlink onto the same object leaves no temp file', () => {
    const linker = new Linker(['hardlink']);
    const dst = path.join(dir, 'ws', 'f');
    linker.link(src, dst);
    linker.link(src, dst);
    expect(listTree(path.join(dir, 'ws'))).toEqual(['f']);
    expect(fs.statSync(src).nlink).toBe(2);
  });

  it('probe() creates the cache directory if needed', () => {
    const linker = new Linker(['copy']);
    expect(linker.probe(path.join(dir, 'new-cache', 'files', 'md5'), path.join(dir, 'ws'))).toBe('copy');
    expect(listTree(path.join(dir, 'new-cache'))).toEqual(['files/', 'files/md5/']);
  });

  it('a missing source is an error, not a reason to try the next type', () => {
    const e = caughtSync(() => new Linker(['hardlink', 'copy']).link(path.join(dir, 'cache', 'nope'), path.join(dir, 'ws', 'f')));
    expect((e as NodeJS.ErrnoException).code).toBe('ENOENT');
    expect(listTree(path.join(dir, 'ws'))).toEqual([]);
  });
});

describe('parseLinkTypes', () => {
  it('reads DVC lists', () => {
    expect(parseLinkTypes('reflink,copy', 'x')).toEqual(['reflink', 'copy']);
    expect(parseLinkTypes(' hardlink , symlink ', 'x')).toEqual(['hardlink', 'symlink']);
  });

  it('rejects unknown or empty lists, naming where they came from', () => {
    expect(() => parseLinkTypes('reflink,clone', '.dvc/config:3')).toThrow(/\.dvc\/config:3: unknown link type 'clone'/);
    expect(() => parseLinkTypes(' , ', '.dvc/config:3')).toThrow(/empty/);
  });
});
