import { describe, expect, it } from 'vitest';
import { FileFormatError, MultiError } from '../../../src/errors.js';
import { PointerFile } from '../../../src/repo/pointer-file.js';
import { caughtSync, fixture } from '../helpers.js';

describe('PointerFile.create writes what DVC 3.22.1 writes', () => {
  it.each([
    ['data.csv.dvc', 'data.csv', { md5: '17c3d8e4c9f2c9a647218794388f3661', size: 377 }],
    ['data.csv.dvc.v2', 'data.csv', { md5: '561f933fafcfd8a0e7091c7313311ccf', size: 387 }],
    ['images.dvc', 'images', { md5: '76adacbdfed898e18721c71b3f46d89e.dir', size: 3027, nfiles: 6 }],
    ['images.dvc.v2', 'images', { md5: '53755a74460b1f3f5518fcaac9639f52.dir', size: 2033, nfiles: 6 }],
    ['sortexp-d.dvc', 'd', { md5: '2b2c0b36dcbd2a0ab1d6a0b2c8e4d2a2.dir', size: 54, nfiles: 9 }],
  ] as const)('%s', (name, outPath, hash) => {
    const pf = PointerFile.create(`${outPath}.dvc`, outPath, hash);
    expect(pf.serialize()).toBe(fixture(name));
  });

  it('the fixtures parse back to the same hash info', () => {
    const pf = PointerFile.parse(fixture('images.dvc'), 'images.dvc');
    expect(pf.outs).toHaveLength(1);
    expect(pf.outs[0]).toMatchObject({
      path: 'images',
      repoPath: 'images',
      hash: { md5: '76adacbdfed898e18721c71b3f46d89e.dir', size: 3027, nfiles: 6 },
      hashName: 'md5',
      cache: true,
      line: 2,
    });
  });

  it('setHash on a parsed golden file gives the next golden file', () => {
    const pf = PointerFile.parse(fixture('data.csv.dvc'), 'data.csv.dvc');
    pf.setHash(0, { md5: '561f933fafcfd8a0e7091c7313311ccf', size: 387 });
    expect(pf.serialize()).toBe(fixture('data.csv.dvc.v2'));
    const dir = PointerFile.parse(fixture('images.dvc'), 'images.dvc');
    dir.setHash(0, { md5: '53755a74460b1f3f5518fcaac9639f52.dir', size: 2033, nfiles: 6 });
    expect(dir.serialize()).toBe(fixture('images.dvc.v2'));
  });

  it('a nested pointer file keeps its output path relative to itself', () => {
    const pf = PointerFile.create('sub/dir/data.csv.dvc', 'data.csv', { md5: '17c3d8e4c9f2c9a647218794388f3661', size: 377 });
    expect(pf.serialize()).toBe(fixture('data.csv.dvc'));
    expect(pf.outs[0]!.repoPath).toBe('sub/dir/data.csv');
  });
});

