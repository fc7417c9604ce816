import { describe, expect, it } from 'vitest';
import { diffJson, diffMarkdown, diffText, statJson, statText } from '../../../src/cli/render/data-diff.js';
import type { DiffResult } from '../../../src/ops/diff.js';
import { diffStat } from '../../../src/ops/diff-stat.js';

const H = (c: string) => c.repeat(32);

/** A diff with one of everything, a renamed directory included, and a non-ASCII name. */
function sample(withMissing: boolean): DiffResult {
  return {
    aRev: 'HEAD',
    bRev: 'workspace',
    noCommits: false,
    added: [{ path: 'd/é.txt', hash: H('a'), output: 'd/', isDir: false, size: 10 }],
    deleted: [{ path: 'm.bin', hash: H('b'), output: 'm.bin', isDir: false, size: 4 }],
    modified: [
      { path: 'd/', old: `${H('1')}.dir`, new: `${H('2')}.dir`, output: 'd/', isDir: true },
      { path: 'd/x', old: H('3'), new: H('4'), output: 'd/', isDir: false, oldSize: 10, newSize: 7 },
    ],
    renamed: [
      { old: 'e/', new: 'f/', hash: `${H('5')}.dir`, output: 'f/', isDir: true },
      { old: 'e/y', new: 'f/y', hash: H('6'), output: 'f/', isDir: false, size: 3 },
    ],
    ...(withMissing ? { notInCache: [{ path: 'd/x', hash: H('3'), output: 'd/', isDir: false }] } : {}),
  };
}

describe('diff rendering (DVC\'s dvc/commands/diff.py)', () => {
  it('groups text by state, in DVC\'s order, and counts files, not directories, in the summary', () => {
    expect(diffText(sample(true))).toBe(
      [
        'Added:',
        '    d/é.txt',
        '',
        'Deleted:',
        '    m.bin',
        '',
        'Renamed:',
        '    e/ -> f/',
        '    e/y -> f/y',
        '',
        'Modified:',
        '    d/',
        '    d/x',
        '',
        'Not in cache:',
        '    d/x',
        '',
        'files summary: 1 added, 1 deleted, 1 renamed, 1 modified, 1 not in cache',
        '',
      ].join('\n'),
    );
    expect(diffText(sample(true), { hideMissing: true })).not.toContain('cache');
    expect(diffText(sample(false))).not.toContain('cache');
  });

  it('shows 8-digit hashes, old..new for a modification', () => {
    const text = diffText(sample(false), { showHash: true });
    expect(text).toContain(`    ${'1'.repeat(8)}..${'2'.repeat(8)}  d/\n`);
    expect(text).toContain(`    ${'5'.repeat(8)}  e/ -> f/\n`);
    expect(diffMarkdown(sample(false), { showHash: true })).toContain(`| renamed  | ${'5'.repeat(8)}           | e/ -> f/   |`);
  });

  it('writes DVC\'s JSON: fixed key order, ASCII-escaped, hashes only with --show-hash', () => {
    expect(diffJson(sample(false))).toBe(
      '{"added": [{"path": "d/\\u00e9.txt"}], "deleted": [{"path": "m.bin"}], "modified": [{"path": "d/"}, {"path": "d/x"}], ' +
        '"renamed": [{"path": {"old": "e/", "new": "f/"}}, {"path": {"old": "e/y", "new": "f/y"}}]}',
    );
    const withHash = JSON.parse(diffJson(sample(true), { showHash: true })) as Record<string, unknown[]>;
    expect(Object.keys(withHash)).toEqual(['added', 'deleted', 'modified', 'renamed', 'not in cache']);
    expect(withHash.modified![1]).toEqual({ path: 'd/x', hash: { old: H('3'), new: H('4') } });
  });

  it('prints nothing, {} or an empty table when nothing changed', () => {
    const none: DiffResult = { aRev: 'HEAD', bRev: 'workspace', noCommits: false, added: [], deleted: [], modified: [], renamed: [], notInCache: [] };
    expect(diffText(none)).toBe('');
    expect(diffJson(none)).toBe('{}');
    expect(diffMarkdown(none)).toBe('| Status   | Path   |\n|----------|--------|\n\n');
    // Only "not in cache" entries, hidden: DVC's dict still has its four lists.
    const onlyMissing = { ...none, notInCache: [{ path: 'a', hash: H('7'), output: 'a', isDir: false }] };
    expect(diffJson(onlyMissing, { hideMissing: true })).toBe('{"added": [], "deleted": [], "modified": [], "renamed": []}');
    expect(diffText(onlyMissing, { hideMissing: true })).toBe('');
  });

  it('sums files and bytes per output for --stat; an unknown size makes the sum unknown', () => {
    const st = diffStat(sample(false));
    expect(statText(st)).toBe(
      ['Output    Added     Deleted    Modified    Renamed', 'd/        1 (10 B)  -          1 (-3 B)    -', 'f/        -         -          -           1', 'm.bin     -         1 (4 B)    -           -', 'Total     1 (10 B)  1 (4 B)    1 (-3 B)    1', ''].join('\n'),
    );
    const unknown = sample(false);
    unknown.added[0]!.size = undefined;
    expect(JSON.parse(statJson(diffStat(unknown))).total.added).toEqual({ bytes: null, files: 1 });
    expect(statText(diffStat(unknown))).toContain('1 (?)');
  });
});
