/**
 * gc over git history: for every scope, what any commit of the scope (or the workspace) uses
 * stays, and everything else goes. One history, copied for each test:
 *
 *   init ── c1 (tag v1) ── c2 ── c3 (main)        workspace: f.txt changed, not committed
 *                            └── s1 (side)          refs/exps/..: e1 on top of c3
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectCleanFailure, manifestOf, md5, Sandbox } from './helpers.js';

const D1 = manifestOf({ 'a.txt': 'a1\n', 'b.txt': 'b1\n' }).oid;
const D2 = manifestOf({ 'a.txt': 'a2\n', 'b.txt': 'b1\n' }).oid;
const D3 = manifestOf({ 'a.txt': 'a2\n', 'b.txt': 'b3\n' }).oid;
const [a1, b1, a2, b3] = ['a1\n', 'b1\n', 'a2\n', 'b3\n'].map(md5) as [string, string, string, string];
const [f1, f2, fs1, fe, fw, g] = ['f1\n', 'f2\n', 'fs\n', 'fe\n', 'fw\n', 'g\n'].map(md5) as [string, string, string, string, string, string];

const C1 = [D1, a1, b1, f1];
const C2 = [D2, a2, b1, f2];
const S1 = [D2, a2, b1, fs1];
const C3 = [D3, a2, b3, f2];
const E1 = [D3, a2, b3, fe];
const WS = [D3, a2, b3, fw];
const ALL = [...new Set([...C1, ...C2, ...S1, ...C3, ...E1, ...WS, g])].sort();

let fixture: Sandbox;
const shas: Record<string, string> = {};

function commitAt(s: Sandbox, date: string, msg: string): string {
  const env = { ...s.env, GIT_COMMITTER_DATE: date, GIT_AUTHOR_DATE: date };
  for (const args of [['add', '-A'], ['commit', '-qm', msg]]) {
    const r = spawnSync('git', args, { cwd: s.root, env, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(r.stderr);
  }
  return s.git('rev-parse', 'HEAD').trim();
}

beforeAll(() => {
  const s = new Sandbox({ init: true, template: true });
  const state = (files: Record<string, string>) => {
    s.writeAll(files);
    s.ok(['add', 'd', 'f.txt']);
  };
  state({ 'd/a.txt': 'a1\n', 'd/b.txt': 'b1\n', 'f.txt': 'f1\n' });
  shas.c1 = commitAt(s, '2020-01-01T12:00:00', 'c1');
  s.git('tag', 'v1');
  state({ 'd/a.txt': 'a2\n', 'f.txt': 'f2\n' });
  shas.c2 = commitAt(s, '2021-06-01T12:00:00', 'c2');
  s.git('checkout', '-q', '-b', 'side');
  state({ 'f.txt': 'fs\n' });
  shas.s1 = commitAt(s, '2021-07-01T12:00:00', 's1');
  s.git('checkout', '-q', 'main');
  s.ok(['checkout', '-q']);
  state({ 'd/b.txt': 'b3\n' });
  shas.c3 = commitAt(s, '2022-01-01T12:00:00', 'c3');
  // An experiment, stored as DVC stores them: a ref under refs/exps/<baseline[:2]>/<baseline[2:]>/.
  s.git('checkout', '-q', '-b', 'tmp-exp');
  state({ 'f.txt': 'fe\n' });
  shas.e1 = commitAt(s, '2022-02-01T12:00:00', 'e1');
  s.git('update-ref', `refs/exps/${shas.c3.slice(0, 2)}/${shas.c3.slice(2)}/exp-1`, shas.e1);
  s.git('checkout', '-q', 'main');
  s.git('branch', '-q', '-D', 'tmp-exp');
  s.ok(['checkout', '-q']);
  // Uncommitted work, and an object nothing names any more.
  state({ 'f.txt': 'fw\n' });
  s.write('g.txt', 'g\n');
  s.ok(['add', 'g.txt']);
  fs.rmSync(s.abs('g.txt.dvc'));
  fs.rmSync(s.abs('g.txt'));
  expect(s.cacheOids().sort()).toEqual(ALL);
  fixture = s;
});

afterAll(() => fixture?.cleanup());

/** A fresh copy of the history. */
function history(): Sandbox {
  const s = new Sandbox({ git: false });
  fs.cpSync(fixture.root, s.root, { recursive: true });
  return s;
}

