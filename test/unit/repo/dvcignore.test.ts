import fs from 'node:fs';
import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { DvcIgnore } from '../../../src/repo/dvcignore.js';
import { fixture, useTempDirs, writeFile } from '../helpers.js';

const tmp = useTempDirs();
let root: string;

beforeEach(() => {
  root = tmp();
});

function ignoreWith(files: Record<string, string>): DvcIgnore {
  for (const [rel, text] of Object.entries(files)) writeFile(path.join(root, rel), text);
  return new DvcIgnore(root);
}

/** isPathIgnored for a repo-relative path (a trailing '/' marks a directory). */
const ignored = (ig: DvcIgnore, rel: string) => ig.isPathIgnored(path.join(root, rel.replace(/\/$/, '')), rel.endsWith('/'));

describe('DvcIgnore', () => {
  it('the .dvcignore dvc init writes (only comments) ignores nothing', () => {
    const ig = ignoreWith({ '.dvcignore': fixture('dvcignore.after-init') });
    expect(ignored(ig, 'data.csv')).toBe(false);
    expect(ignored(ig, 'a/b/c')).toBe(false);
  });

  it('no .dvcignore at all ignores nothing', () => {
    expect(ignored(new DvcIgnore(root), 'x')).toBe(false);
  });

  it('patterns without a slash match at any depth', () => {
    const ig = ignoreWith({ '.dvcignore': '*.tmp\n.DS_Store\n' });
    expect(ignored(ig, 'a.tmp')).toBe(true);
    expect(ignored(ig, 'data/deep/b.tmp')).toBe(true);
    expect(ignored(ig, 'data/.DS_Store')).toBe(true);
    expect(ignored(ig, 'data/a.tmpx')).toBe(false);
  });

  it('a leading or middle slash anchors to the .dvcignore directory', () => {
    const ig = ignoreWith({ '.dvcignore': '/top.csv\ndata/raw\n' });
    expect(ignored(ig, 'top.csv')).toBe(true);
    expect(ignored(ig, 'sub/top.csv')).toBe(false);
    expect(ignored(ig, 'data/raw/')).toBe(true);
    expect(ignored(ig, 'data/raw/x.csv')).toBe(true);
    expect(ignored(ig, 'other/data/raw/')).toBe(false);
  });

  it('negation re-includes, and the last matching rule wins', () => {
    const ig = ignoreWith({ '.dvcignore': '*.csv\n!keep.csv\n' });
    expect(ignored(ig, 'a.csv')).toBe(true);
    expect(ignored(ig, 'keep.csv')).toBe(false);
    expect(ignored(ig, 'sub/keep.csv')).toBe(false);
    const ig2 = ignoreWith({ '.dvcignore': '!keep.csv\n*.csv\n' });
    expect(ignored(ig2, 'keep.csv')).toBe(true);
  });

  it('a file cannot be re-included when its directory is ignored', () => {
    const ig = ignoreWith({ '.dvcignore': 'logs/\n!logs/important.log\n' });
    expect(ignored(ig, 'logs/')).toBe(true);
    expect(ignored(ig, 'logs/important.log')).toBe(true);
  });

  it('a trailing slash matches directories only', () => {
    const ig = ignoreWith({ '.dvcignore': 'build/\n' });
    expect(ignored(ig, 'build/')).toBe(true);
    expect(ignored(ig, 'build')).toBe(false);
    expect(ignored(ig, 'src/build/')).toBe(true);
    expect(ignored(ig, 'build/out.bin')).toBe(true);
  });

  it('** and character classes', () => {
    const ig = ignoreWith({ '.dvcignore': 'data/**/cache\nimg[0-9].png\n' });
    expect(ignored(ig, 'data/cache/')).toBe(true);
    expect(ignored(ig, 'data/a/b/cache/')).toBe(true);
    expect(ignored(ig, 'img7.png')).toBe(true);
    expect(ignored(ig, 'imgx.png')).toBe(false);
  });

  it('a nested .dvcignore applies below its directory, relative to it, and can override its parent', () => {
    const ig = ignoreWith({
      '.dvcignore': '*.tmp\n',
      'data/.dvcignore': '/local.csv\n!keep.tmp\n',
    });
    expect(ignored(ig, 'data/local.csv')).toBe(true);
    expect(ignored(ig, 'local.csv')).toBe(false);
    expect(ignored(ig, 'data/sub/local.csv')).toBe(false);
    expect(ignored(ig, 'data/keep.tmp')).toBe(false);
    expect(ignored(ig, 'data/sub/keep.tmp')).toBe(false);
    expect(ignored(ig, 'keep.tmp')).toBe(true);
    expect(ignored(ig, 'data/other.tmp')).toBe(true);
  });

  it('a nested .dvcignore found during a walk (enterDir) is used for that directory', () => {
    const ig = ignoreWith({ 'data/.dvcignore': 'secret\n' });
    const dir = path.join(root, 'data');
    expect(ig.ignored(path.join(dir, 'secret'), false)).toBe(false);
    ig.enterDir(dir, fs.readdirSync(dir));
    expect(ig.ignored(path.join(dir, 'secret'), false)).toBe(true);
    expect(ig.ignored(path.join(root, 'secret'), false)).toBe(false);
  });

  it('prepare loads every .dvcignore from the root down to a directory', () => {
    const ig = ignoreWith({ 'a/.dvcignore': 'x\n', 'a/b/.dvcignore': 'y\n' });
    ig.prepare(path.join(root, 'a', 'b', 'c'));
    expect(ig.ignored(path.join(root, 'a', 'b', 'c', 'x'), false)).toBe(true);
    expect(ig.ignored(path.join(root, 'a', 'b', 'c', 'y'), false)).toBe(true);
    expect(ig.ignored(path.join(root, 'a', 'y'), false)).toBe(false);
  });

  it('CRLF .dvcignore files work', () => {
    const ig = ignoreWith({ '.dvcignore': '*.tmp\r\n!keep.tmp\r\n' });
    expect(ignored(ig, 'a.tmp')).toBe(true);
    expect(ignored(ig, 'keep.tmp')).toBe(false);
  });
});
