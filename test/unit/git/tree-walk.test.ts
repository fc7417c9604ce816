import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BadRevisionError, listTreeAt, type TreeEntry } from '../../../src/git/revisions.js';
import { listTreesAt } from '../../../src/git/tree-walk.js';
import { caughtSync, git, useTempDirs, writeFile } from '../helpers.js';

const tmp = useTempDirs('trove-tree-walk-');

function commitAll(root: string, message: string): string {
  git(root, 'add', '-A');
  git(root, 'commit', '-q', '--allow-empty', '-m', message);
  return git(root, 'rev-parse', 'HEAD');
}

const byPath = (a: TreeEntry, b: TreeEntry) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0);
const wantName = (n: string) => n.endsWith('.dvc') || n === 'dvc.lock';

/** A history with nested and repeated directories, a symlink, a submodule and odd names. */
function history(): { root: string; commits: string[] } {
  const root = path.join(tmp(), 'repo');
  fs.mkdirSync(root);
  git(root, 'init', '-q', '-b', 'main');
  const commits: string[] = [];
  writeFile(path.join(root, 'a.dvc'), 'a1');
  writeFile(path.join(root, 'x/y/z/deep.dvc'), 'deep');
  writeFile(path.join(root, 'x/y/dvc.lock'), 'lock');
  writeFile(path.join(root, 'twin1/t.dvc'), 'same');
  writeFile(path.join(root, 'twin2/t.dvc'), 'same');
  writeFile(path.join(root, 'sp ace ü 数据/é.dvc'), 'unicode');
  writeFile(path.join(root, 'not-wanted.txt'), 'no');
  writeFile(path.join(root, '.dvc/config.dvc'), 'inside .dvc');
  fs.symlinkSync('a.dvc', path.join(root, 'link.dvc'));
  commits.push(commitAll(root, 'one'));
  writeFile(path.join(root, 'a.dvc'), 'a2');
  fs.rmSync(path.join(root, 'twin2'), { recursive: true });
  commits.push(commitAll(root, 'two'));
  // A submodule entry (a gitlink): never a file.
  git(root, 'update-index', '--add', '--cacheinfo', `160000,${commits[0]},sub.dvc`);
  git(root, 'commit', '-q', '-m', 'gitlink');
  commits.push(git(root, 'rev-parse', 'HEAD'));
  writeFile(path.join(root, 'x/y/z/deep.dvc'), 'deeper');
  commits.push(commitAll(root, 'four'));
  return { root, commits };
}

describe('listTreesAt', () => {
  it('lists what ls-tree lists, for every commit', () => {
    const { root, commits } = history();
    const walked = listTreesAt(root, commits, { descend: () => true, wantName });
    commits.forEach((c, i) => {
      const expected = listTreeAt(root, c, (p) => wantName(p.slice(p.lastIndexOf('/') + 1)));
      expect(walked[i]!.sort(byPath)).toEqual(expected.sort(byPath));
    });
    expect(walked[0]!.map((e) => e.path)).toContain('link.dvc');
    expect(walked[2]!.map((e) => e.path)).not.toContain('sub.dvc');
    expect(walked[0]!.find((e) => e.path === 'link.dvc')!.mode).toBe('120000');
  });

  it('does not look inside directories the filter leaves out', () => {
    const { root, commits } = history();
    const [first] = listTreesAt(root, [commits[0]!], { descend: (d) => d !== '.dvc' && !d.startsWith('x'), wantName });
    expect(first!.map((e) => e.path).sort()).toEqual(['a.dvc', 'link.dvc', 'sp ace ü 数据/é.dvc', 'twin1/t.dvc', 'twin2/t.dvc']);
  });

  it('an unknown commit is a BadRevisionError; no commits, no work', () => {
    const { root } = history();
    expect(caughtSync(() => listTreesAt(root, ['0'.repeat(40)], { descend: () => true, wantName }))).toBeInstanceOf(BadRevisionError);
    expect(listTreesAt(root, [], { descend: () => true, wantName })).toEqual([]);
  });
});
