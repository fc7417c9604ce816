import { describe, expect, it } from 'vitest';
import { gcWarning, parseDay, validateGcScope, type GcScope } from '../../../src/ops/gc-scope.js';

const HEAD = 'This will remove all cache except items used in the workspace';

describe("gc's warning names the scope as DVC does", () => {
  const cases: [GcScope, string][] = [
    [{ workspace: true }, ''],
    [{ allCommits: true, allBranches: true, allTags: true, rev: 'x' }, ' and all git commits'],
    [{ allBranches: true }, ' and all git branches'],
    [{ allTags: true }, ' and all git tags'],
    [{ allBranches: true, allTags: true }, ' and all git branches and tags'],
    [{ allBranches: true, num: 3 }, ' and last 3 commits of all git branches'],
    [{ allBranches: true, allTags: true, num: 3 }, ' and last 3 commits of all git branches and all git tags'],
    [{ rev: 'main' }, ' and last 1 commits from main'],
    [{ rev: 'v2', num: 4, allTags: true }, ' and all git tags and last 4 commits from v2'],
    [{ date: '2024-01-31' }, ' and all git commits on or after date 2024-01-31'],
    [{ allExperiments: true, allCommits: true }, ' and all git commits and all experiments'],
  ];
  it.each(cases)('%o', (scope, middle) => {
    expect(gcWarning(scope, [])).toBe(`${HEAD}${middle} of the current repo.`);
  });

  it('lists the other projects, one per line', () => {
    expect(gcWarning({ workspace: true }, ['/a/one', '/b/two'])).toBe(`${HEAD} of the current and the following repos:\n  - /a/one\n  - /b/two`);
  });
});

describe('gc scope validation', () => {
  it('needs a scope, takes -n only with --rev or -a, and a real day for --date', () => {
    expect(() => validateGcScope({})).toThrow(/Either of `-w\|--workspace`/);
    expect(() => validateGcScope({ workspace: true, num: 2 })).toThrow(/`--num` can only be used/);
    expect(() => validateGcScope({ rev: 'x', num: 0 })).toThrow(/positive/);
    expect(() => validateGcScope({ date: '2023-02-29' })).toThrow(/YYYY-MM-DD/);
    expect(() => validateGcScope({ allBranches: true, num: 2 })).not.toThrow();
    expect(() => validateGcScope({ date: '2024-02-29' })).not.toThrow();
  });

  it('a day is its local midnight', () => {
    expect(parseDay('2024-03-01')).toBe(new Date(2024, 2, 1).getTime() / 1000);
    expect(parseDay('2024-3-1')).toBeUndefined();
  });
});