function sorted(oids: string[]): string[] {
  return [...new Set(oids)].sort();
}

const SCOPES: { flags: string[]; keep: string[]; warning: string }[] = [
  { flags: ['-w'], keep: WS, warning: 'the workspace of the current repo.' },
  { flags: ['-a'], keep: [...WS, ...C3, ...S1], warning: 'the workspace and all git branches of the current repo.' },
  { flags: ['-T'], keep: [...WS, ...C1], warning: 'the workspace and all git tags of the current repo.' },
  { flags: ['-a', '-T'], keep: [...WS, ...C3, ...S1, ...C1], warning: 'the workspace and all git branches and tags of the current repo.' },
  { flags: ['-A'], keep: [...WS, ...C1, ...C2, ...S1, ...C3], warning: 'the workspace and all git commits of the current repo.' },
  { flags: ['--rev', 'main'], keep: [...WS, ...C3], warning: 'the workspace and last 1 commits from main of the current repo.' },
  { flags: ['--rev', 'main', '-n', '2'], keep: [...WS, ...C3, ...C2], warning: 'the workspace and last 2 commits from main of the current repo.' },
  { flags: ['--rev', 'side', '-n', '9'], keep: [...WS, ...S1, ...C2, ...C1], warning: 'the workspace and last 9 commits from side of the current repo.' },
  { flags: ['-a', '-n', '2'], keep: [...WS, ...C3, ...C2, ...S1], warning: 'the workspace and last 2 commits of all git branches of the current repo.' },
  { flags: ['--date', '2021-06-01'], keep: [...WS, ...C2, ...S1, ...C3], warning: 'the workspace and all git commits on or after date 2021-06-01 of the current repo.' },
  { flags: ['--all-experiments'], keep: [...WS, ...E1, ...C3], warning: 'the workspace and all experiments of the current repo.' },
];

