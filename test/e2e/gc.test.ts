import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { expectCleanFailure, manifestOf, md5, repo, type Sandbox } from './helpers.js';

const DIR = { 'a.txt': 'a\n', 'sub/b.txt': 'b\n' };

/** A workspace whose pointer files use some objects, plus objects nothing uses any more. */
function setup(): { s: Sandbox; used: string[]; unused: string[] } {
  const s = repo();
  s.writeAll({ 'd/a.txt': 'old a\n', 'd/sub/b.txt': 'b\n', 'f.txt': 'old f\n' });
  s.ok(['add', 'd', 'f.txt']);
  const oldDir = manifestOf({ 'a.txt': 'old a\n', 'sub/b.txt': 'b\n' }).oid;
  s.writeAll({ 'd/a.txt': 'a\n', 'f.txt': 'f\n' });
  s.ok(['add', 'd', 'f.txt']);
  const used = [manifestOf(DIR).oid, md5('a\n'), md5('b\n'), md5('f\n')].sort();
  const unused = [oldDir, md5('old a\n'), md5('old f\n')].sort();
  expect(s.cacheOids().sort()).toEqual([...used, ...unused].sort());
  return { s, used, unused };
}

describe('trove gc -w', () => {
  it('--dry lists what would go and changes nothing', () => {
    const { s, unused } = setup();
    const before = s.cacheOids();
    const r = s.ok(['gc', '-w', '--dry']);
    expect(r.stdout).toContain(`Would remove 3 objects`);
    for (const oid of unused) expect(r.stdout).toContain(`\t${oid}\n`);
    expect(r.stdout).toContain("No unused 'legacy' cache to remove.");
    expect(s.cacheOids()).toEqual(before);
    const json = JSON.parse(s.ok(['gc', '-w', '--dry', '--json']).stdout);
    expect(json.dry).toBe(true);
    expect(json.layouts.find((l: { name: string }) => l.name === 'local').removed).toEqual(unused);
  });

  it('-f removes unreferenced objects only (directory entries survive)', () => {
    const { s, used } = setup();
    const r = s.ok(['gc', '-w', '-f']);
    expect(r.stderr).toContain('WARNING: This will remove all cache except items used in the workspace of the current repo.');
    expect(r.stdout).toContain("Removed 3 objects");
    expect(s.cacheOids().sort()).toEqual(used);
    expect(s.ok(['status']).stdout).toBe('Data and pipelines are up to date.\n');
    fs.rmSync(s.abs('d'), { recursive: true });
    s.ok(['checkout']);
    expect(s.read('d/sub/b.txt')).toBe('b\n');
    // Nothing left to do: DVC's message.
    const again = s.ok(['gc', '-w', '-f']);
    expect(again.stdout).toBe("No unused 'local' cache to remove.\nNo unused 'legacy' cache to remove.\n");
  });

  it('keeps objects of pointer files in subdirectories, and of a deleted workspace output', () => {
    const s = repo();
    s.writeAll({ 'deep/er/x.bin': 'x', 'y.bin': 'y' });
    s.ok(['add', 'deep/er/x.bin', 'y.bin']);
    fs.rmSync(s.abs('y.bin'));
    s.ok(['gc', '-w', '-f']);
    expect(s.cacheOids().sort()).toEqual([md5('x'), md5('y')].sort());
  });

  it('without -f and without a terminal it refuses and removes nothing', () => {
    const { s } = setup();
    const before = s.cacheOids();
    const r = s.trove(['gc', '-w']);
    expectCleanFailure(r, /confirmation/);
    expect(r.stderr).toMatch(/-f/);
    expect(s.cacheOids()).toEqual(before);
  });

  it('without a scope it is a usage error', () => {
    const s = repo();
    expectCleanFailure(s.trove(['gc']), /-w/, 2);
  });

  it('refuses to run when a pointer file cannot be read, so nothing is lost', () => {
    const { s } = setup();
    const before = s.cacheOids();
    s.write('broken.dvc', 'outs:\n- md5: [unclosed\n');
    const r = s.trove(['gc', '-w', '-f']);
    expectCleanFailure(r, /broken\.dvc/);
    expect(s.cacheOids()).toEqual(before);
  });

  it('removes stray temp files a killed process left in the cache', () => {
    const { s } = setup();
    const stray = `${s.cacheDir()}/files/md5/.trove-tmp-999999-0-abc-1`;
    fs.writeFileSync(stray, 'partial');
    s.ok(['gc', '-w', '-f']);
    expect(fs.existsSync(stray)).toBe(false);
  });
});
