import fs from 'node:fs';
import path from 'node:path';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { FileFormatError, MultiError, type TroveError } from '../../../src/errors.js';
import { collectPointerFiles } from '../../../src/repo/pointer-files.js';
import { PointerFile } from '../../../src/repo/pointer-file.js';
import { readLockedOutputs } from '../../../src/repo/lock-file.js';
import { Repo } from '../../../src/repo/repo.js';
import { lockedOutputsAt, pointerFilesAt, revisionFilesAt, revisionLabel } from '../../../src/repo/revision-files.js';
import { caughtSync, git, useTempDirs, writeFile } from '../helpers.js';

const tmp = useTempDirs('trove-revision-files-');


function commitAll(root: string, message: string): string {
  git(root, 'add', '-A');
  git(root, 'commit', '-q', '--allow-empty', '-m', message);
  return git(root, 'rev-parse', 'HEAD');
}

const md5 = (c: string) => c.repeat(32);

/** A pointer file as DVC 3 writes it. */
function pointer(oid: string, outPath: string, size = 3): string {
  return `outs:\n- md5: ${oid}\n  size: ${size}\n  hash: md5\n  path: ${outPath}\n`;
}

/** A dvc.lock as DVC 3 writes it: one DVC 3 output and one DVC 2 output (no `hash`); `modelMd5` not all digits (YAML would read a number). */
function lockText(modelMd5: string): string {
  return [
    "schema: '2.0'",
    'stages:',
    '  train:',
    '    cmd: python train.py',
    '    deps:',
    '    - path: data',
    `      hash: md5`,
    `      md5: ${md5('d')}.dir`,
    '    outs:',
    '    - path: model.pkl',
    '      hash: md5',
    `      md5: ${modelMd5}`,
    '      size: 10',
    '    - path: metrics/scores.json',
    `      md5: ${md5('e')}`,
    '      size: 4',
    '',
  ].join('\n');
}