describe('round trip keeps what the user wrote', () => {
  const ORIGINAL = [
    '# Tracked by DVC: keep this comment',
    'outs:',
    '- md5: 17c3d8e4c9f2c9a647218794388f3661 # the raw export',
    '  size: 377',
    '  hash: md5',
    '  path: data.csv',
    '  desc: survey export',
    '  type: csv',
    '  meta:',
    '    owner: alice',
    '    tags: [raw, survey]',
    '  remote: archive',
    '  push: false',
    '  cache: true',
    '# a comment between sections',
    'desc: the dataset',
    'meta:',
    '  source: https://example.com/data',
    '',
  ].join('\n');

  it('setHash changes only the hash fields, in place', () => {
    const pf = PointerFile.parse(ORIGINAL, 'data.csv.dvc');
    pf.setHash(0, { md5: '561f933fafcfd8a0e7091c7313311ccf', size: 387 });
    const expected = ORIGINAL.replace('17c3d8e4c9f2c9a647218794388f3661', '561f933fafcfd8a0e7091c7313311ccf').replace(
      'size: 377',
      'size: 387',
    );
    expect(pf.serialize()).toBe(expected);
  });

  it('the re-serialized file parses with the new hash and the same settings', () => {
    const pf = PointerFile.parse(ORIGINAL, 'data.csv.dvc');
    pf.setHash(0, { md5: '561f933fafcfd8a0e7091c7313311ccf', size: 387 });
    const again = PointerFile.parse(pf.serialize(), 'data.csv.dvc');
    expect(again.outs[0]).toMatchObject({ path: 'data.csv', hash: { md5: '561f933fafcfd8a0e7091c7313311ccf', size: 387 }, cache: true });
  });

  it('a file turning into a directory gains nfiles and keeps the rest', () => {
    const pf = PointerFile.parse(ORIGINAL, 'data.csv.dvc');
    pf.setHash(0, { md5: '53755a74460b1f3f5518fcaac9639f52.dir', size: 2033, nfiles: 6 });
    const text = pf.serialize();
    for (const kept of ['# Tracked by DVC: keep this comment', '# the raw export', 'desc: survey export', 'owner: alice', 'remote: archive', 'push: false', 'desc: the dataset']) {
      expect(text).toContain(kept);
    }
    expect(PointerFile.parse(text, 'data.csv.dvc').outs[0]!.hash).toEqual({ md5: '53755a74460b1f3f5518fcaac9639f52.dir', size: 2033, nfiles: 6 });
  });

  it('cache: false is read', () => {
    const pf = PointerFile.parse('outs:\n- path: metrics.json\n  cache: false\n', 'metrics.json.dvc');
    expect(pf.outs[0]).toMatchObject({ cache: false, hash: undefined });
  });

  // DVC re-dumps a loaded file with apply_diff(new, loaded): keys it already has keep their place,
  // new keys are appended after them (ruamel's CommentedMap keeps insertion order).
  it('a DVC 2 entry (no hash field) is md5-dos2unix; re-hashing appends `hash: md5` as DVC 3 does', () => {
    const pf = PointerFile.parse('outs:\n- md5: 17c3d8e4c9f2c9a647218794388f3661\n  size: 377\n  path: data.csv\n', 'data.csv.dvc');
    expect(pf.outs[0]!.hashName).toBe('md5-dos2unix');
    pf.setHash(0, { md5: '561f933fafcfd8a0e7091c7313311ccf', size: 387 });
    expect(pf.serialize()).toBe('outs:\n- md5: 561f933fafcfd8a0e7091c7313311ccf\n  size: 387\n  path: data.csv\n  hash: md5\n');
    expect(PointerFile.parse(pf.serialize(), 'data.csv.dvc').outs[0]!.hashName).toBe('md5');
  });

  it('a hand-written entry with only a path gets the hash fields after it', () => {
    const pf = PointerFile.parse('outs:\n- path: data.csv\n', 'data.csv.dvc');
    pf.setHash(0, { md5: '17c3d8e4c9f2c9a647218794388f3661', size: 377 });
    expect(pf.serialize()).toBe('outs:\n- path: data.csv\n  md5: 17c3d8e4c9f2c9a647218794388f3661\n  size: 377\n  hash: md5\n');
  });

  it('a directory shrinking to a file loses nfiles', () => {
    const pf = PointerFile.parse(fixture('images.dvc'), 'images.dvc');
    pf.setHash(0, { md5: '17c3d8e4c9f2c9a647218794388f3661', size: 377 });
    expect(pf.serialize()).toBe('outs:\n- md5: 17c3d8e4c9f2c9a647218794388f3661\n  size: 377\n  hash: md5\n  path: images\n');
  });
});

// DVC resolves a stage's output paths against its wdir (dvc/stage/loader.py: resolve_paths), and
// `dvc move` re-homes the stage with wdir '.', which is then no longer written.
describe('wdir', () => {
  it('output paths are relative to wdir', () => {
    const pf = PointerFile.parse('wdir: ..\nouts:\n- md5: 17c3d8e4c9f2c9a647218794388f3661\n  path: sub/data.csv\n', 'sub/data.csv.dvc');
    expect(pf.outs[0]!.repoPath).toBe('sub/data.csv');
    const dot = PointerFile.parse('wdir: .\nouts:\n- path: data.csv\n', 'sub/data.csv.dvc');
    expect(dot.outs[0]!.repoPath).toBe('sub/data.csv');
  });

  it('setPath keeps paths relative to wdir; withRelPath (move) drops it, as dvc move does', () => {
    const pf = PointerFile.parse('wdir: ..\nouts:\n- path: sub/data.csv\n', 'sub/data.csv.dvc');
    pf.setPath(0, 'sub/renamed.csv');
    expect(pf.outs[0]!.repoPath).toBe('sub/renamed.csv');
    const moved = pf.withRelPath('other/renamed.csv.dvc');
    moved.setPath(0, 'renamed.csv');
    expect(moved.outs[0]!.repoPath).toBe('other/renamed.csv');
    expect(moved.serialize()).toBe('outs:\n- path: renamed.csv\n');
  });

  it.each([
    ['a wdir that leaves the repository', 'data.csv.dvc', 'wdir: ..\nouts:\n- path: data.csv\n', 3],
    ['an absolute wdir', 'data.csv.dvc', 'wdir: /etc\nouts:\n- path: passwd\n', 1],
    ['a wdir into .git', 'data.csv.dvc', 'wdir: .git\nouts:\n- path: config\n', 3],
  ])('rejects %s', (_what, file, text, line) => {
    const e = caughtSync(() => PointerFile.parse(text, file));
    expect(e).toBeInstanceOf(FileFormatError);
    expect((e as FileFormatError).line).toBe(line);
  });
});

