import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { isSameOrParent, posixDirname, posixJoin, relativeInside } from '../../../src/util/posix-path.js';
import { isDirOid, isValidOid, objectPath, filesRootOf } from '../../../src/util/cache-layout.js';

describe('posix-path', () => {
  it('relativeInside', () => {
    expect(relativeInside('/r', '/r')).toBe('');
    expect(relativeInside('/r', '/r/a/b')).toBe('a/b');
    expect(relativeInside('/r', '/r/..data')).toBe('..data');
    expect(relativeInside('/r', '/other')).toBeUndefined();
    expect(relativeInside('/r', '/r/../x')).toBeUndefined();
    expect(relativeInside('/r', path.resolve('/r', '..'))).toBeUndefined();
  });

  it('posixJoin and posixDirname', () => {
    expect(posixJoin('', 'a', '.', 'b')).toBe('a/b');
    expect(posixJoin('sub', '../x')).toBe('x');
    expect(posixDirname('a')).toBe('');
    expect(posixDirname('a/b/c')).toBe('a/b');
  });

  it('isSameOrParent', () => {
    expect(isSameOrParent('', 'a')).toBe(true);
    expect(isSameOrParent('a', 'a')).toBe(true);
    expect(isSameOrParent('a', 'a/b')).toBe(true);
    expect(isSameOrParent('a', 'ab')).toBe(false);
    expect(isSameOrParent('a/b', 'a')).toBe(false);
  });
});

describe('cache-layout', () => {
  it('objectPath is files/md5/xx/rest', () => {
    expect(objectPath(filesRootOf('/c'), '76adacbdfed898e18721c71b3f46d89e.dir')).toBe('/c/files/md5/76/adacbdfed898e18721c71b3f46d89e.dir');
  });

  it('isValidOid and isDirOid', () => {
    expect(isValidOid('d41d8cd98f00b204e9800998ecf8427e')).toBe(true);
    expect(isValidOid('d41d8cd98f00b204e9800998ecf8427e.dir')).toBe(true);
    expect(isValidOid('d41d8cd98f00b204e9800998ecf8427')).toBe(false);
    expect(isValidOid('D41D8CD98F00B204E9800998ECF8427E')).toBe(false);
    expect(isValidOid('../../../../etc/passwd0000000000')).toBe(false);
    expect(isDirOid('d41d8cd98f00b204e9800998ecf8427e.dir')).toBe(true);
    expect(isDirOid('d41d8cd98f00b204e9800998ecf8427e')).toBe(false);
  });
});
