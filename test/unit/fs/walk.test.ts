import fs from 'node:fs';
import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { walkFiles } from '../../../src/fs/walk.js';
import { DvcIgnore } from '../../../src/repo/dvcignore.js';
import { useTempDirs, writeFile } from '../helpers.js';

const tmp = useTempDirs();
let root: string;

beforeEach(() => {
  root = tmp();
  for (const f of ['data/a.csv', 'data/b.tmp', 'data/sub/c.csv', 'data/sub/d.tmp', 'data/logs/x.log', 'data/keep/e.tmp', 'data/.git/HEAD', 'data/.dvc/config', 'data/é.txt']) {
    writeFile(path.join(root, f), f);
  }
  fs.mkdirSync(path.join(root, 'data', 'empty'));
  fs.symlinkSync(path.join(root, 'data', 'a.csv'), path.join(root, 'data', 'link-to-file'));
  fs.symlinkSync(path.join(root, 'data', 'sub'), path.join(root, 'data', 'link-to-dir'));
  fs.symlinkSync(path.join(root, 'nowhere'), path.join(root, 'data', 'dangling'));
});

const rels = (r: ReturnType<typeof walkFiles>) => r.files.map((f) => f.rel).sort();

describe('walkFiles', () => {
  it('lists files with stats, follows file symlinks, skips .git/.dvc, dangling links, dir links and empty dirs', () => {
    const r = walkFiles(path.join(root, 'data'));
    expect(r.errors).toEqual([]);
    expect(rels(r)).toEqual(['a.csv', 'b.tmp', 'keep/e.tmp', 'link-to-file', 'logs/x.log', 'sub/c.csv', 'sub/d.tmp', 'é.txt']);
    const a = r.files.find((f) => f.rel === 'a.csv')!;
    expect(a.stat.size).toBe('data/a.csv'.length);
    expect(a.stat.ino).toBe(fs.statSync(path.join(root, 'data', 'a.csv')).ino);
    // A symlink's stat is its target's.
    expect(r.files.find((f) => f.rel === 'link-to-file')!.stat.ino).toBe(a.stat.ino);
  });

  it('applies a .dvcignore filter: patterns, negation, directories, nested files', () => {
    writeFile(path.join(root, '.dvcignore'), '# comment\n*.tmp\n!data/keep/*.tmp\nlogs/\n');
    writeFile(path.join(root, 'data', 'sub', '.dvcignore'), 'c.csv\n');
    const filter = new DvcIgnore(root).prepare(path.join(root, 'data'));
    const r = walkFiles(path.join(root, 'data'), filter);
    expect(rels(r)).toEqual(['a.csv', 'keep/e.tmp', 'link-to-file', 'sub/.dvcignore', 'é.txt']);
  });

  it('reports unreadable directories instead of throwing', () => {
    const r = walkFiles(path.join(root, 'missing'));
    expect(r.files).toEqual([]);
    expect(r.errors.map((e) => [e.rel, e.error.code])).toEqual([['', 'ENOENT']]);
  });
});
