import { describe, expect, it } from 'vitest';
import { PointerFile } from '../../../src/repo/pointer-file.js';

const MD5 = '17c3d8e4c9f2c9a647218794388f3661';

function canonical(pathLine: string, extra = ''): string {
  return `outs:\n- md5: ${MD5}\n  size: 377\n${extra}  hash: md5\n  path: ${pathLine}\n`;
}

describe('PointerFile.parse fast path (canonical files, no yaml library)', () => {
  it('reads outputs, sizes, nfiles, isexec and line numbers', () => {
    const text = `outs:\n- md5: ${MD5}.dir\n  size: 10\n  nfiles: 2\n  hash: md5\n  path: images\n- md5: ${MD5}\n  size: 3\n  isexec: true\n  hash: md5\n  path: run.sh\n`;
    const pf = PointerFile.parse(text, 'sub/x.dvc');
    expect(pf.outs).toEqual([
      { path: 'images', repoPath: 'sub/images', hash: { md5: `${MD5}.dir`, size: 10, nfiles: 2 }, hashName: 'md5', cache: true, line: 2 },
      { path: 'run.sh', repoPath: 'sub/run.sh', hash: { md5: MD5, size: 3, isexec: true }, hashName: 'md5', cache: true, line: 7 },
    ]);
    expect(pf.serialize()).toBe(text);
  });

  it('edits a fast-parsed file exactly as a fully parsed one', () => {
    const text = canonical('data.csv');
    const pf = PointerFile.parse(text, 'data.csv.dvc');
    pf.setHash(0, { md5: '561f933fafcfd8a0e7091c7313311ccf', size: 387 });
    expect(pf.serialize()).toBe(canonical('data.csv').replace(MD5, '561f933fafcfd8a0e7091c7313311ccf').replace('377', '387'));
  });

  it.each([
    ['yes', 'yes'],
    ["'2.0'", '2.0'],
    ['data.csv # a comment', 'data.csv'],
    ["'a: b'", 'a: b'],
  ])('leaves %s to the full parser, which reads it as YAML does', (pathLine, expected) => {
    expect(PointerFile.parse(canonical(pathLine), 'x.dvc').outs[0]!.path).toBe(expected);
  });

  it('a path that escapes the repo is still rejected, with its line', () => {
    expect(() => PointerFile.parse(canonical('data/../../etc'), 'x.dvc')).toThrow(/x\.dvc:5: .*outside of the repository/);
  });

  it('a number where the path goes is still an error', () => {
    expect(() => PointerFile.parse(canonical('123'), 'x.dvc')).toThrow(/path/);
  });
});

describe('rewrites keep the rest of a hand-edited file byte for byte', () => {
  it('only the changed values are replaced: comments, their spacing and quoting stay', () => {
    const text = `# tracked by hand\nouts:\n- md5: ${MD5}   # old\n  size: 377\n  hash: md5\n  path: 'data.csv'\n  desc: the c file  # important\n`;
    const pf = PointerFile.parse(text, 'data.csv.dvc');
    pf.setHash(0, { md5: '561f933fafcfd8a0e7091c7313311ccf', size: 387 });
    expect(pf.serialize()).toBe(text.replace(MD5, '561f933fafcfd8a0e7091c7313311ccf').replace('size: 377', 'size: 387'));
  });

  it('a structural change (a new nfiles key) re-emits the document', () => {
    const text = `outs:\n- md5: ${MD5}  # c\n  size: 377\n  hash: md5\n  path: data\n`;
    const pf = PointerFile.parse(text, 'data.dvc');
    pf.setHash(0, { md5: `${MD5}.dir`, size: 10, nfiles: 2 });
    expect(pf.serialize()).toBe(`outs:\n- md5: ${MD5}.dir # c\n  size: 10\n  hash: md5\n  path: data\n  nfiles: 2\n`);
  });
});