describe('pointer files and lock files at revisions', () => {
  let root: string;

  beforeEach(() => {
    const outside = tmp();
    vi.stubEnv('DVC_GLOBAL_CONFIG_DIR', path.join(outside, 'global'));
    vi.stubEnv('DVC_SYSTEM_CONFIG_DIR', path.join(outside, 'system'));
    root = path.join(tmp(), 'repo');
    fs.mkdirSync(root);
    git(root, 'init', '-q', '-b', 'main');
    writeFile(path.join(root, '.dvc', 'config'), '');
    writeFile(path.join(root, '.dvc', '.gitignore'), '/config.local\n/tmp\n/cache\n');
    return () => vi.unstubAllEnvs();
  });

  it('reads the pointer files of an older commit, not the workspace', () => {
    writeFile(path.join(root, 'data.dvc'), pointer(md5('a'), 'data'));
    writeFile(path.join(root, 'models', 'my model ü.dvc'), pointer(`${md5('b')}.dir`, 'my model ü'));
    const c1 = commitAll(root, 'one');
    writeFile(path.join(root, 'data.dvc'), pointer(md5('c'), 'data'));
    fs.rmSync(path.join(root, 'models'), { recursive: true });
    writeFile(path.join(root, 'sub', 'new.dvc'), pointer(md5('f'), '../shared/new'));
    const c2 = commitAll(root, 'two');
    // Uncommitted edit in the workspace.
    writeFile(path.join(root, 'data.dvc'), pointer(md5('9'), 'data'));

    const at1 = pointerFilesAt(root, c1);
    expect(at1.map((p) => p.relPath)).toEqual(['data.dvc', 'models/my model ü.dvc']);
    expect(at1.map((p) => [p.outs[0]!.repoPath, p.outs[0]!.hash?.md5])).toEqual([
      ['data', md5('a')],
      ['models/my model ü', `${md5('b')}.dir`],
    ]);
    const at2 = pointerFilesAt(root, c2);
    expect(at2.map((p) => [p.relPath, p.outs[0]!.repoPath, p.outs[0]!.hash?.md5])).toEqual([
      ['data.dvc', 'data', md5('c')],
      ['sub/new.dvc', 'shared/new', md5('f')],
    ]);
    expect(pointerFilesAt(root, 'HEAD~1').map((p) => p.relPath)).toEqual(at1.map((p) => p.relPath));

    // The workspace has its own version, and reading revisions left it alone.
    const ws = collectPointerFiles(Repo.open({ cwd: root }));
    expect(ws.map((p) => [p.relPath, p.outs[0]!.hash?.md5])).toEqual([
      ['data.dvc', md5('9')],
      ['sub/new.dvc', md5('f')],
    ]);
    expect(git(root, 'status', '--porcelain')).toBe('M data.dvc');
  });

  it('parses exactly as the workspace does (same PointerFile for the same text)', () => {
    const text = 'outs:\n- md5: ' + md5('a') + '\n  size: 3\n  hash: md5\n  path: data\n  desc: a non-canonical field\nmeta:\n  owner: me\n';
    writeFile(path.join(root, 'dir', 'data.dvc'), text);
    const c = commitAll(root, 'one');
    const [pf] = pointerFilesAt(root, c);
    const ws = PointerFile.parse(text, 'dir/data.dvc');
    expect(pf!.relPath).toBe(ws.relPath);
    expect(pf!.outs).toEqual(ws.outs);
    expect(pf!.serialize()).toBe(text);
  });

  it('skips .dvc/ and .git-like paths, symbolic links and what the revision\'s .dvcignore ignores', () => {
    writeFile(path.join(root, 'data.dvc'), pointer(md5('a'), 'data'));
    writeFile(path.join(root, '.dvc', 'not-a-pointer.dvc'), 'garbage: [');
    writeFile(path.join(root, '.dvc', 'dvc.lock'), 'garbage: [');
    writeFile(path.join(root, '.dvcignore'), '# comment\nignored/\n*.skip.dvc\n');
    writeFile(path.join(root, 'ignored', 'x.dvc'), 'garbage: [');
    writeFile(path.join(root, 'ignored', 'deeper', 'dvc.lock'), 'garbage: [');
    writeFile(path.join(root, 'a', 'b.skip.dvc'), 'garbage: [');
    writeFile(path.join(root, 'a', '.dvcignore'), 'local.dvc\n');
    writeFile(path.join(root, 'a', 'local.dvc'), 'garbage: [');
    writeFile(path.join(root, 'local.dvc'), pointer(md5('b'), 'local'));
    fs.symlinkSync('data.dvc', path.join(root, 'link.dvc'));
    const c = commitAll(root, 'one');
    expect(pointerFilesAt(root, c).map((p) => p.relPath)).toEqual(['data.dvc', 'local.dvc']);
    expect(lockedOutputsAt(root, c)).toEqual([]);
  });

  it('a malformed file throws naming rev:path:line, every malformed file at once', () => {
    writeFile(path.join(root, 'good.dvc'), pointer(md5('a'), 'good'));
    writeFile(path.join(root, 'bad.dvc'), 'outs:\n- md5: nothex\n  path: bad\n');
    const c1 = commitAll(root, 'one');
    const short = c1.slice(0, 7);
    const e = caughtSync(() => pointerFilesAt(root, c1)) as FileFormatError;
    expect(e).toBeInstanceOf(FileFormatError);
    expect(e.file).toBe(`${short}:bad.dvc`);
    expect(e.message).toBe(`${short}:bad.dvc:2: 'nothex' is not an md5 (32 hex digits, optionally followed by .dir)`);
    expect(e.userError).toBe(true);

    writeFile(path.join(root, 'dvc.lock'), "schema: '2.0'\nstages:\n  a: [\n");
    writeFile(path.join(root, 'also-bad.dvc'), 'outs:\n- path: x\n  bogus: 1\n- path: y\n  other: 2\n');
    const c2 = commitAll(root, 'two');
    const all = caughtSync(() => revisionFilesAt(root, c2)) as MultiError;
    expect(all).toBeInstanceOf(MultiError);
    expect(all.message.split('\n')[0]).toBe(`3 malformed files at revision ${c2.slice(0, 7)}`);
    expect(all.errors.map((x) => x.message.split('\n')[0])).toEqual([
      `${c2.slice(0, 7)}:also-bad.dvc: 2 problems`,
      `${c2.slice(0, 7)}:bad.dvc:2: 'nothex' is not an md5 (32 hex digits, optionally followed by .dir)`,
      expect.stringMatching(new RegExp(`^${c2.slice(0, 7)}:dvc\\.lock:\\d+: malformed YAML`)),
    ]);
    expect((all.errors[0] as MultiError).errors.map((x) => x.message)).toEqual([
      `${c2.slice(0, 7)}:also-bad.dvc:3: unknown output field 'bogus'`,
      `${c2.slice(0, 7)}:also-bad.dvc:5: unknown output field 'other'`,
    ]);
    // A named revision keeps its name.
    expect((caughtSync(() => pointerFilesAt(root, 'main~1')) as FileFormatError).file).toBe('main~1:bad.dvc');
  });

  it('with onInvalid, malformed files are reported and skipped', () => {
    writeFile(path.join(root, 'good.dvc'), pointer(md5('a'), 'good'));
    writeFile(path.join(root, 'bad.dvc'), 'outs: [\n');
    writeFile(path.join(root, 'dvc.lock'), ':\n  - ]\n');
    writeFile(path.join(root, 'sub', 'dvc.lock'), lockText(md5('1a').slice(0, 32)));
    const c = commitAll(root, 'one');
    const reported: TroveError[] = [];
    const { pointerFiles, lockedOutputs } = revisionFilesAt(root, c, { onInvalid: (e) => reported.push(e) });
    expect(pointerFiles.map((p) => p.relPath)).toEqual(['good.dvc']);
    expect(lockedOutputs.map((o) => o.repoPath)).toEqual(['sub/model.pkl', 'sub/metrics/scores.json']);
    expect(reported.map((e) => e.message.split(':').slice(0, 2).join(':'))).toEqual([`${c.slice(0, 7)}:bad.dvc`, `${c.slice(0, 7)}:dvc.lock`]);
    expect(reported.every((e) => e.code === 'FILE_FORMAT')).toBe(true);
  });

  it('lockedOutputsAt gives what readLockedOutputs gives for the same file, per revision', () => {
    writeFile(path.join(root, 'dvc.lock'), lockText(md5('1a').slice(0, 32)));
    writeFile(path.join(root, 'nested', 'dvc.lock'), lockText(md5('2b').slice(0, 32)));
    const c1 = commitAll(root, 'one');
    const repo = Repo.open({ cwd: root });
    const expected = [...readLockedOutputs(repo, 'dvc.lock'), ...readLockedOutputs(repo, 'nested/dvc.lock')];
    expect(lockedOutputsAt(root, c1)).toEqual(expected);
    expect(expected[0]).toEqual({ repoPath: 'model.pkl', md5: md5('1a').slice(0, 32), hashName: 'md5', lockFile: 'dvc.lock', stage: 'train', size: 10 });
    expect(expected[1]).toMatchObject({ repoPath: 'metrics/scores.json', hashName: 'md5-dos2unix' });
    expect(expected[2]).toMatchObject({ repoPath: 'nested/model.pkl', md5: md5('2b').slice(0, 32), lockFile: 'nested/dvc.lock' });

    writeFile(path.join(root, 'dvc.lock'), lockText(md5('3c').slice(0, 32)));
    fs.rmSync(path.join(root, 'nested'), { recursive: true });
    const c2 = commitAll(root, 'two');
    expect(lockedOutputsAt(root, c2).map((o) => [o.repoPath, o.md5])).toEqual([
      ['model.pkl', md5('3c').slice(0, 32)],
      ['metrics/scores.json', md5('e')],
    ]);
    expect(lockedOutputsAt(root, c1)).toEqual(expected);
  });

  it('a DVC root inside the git tree: paths relative to it, files outside it ignored', () => {
    const top = root;
    const proj = path.join(top, 'proj');
    fs.mkdirSync(proj);
    fs.renameSync(path.join(top, '.dvc'), path.join(proj, '.dvc'));
    writeFile(path.join(top, 'outside.dvc'), pointer(md5('a'), 'outside'));
    writeFile(path.join(proj, 'data.dvc'), pointer(md5('b'), 'data'));
    writeFile(path.join(proj, 'dvc.lock'), lockText(md5('c')));
    const c = commitAll(top, 'one');
    expect(pointerFilesAt(proj, c).map((p) => [p.relPath, p.outs[0]!.repoPath])).toEqual([['data.dvc', 'data']]);
    expect(lockedOutputsAt(proj, c).map((o) => [o.lockFile, o.repoPath])).toEqual([
      ['dvc.lock', 'model.pkl'],
      ['dvc.lock', 'metrics/scores.json'],
    ]);
    expect(pointerFilesAt(top, c).map((p) => p.relPath)).toEqual(['outside.dvc', 'proj/data.dvc']);
  });

  it('a shared blob cache reads each unchanged file once across revisions', () => {
    writeFile(path.join(root, 'a.dvc'), pointer(md5('a'), 'a'));
    writeFile(path.join(root, 'b.dvc'), pointer(md5('b'), 'b'));
    const c1 = commitAll(root, 'one');
    writeFile(path.join(root, 'b.dvc'), pointer(md5('c'), 'b'));
    const c2 = commitAll(root, 'two');
    const blobCache = new Map<string, string>();
    const first = pointerFilesAt(root, c1, { blobCache });
    expect(blobCache.size).toBe(2);
    const second = pointerFilesAt(root, c2, { blobCache });
    expect(blobCache.size).toBe(3);
    expect(first.map((p) => p.outs[0]!.hash?.md5)).toEqual([md5('a'), md5('b')]);
    expect(second.map((p) => p.outs[0]!.hash?.md5)).toEqual([md5('a'), md5('c')]);
    // Cached text is what is parsed: the cache really is consulted.
    for (const [oid, text] of blobCache) if (text.includes(md5('a'))) blobCache.set(oid, pointer(md5('0'), 'a'));
    expect(pointerFilesAt(root, c2, { blobCache })[0]!.outs[0]!.hash?.md5).toBe(md5('0'));
  });

  it('a bad revision is a BAD_REVISION error; an empty tree has no files', () => {
    expect((caughtSync(() => pointerFilesAt(root, 'nope')) as TroveError).code).toBe('BAD_REVISION');
    const c = commitAll(root, 'only .dvc/');
    expect(revisionFilesAt(root, c)).toEqual({ pointerFiles: [], lockedOutputs: [] });
  });

  it('revisionLabel shortens full shas only', () => {
    expect(revisionLabel('a'.repeat(40), 'x.dvc')).toBe('aaaaaaa:x.dvc');
    expect(revisionLabel('v1.0', 'd/x.dvc')).toBe('v1.0:d/x.dvc');
  });
});