describe('malformed pointer files name the file and the line', () => {
  function formatError(text: string, file = 'data.csv.dvc'): FileFormatError {
    const e = caughtSync(() => PointerFile.parse(text, file));
    expect(e).toBeInstanceOf(FileFormatError);
    return e as FileFormatError;
  }

  it('YAML syntax errors', () => {
    const e = formatError('outs:\n- md5: 17c3d8e4c9f2c9a647218794388f3661\n  path: [data.csv\n');
    expect(e.file).toBe('data.csv.dvc');
    expect(e.line).toBeGreaterThanOrEqual(3);
    expect(e.message).toMatch(/^data\.csv\.dvc:\d+: /);
  });

  it('a document that is not a mapping', () => {
    const e = formatError('- just\n- a list\n');
    expect(e.line).toBe(1);
  });

  it('an unknown top-level key', () => {
    const e = formatError('outs:\n- path: data.csv\nowner: bob\n');
    expect(e.line).toBe(3);
    expect(e.message).toContain("unknown key 'owner'");
  });

  it('an unknown output field', () => {
    const e = formatError('outs:\n- md5: 17c3d8e4c9f2c9a647218794388f3661\n  colour: blue\n  path: data.csv\n');
    expect(e.line).toBe(3);
    expect(e.message).toContain("unknown output field 'colour'");
  });

  it('outs that is not a list', () => {
    expect(formatError('outs:\n  path: data.csv\n').line).toBe(2);
  });

  it('an output without a path', () => {
    expect(formatError('outs:\n- md5: 17c3d8e4c9f2c9a647218794388f3661\n').line).toBe(2);
  });

  it.each([
    ['too short', '17c3d8e4c9f2c9a647218794388f366'],
    ['too long', '17c3d8e4c9f2c9a647218794388f36611'],
    ['not hex', '17c3d8e4c9f2c9a647218794388f366g'],
    ['a wrong suffix', '17c3d8e4c9f2c9a647218794388f3661.tar'],
    ['a number', '12345'],
  ])('an md5 that is %s', (_what, md5) => {
    const e = formatError(`outs:\n- md5: ${md5}\n  size: 1\n  hash: md5\n  path: data.csv\n`);
    expect(e.line).toBe(2);
    expect(e.message).toContain('is not an md5');
  });

  it('accepts a .dir md5', () => {
    expect(PointerFile.parse('outs:\n- md5: 76adacbdfed898e18721c71b3f46d89e.dir\n  hash: md5\n  path: images\n', 'images.dvc').outs[0]!.hash!.md5).toBe(
      '76adacbdfed898e18721c71b3f46d89e.dir',
    );
  });

  it('an unsupported hash name', () => {
    const e = formatError('outs:\n- md5: 17c3d8e4c9f2c9a647218794388f3661\n  hash: sha256\n  path: data.csv\n');
    expect(e.line).toBe(3);
  });

  it.each([
    ['data.csv.dvc', '../outside.csv'],
    ['data.csv.dvc', 'a/../../outside.csv'],
    ['sub/data.csv.dvc', '../../outside.csv'],
    ['data.csv.dvc', '..'],
    ['data.csv.dvc', '.'],
  ])('%s: a path that leaves the repository (%s)', (file, p) => {
    const e = formatError(`outs:\n- md5: 17c3d8e4c9f2c9a647218794388f3661\n  hash: md5\n  path: ${p}\n`, file);
    expect(e.file).toBe(file);
    expect(e.line).toBe(4);
  });

  it.each(['/etc/passwd', 'C:\\data.csv', 'C:/data.csv', 'dir\\..\\..\\x'])('an absolute or Windows path (%s)', (p) => {
    const e = formatError(`outs:\n- hash: md5\n  path: '${p}'\n`);
    expect(e.line).toBe(3);
  });

  it.each([
    ['data.csv.dvc', '.git/config'],
    ['data.csv.dvc', '.dvc/cache'],
    ['data.csv.dvc', '.dvc'],
    ['data.csv.dvc', 'x/../.git/hooks/pre-commit'],
    ['sub/data.csv.dvc', '../.dvc/config'],
  ])('%s: a path into .git/ or .dvc/ (%s)', (file, p) => {
    const e = formatError(`outs:\n- hash: md5\n  path: ${p}\n`, file);
    expect(e.line).toBe(3);
  });

  it('paths that only look similar are fine', () => {
    for (const p of ['.gitignore.bak', '.dvcignore-data', '..data', 'data..csv', 'a/.git-like']) {
      expect(PointerFile.parse(`outs:\n- path: ${p}\n`, 'x.dvc').outs[0]!.repoPath).toBe(p);
    }
    expect(PointerFile.parse('outs:\n- path: ../data.csv\n', 'sub/data.csv.dvc').outs[0]!.repoPath).toBe('data.csv');
  });

  it('several problems are reported together, each with its line', () => {
    const e = caughtSync(() => PointerFile.parse('outs:\n- path: ../x\n- path: .git/y\nowner: bob\n', 'x.dvc'));
    expect(e).toBeInstanceOf(MultiError);
    const lines = (e as MultiError).errors.map((x) => (x as FileFormatError).line).sort();
    expect(lines).toEqual([2, 3, 4]);
  });
});
