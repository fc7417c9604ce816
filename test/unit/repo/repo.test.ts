import fs from 'node:fs';
import path from 'node:path';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { NotARepoError, TroveError } from '../../../src/errors.js';
import { Repo } from '../../../src/repo/repo.js';
import { caughtSync, useTempDirs, writeFile } from '../helpers.js';

const tmp = useTempDirs();
let root: string;
let outside: string;

beforeEach(() => {
  root = tmp();
  outside = tmp();
  vi.stubEnv('DVC_GLOBAL_CONFIG_DIR', path.join(outside, 'global'));
  vi.stubEnv('DVC_SYSTEM_CONFIG_DIR', path.join(outside, 'system'));
  fs.mkdirSync(path.join(root, '.dvc'));
  fs.writeFileSync(path.join(root, '.dvc', 'config'), '');
  fs.mkdirSync(path.join(root, '.git'));
  writeFile(path.join(root, 'data', 'raw', 'a.csv'), 'a');
  writeFile(path.join(outside, 'secret.csv'), 's');
  return () => vi.unstubAllEnvs();
});

const open = (cwd = root) => Repo.open({ cwd });
const code = (fn: () => unknown) => (caughtSync(fn) as TroveError).code;

describe('Repo.open', () => {
  it('finds the root from a subdirectory', () => {
    const repo = open(path.join(root, 'data', 'raw'));
    expect(repo.root).toBe(root);
    expect(repo.scm).toBe(true);
    expect(repo.cache.dir).toBe(path.join(root, '.dvc', 'cache'));
  });

  it('fails outside of a repository', () => {
    expect(caughtSync(() => open(outside))).toBeInstanceOf(NotARepoError);
  });

  it('cache.dir is resolved relative to the config file that sets it', () => {
    fs.writeFileSync(path.join(root, '.dvc', 'config'), '[cache]\n    dir = ../../shared-cache\n');
    expect(open().cache.dir).toBe(path.resolve(root, '..', 'shared-cache'));
  });
});

describe('Repo.toRepoPath', () => {
  it('resolves paths relative to cwd into repo-relative posix paths', () => {
    expect(open().toRepoPath('data/raw/a.csv')).toBe('data/raw/a.csv');
    expect(open(path.join(root, 'data')).toRepoPath('raw/a.csv')).toBe('data/raw/a.csv');
    expect(open(path.join(root, 'data')).toRepoPath('../new.csv')).toBe('new.csv');
    expect(open().toRepoPath(path.join(root, 'data', 'raw'))).toBe('data/raw');
    expect(open().toRepoPath('./data/./raw/')).toBe('data/raw');
    expect(open().toRepoPath('not/yet/there.csv')).toBe('not/yet/there.csv');
  });

  it('rejects paths outside the repository', () => {
    const repo = open();
    expect(code(() => repo.toRepoPath('../x'))).toBe('PATH_OUTSIDE_REPO');
    expect(code(() => repo.toRepoPath(path.join(outside, 'secret.csv')))).toBe('PATH_OUTSIDE_REPO');
    expect(code(() => repo.toRepoPath('/etc/passwd'))).toBe('PATH_OUTSIDE_REPO');
    expect(code(() => open(path.join(root, 'data')).toRepoPath('../../x'))).toBe('PATH_OUTSIDE_REPO');
  });

  it('rejects the root itself, .dvc/ and .git/', () => {
    const repo = open();
    expect(code(() => repo.toRepoPath('.'))).toBe('BAD_TARGET');
    expect(code(() => repo.toRepoPath('.dvc'))).toBe('BAD_TARGET');
    expect(code(() => repo.toRepoPath('.dvc/cache'))).toBe('BAD_TARGET');
    expect(code(() => repo.toRepoPath('.git/config'))).toBe('BAD_TARGET');
    expect(code(() => repo.toRepoPath('data/../.git'))).toBe('BAD_TARGET');
  });

  it('accepts names that only start like .dvc or .git', () => {
    const repo = open();
    expect(repo.toRepoPath('.dvcignore')).toBe('.dvcignore');
    expect(repo.toRepoPath('.github/data.csv')).toBe('.github/data.csv');
  });

  it('rejects a symlinked directory that leads out of the repository', () => {
    fs.symlinkSync(outside, path.join(root, 'escape'));
    expect(code(() => open().toRepoPath('escape/secret.csv'))).toBe('PATH_OUTSIDE_REPO');
    expect(code(() => open().toRepoPath('escape/not-yet.csv'))).toBe('PATH_OUTSIDE_REPO');
  });

  it('rejects a not-yet-existing path deeper below an escaping symlink (escape/new/deeper.csv)', () => {
    fs.symlinkSync(outside, path.join(root, 'escape'));
    expect(code(() => open().toRepoPath('escape/new/deeper.csv'))).toBe('PATH_OUTSIDE_REPO');
  });

  it('accepts a symlinked directory that stays inside', () => {
    fs.symlinkSync(path.join(root, 'data'), path.join(root, 'alias'));
    expect(open().toRepoPath('alias/raw/a.csv')).toBe('data/raw/a.csv');
  });

  it('a symlinked directory into .dvc/ is caught too', () => {
    fs.mkdirSync(path.join(root, '.dvc', 'cache'));
    fs.symlinkSync(path.join(root, '.dvc', 'cache'), path.join(root, 'cachelink'));
    expect(code(() => open().toRepoPath('cachelink/x'))).toBe('BAD_TARGET');
  });

  // `rel.startsWith('..')` once refused a root file named '..data' as outside.
  it('accepts a file named ..data at the root', () => {
    writeFile(path.join(root, '..data'), 'x');
    expect(open().toRepoPath('..data')).toBe('..data');
  });
});

describe('Repo.assertNoSymlinkEscape', () => {
  it('passes for normal paths and missing parents', () => {
    const repo = open();
    repo.assertNoSymlinkEscape('data/raw/a.csv');
    repo.assertNoSymlinkEscape('missing/dir/file');
  });

  it('rejects a path whose existing parent is a symlink out of the repo', () => {
    fs.symlinkSync(outside, path.join(root, 'escape'));
    expect(code(() => open().assertNoSymlinkEscape('escape/new/file', 'x.dvc'))).toBe('PATH_OUTSIDE_REPO');
  });
});
