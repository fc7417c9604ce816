import { describe, expect, it } from 'vitest';
import { FileFormatError } from '../../../src/errors.js';
import { isSafeRelpath, parseTree, serializeTree, sortTreeEntries, treeOid } from '../../../src/objects/tree.js';
import { caughtSync } from '../helpers.js';

const MD5 = 'd41d8cd98f00b204e9800998ecf8427e';

describe('parseTree', () => {
  it('reads what serializeTree writes', () => {
    const entries = sortTreeEntries([
      { relpath: 'b/c', md5: MD5 },
      { relpath: 'a', md5: '0cc175b9c0f1b6a831c399e269772661' },
    ]);
    expect(parseTree(serializeTree(entries), 'x')).toEqual(entries);
  });

  it.each([
    ['not JSON', '[{"md5": '],
    ['not a list', '{"md5": "x"}'],
    ['an entry without md5', '[{"relpath": "a"}]'],
    ['a bad md5', '[{"md5": "xyz", "relpath": "a"}]'],
    ['a relpath that is not a string', `[{"md5": "${MD5}", "relpath": 3}]`],
  ])('rejects %s with a FileFormatError naming the object', (_what, text) => {
    const e = caughtSync(() => parseTree(text, '.dvc/cache/files/md5/ab/cdef.dir'));
    expect(e).toBeInstanceOf(FileFormatError);
    expect((e as FileFormatError).file).toBe('.dvc/cache/files/md5/ab/cdef.dir');
  });

  it.each(['../evil', 'a/../../evil', '/etc/passwd', 'a//b', './a', 'a/.', '', 'a\0b', 'a/'])(
    'rejects the relpath %j, which could leave the directory',
    (relpath) => {
      expect(isSafeRelpath(relpath)).toBe(false);
      const e = caughtSync(() => parseTree(JSON.stringify([{ md5: MD5, relpath }]), 'm'));
      expect(e).toBeInstanceOf(FileFormatError);
    },
  );

  it.each(['a', 'a/b/c', '..a', 'a..', '.hidden/x', 'sp ace', 'é'])('accepts the relpath %j', (relpath) => {
    expect(isSafeRelpath(relpath)).toBe(true);
  });

  it.runIf(process.platform !== 'win32')('accepts a backslash, an ordinary filename character on POSIX', () => {
    // DVC records such files; trove must read back the manifests it writes for them.
    const entries = [{ relpath: 'dir\\name.txt', md5: MD5 }];
    const text = serializeTree(entries);
    expect(text).toBe(`[{"md5": "${MD5}", "relpath": "dir\\\\name.txt"}]`);
    expect(parseTree(text, 'm')).toEqual(entries);
    expect(treeOid(text)).toMatch(/^[0-9a-f]{32}\.dir$/);
  });
});