describe('trove gc over git history', () => {
  it.each(SCOPES)('gc $flags keeps what its commits and the workspace use, and nothing else', ({ flags, keep, warning }) => {
    const s = history();
    const expectedGone = ALL.filter((o) => !keep.includes(o));
    // --dry: the plan, and nothing changes.
    const dry = JSON.parse(s.ok(['gc', ...flags, '--dry', '--json']).stdout);
    expect(dry.dry).toBe(true);
    expect(dry.layouts[0].removed).toEqual(expectedGone);
    expect(dry.kept).toBe(sorted(keep).length);
    expect(s.cacheOids().sort()).toEqual(ALL);

    const r = s.ok(['gc', ...flags, '-f']);
    expect(r.stderr).toBe(`WARNING: This will remove all cache except items used in ${warning}\n`);
    expect(r.stdout).toMatch(new RegExp(`^Removed ${expectedGone.length} objects \\(\\d+ B\\) from 'local' cache\\.\nNo unused 'legacy' cache to remove\\.\n$`));
    expect(s.cacheOids().sort()).toEqual(sorted(keep));
    // Nothing left to do in the same scope.
    expect(s.ok(['gc', ...flags, '-f']).stdout).toBe("No unused 'local' cache to remove.\nNo unused 'legacy' cache to remove.\n");
  });

  it('every commit -A kept can be checked out again', () => {
    const s = history();
    s.ok(['gc', '-A', '-f']);
    for (const rev of ['v1', shas.c2!, 'side', 'main']) {
      s.git('checkout', '-q', '-f', rev);
      fs.rmSync(s.abs('d'), { recursive: true, force: true });
      s.ok(['checkout', '-q', '-f']);
      expect(s.ok(['status']).stdout).toBe('Data and pipelines are up to date.\n');
    }
  });

  it('--json reports the commits read and the layouts', () => {
    const s = history();
    const json = JSON.parse(s.ok(['gc', '-a', '-T', '-f', '--json']).stdout);
    expect(Object.keys(json)).toEqual(['aborted', 'dry', 'kept', 'layouts', 'missingManifests', 'projects', 'remote', 'revisions']);
    expect(json.revisions).toBe(3); // main, side, v1
    expect(json.remote).toBeNull();
    expect(json.missingManifests).toEqual([]);
    expect(json.layouts.map((l: { name: string }) => l.name)).toEqual(['local', 'legacy']);
    expect(json.layouts[0].removed).toEqual(sorted([D2, f2, fe, g].filter((o) => ![...WS, ...C3, ...S1, ...C1].includes(o))));
  });

  it('without a scope it refuses with DVC\'s message; -n without --rev, a bad date and an unknown rev are refused too', () => {
    const s = history();
    const none = s.trove(['gc']);
    expectCleanFailure(none, undefined, 2);
    expect(none.stderr.split('\n')[0]).toBe(
      'ERROR: Either of `-w|--workspace`, `-a|--all-branches`, `-T|--all-tags` `--all-experiments`, `--all-commits`, `--date` or `--rev` needs to be set.',
    );
    expectCleanFailure(s.trove(['gc', '-w', '-n', '2']), /`--num` can only be used alongside `--rev` or `--all-branches`/, 2);
    expectCleanFailure(s.trove(['gc', '--rev', 'main', '-n', '0']), /positive whole number/, 2);
    expectCleanFailure(s.trove(['gc', '--date', '2021-13-01']), /YYYY-MM-DD/, 2);
    expectCleanFailure(s.trove(['gc', '--date', 'yesterday']), /YYYY-MM-DD/, 2);
    expectCleanFailure(s.trove(['gc', '-w', '-r', 'x']), /`--remote` requires `--cloud`/, 2);
    expectCleanFailure(s.trove(['gc', '--rev', 'nosuch', '-f']), /unknown git revision 'nosuch'/);
    expect(s.cacheOids().sort()).toEqual(ALL);
  });

  it('a commit whose pointer file cannot be read stops gc; scopes without that commit still run', () => {
    const s = history();
    s.write('broken.dvc', 'outs:\n- md5: [unclosed\n');
    const bad = commitAt(s, '2022-03-01T12:00:00', 'broken');
    fs.rmSync(s.abs('broken.dvc'));
    commitAt(s, '2022-03-02T12:00:00', 'fixed');
    const r = s.trove(['gc', '-A', '-f']);
    expectCleanFailure(r, new RegExp(`${bad.slice(0, 7)}:broken\\.dvc:\\d+: malformed YAML`));
    expect(s.cacheOids().sort()).toEqual(ALL);
    expectCleanFailure(s.trove(['gc', '--rev', 'main', '-n', '2', '--dry']), /broken\.dvc/);
    // The commit before it is not affected.
    s.ok(['gc', '--rev', 'main~2', '-f']);
  });

  it('a malformed dvc.lock at a commit stops gc too', () => {
    const s = history();
    s.write('dvc.lock', 'schema: "2.0"\nstages: [\n');
    commitAt(s, '2022-03-01T12:00:00', 'bad lock');
    fs.rmSync(s.abs('dvc.lock'));
    commitAt(s, '2022-03-02T12:00:00', 'lock removed');
    expectCleanFailure(s.trove(['gc', '-A', '-f']), /dvc\.lock/);
    expect(s.cacheOids().sort()).toEqual(ALL);
  });

  it('a directory whose manifest is gone from the cache is warned about (its files cannot be kept)', () => {
    const s = history();
    fs.rmSync(s.abs(`.dvc/cache/files/md5/${D1.slice(0, 2)}/${D1.slice(2)}`));
    const r = s.ok(['gc', '-T', '-f']);
    expect(r.stderr).toContain(`WARNING: Missing cache for directory 'd' (at ${shas.c1!.slice(0, 7)}). Cache for files inside will be lost`);
    // a1 was only in v1's directory: without the manifest nothing says it is needed.
    expect(s.cacheOids()).not.toContain(a1);
    expect(s.cacheOids()).toContain(f1);
    const json = JSON.parse(s.ok(['gc', '-T', '--dry', '--json']).stdout);
    expect(json.missingManifests).toEqual([{ md5: D1, path: 'd', rev: shas.c1 }]);
  });

  it('a manifest missing from the cache is read from the default remote, so its files stay', () => {
    const s = history();
    const remote = `${s.base}/remote`;
    s.ok(['remote', 'add', '-d', 'store', remote]);
    s.ok(['push', '-T', '-q']);
    fs.rmSync(s.abs(`.dvc/cache/files/md5/${D1.slice(0, 2)}/${D1.slice(2)}`));
    const r = s.ok(['gc', '-T', '-f']);
    expect(r.stderr).not.toContain('Missing cache');
    expect(s.cacheOids()).toContain(a1);
    expect(s.cacheOids()).toContain(b1);
  });

  it('outputs of stages (dvc.lock) at each commit are kept, and the run-cache is left alone', () => {
    const s = history();
    s.write('in.txt', 'one\n');
    s.ok(['stage', 'add', '-n', 'copy', '-d', 'in.txt', '-o', 'out.txt', 'cp in.txt out.txt']);
    s.ok(['repro', '-q']);
    commitAt(s, '2022-04-01T12:00:00', 'stage v1');
    s.write('in.txt', 'two\n');
    s.ok(['repro', '-q']);
    commitAt(s, '2022-04-02T12:00:00', 'stage v2');
    const runs = fs.readdirSync(s.abs('.dvc/cache/runs'), { recursive: true }).map(String).sort();
    expect(runs.length).toBeGreaterThan(0);
    s.ok(['gc', '--rev', 'HEAD', '-n', '2', '-f']);
    expect(s.cacheOids()).toEqual(expect.arrayContaining([md5('one\n'), md5('two\n')]));
    s.ok(['gc', '-w', '-f']);
    expect(s.cacheOids()).toContain(md5('two\n'));
    expect(s.cacheOids()).not.toContain(md5('one\n'));
    expect(fs.readdirSync(s.abs('.dvc/cache/runs'), { recursive: true }).map(String).sort()).toEqual(runs);
  });

  it('DVC 2 (legacy) objects are kept for the commits that name them', () => {
    const s = history();
    const text = 'legacy\n';
    const oid = md5(text);
    const legacyPath = s.abs(`.dvc/cache/${oid.slice(0, 2)}/${oid.slice(2)}`);
    fs.mkdirSync(legacyPath.replace(/\/[^/]+$/, ''), { recursive: true });
    fs.writeFileSync(legacyPath, text, { mode: 0o444 });
    s.write('old.txt.dvc', `outs:\n- md5: ${oid}\n  size: ${text.length}\n  path: old.txt\n`);
    commitAt(s, '2022-05-01T12:00:00', 'dvc 2 file');
    fs.rmSync(s.abs('old.txt.dvc'));
    commitAt(s, '2022-05-02T12:00:00', 'dvc 2 file gone');
    const dry = JSON.parse(s.ok(['gc', '-A', '--dry', '--json']).stdout);
    expect(dry.layouts[1]).toEqual({ bytes: 0, name: 'legacy', removed: [] });
    const r = s.ok(['gc', '-w', '-f']);
    expect(r.stdout).toMatch(/Removed 1 object \(7 B\) from 'legacy' cache\./);
    expect(fs.existsSync(legacyPath)).toBe(false);
  });

  it('a gc killed half-way leaves a cache that works, and the next gc finishes the job', () => {
    const s = history();
    const r = s.trove(['gc', '-w', '-f'], { env: { TROVE_FAULT_GC_KILL_AFTER: '3' } });
    expect(r.signal).toBe('SIGKILL');
    const left = s.cacheOids();
    expect(left.length).toBe(ALL.length - 3);
    // Manifests went first: no manifest is left whose files are gone.
    expect(left.filter((o) => o.endsWith('.dir'))).toEqual([D3]);
    fs.rmSync(s.abs('d'), { recursive: true });
    s.ok(['checkout', '-q']);
    expect(s.ok(['status']).stdout).toBe('Data and pipelines are up to date.\n');
    s.ok(['gc', '-w', '-f']);
    expect(s.cacheOids().sort()).toEqual(sorted(WS));
  });

  it('waits for, then refuses, a repository another command holds', () => {
    const s = history();
    const holder = s.spawnProcess(process.execPath, ['-e', 'setTimeout(() => {}, 60000)']);
    s.write('.dvc/tmp/lock', JSON.stringify({ pid: holder.pid, command: 'add' }));
    const r = s.trove(['gc', '-w', '-f'], { env: { TROVE_LOCK_WAIT_MS: '100' } });
    expectCleanFailure(r, new RegExp(`locked by process ${holder.pid}`));
    expect(s.cacheOids().sort()).toEqual(ALL);
  });
});
