import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { expectCleanFailure, md5, repo, type RunResult, type Sandbox } from './helpers.js';
import { commit, golden, goldenJson, goldenJsonText, ReferenceSession } from './reference-session.js';

/**
 * Every hash a revision records, by path, read straight from the files (not through trove):
 * pointer files and dvc.lock outputs, and the files of directory outputs from their manifests.
 */
function recordedHashes(s: Sandbox, rev: string): Map<string, string> {
  const hashes = new Map<string, string>();
  for (const file of s.git('ls-tree', '-r', '--name-only', rev).split('\n').filter(Boolean)) {
    const text = s.git('show', `${rev}:${file}`);
    if (file.endsWith('.dvc')) {
      const m = /md5: (\S+)[\s\S]*?path: (\S+)/.exec(text)!;
      hashes.set(m[2]!, m[1]!);
    } else if (path.posix.basename(file) === 'dvc.lock') {
      for (const outs of text.split('\n    outs:\n').slice(1)) {
        for (const m of outs.matchAll(/- path: (\S+)\n {6}hash: md5\n {6}md5: (\S+)/g)) hashes.set(m[1]!, m[2]!);
      }
    }
  }
  for (const [p, h] of [...hashes]) {
    if (!h.endsWith('.dir')) continue;
    const manifest = JSON.parse(s.read(`.dvc/cache/files/md5/${h.slice(0, 2)}/${h.slice(2)}`)) as { md5: string; relpath: string }[];
    for (const e of manifest) hashes.set(`${p}/${e.relpath}`, e.md5);
  }
  return hashes;
}

type GoldenEntry = { path: string | { old: string; new: string }; hash: string | { old: string; new: string } };

/** DVC's hash -> ours, for every entry of a `--show-hash --json` golden between `aRev` and `bRev`. */
function hashMap(s: Sandbox, name: string, aRev: string, bRev: string): Map<string, string> {
  const g = goldenJson(name) as Record<string, GoldenEntry[]>;
  const [a, b] = [recordedHashes(s, aRev), recordedHashes(s, bRev)];
  const key = (p: string) => p.replace(/\/$/, '');
  const map = new Map<string, string>();
  for (const e of g.added!) map.set(e.hash as string, b.get(key(e.path as string))!);
  for (const e of g.deleted!) map.set(e.hash as string, a.get(key(e.path as string))!);
  for (const e of g.modified!) {
    const h = e.hash as { old: string; new: string };
    map.set(h.old, a.get(key(e.path as string))!);
    map.set(h.new, b.get(key(e.path as string))!);
  }
  for (const [theirs, ours] of map) expect(ours, `our hash for DVC's ${theirs}`).toMatch(/^[0-9a-f]{32}(\.dir)?$/);
  return map;
}

function mapHashes(text: string, map: Map<string, string>, digits?: number): string {
  let out = text;
  for (const [theirs, ours] of map) out = out.replaceAll(digits ? theirs.slice(0, digits) : theirs, digits ? ours.slice(0, digits) : ours);
  return out;
}

describe('trove diff on DVC\'s reference session', () => {
  it('prints what DVC printed, byte for byte: workspace, between commits, from the first data commit', () => {
    const r = ReferenceSession.atPipelineV1();
    const s = r.s;
    r.trainLr();
    r.commit('pipeline v2 (lr 0.02)');
    r.prepareSplit();
    r.changeData();
    const ws = s.ok(['diff']);
    expect(ws.stdout).toBe(golden('dvc-diff-workspace.txt'));
    expect(ws.stderr).toBe('');
    expect(s.ok(['diff', '--json']).stdout).toBe(`${goldenJsonText('dvc-diff-workspace.json')}\n`);

    r.recordData();
    expect(s.ok(['diff', 'HEAD~1', 'HEAD']).stdout).toBe(golden('dvc-diff-commits.txt'));
    expect(s.ok(['diff', 'HEAD~1', 'HEAD', '--json']).stdout).toBe(`${goldenJsonText('dvc-diff-commits.json')}\n`);
    expect(s.ok(['diff', '--md', 'HEAD~1', 'HEAD']).stdout).toBe(golden('dvc-diff-commits-md.txt'));
    const map = hashMap(s, 'dvc-diff-commits-show-hash.json', 'HEAD~1', 'HEAD');
    expect(s.ok(['diff', '--show-hash', 'HEAD~1', 'HEAD']).stdout).toBe(mapHashes(golden('dvc-diff-commits-show-hash.txt'), map, 8));
    expect(s.ok(['diff', '--show-hash', '--json', 'HEAD~1', 'HEAD']).stdout).toBe(`${mapHashes(goldenJsonText('dvc-diff-commits-show-hash.json'), map)}\n`);
    expect(s.ok(['diff', 'HEAD~5', 'HEAD']).stdout).toBe(golden('dvc-diff-initial.txt'));
    expect(s.ok(['diff', 'HEAD~5', 'HEAD', '--json']).stdout).toBe(`${goldenJsonText('dvc-diff-initial.json')}\n`);
    // Nothing changed since: DVC prints nothing, `{}` for --json.
    expect(s.ok(['diff']).stdout).toBe('');
    expect(s.ok(['diff', '--json']).stdout).toBe('{}\n');
  });
});

const show = (r: RunResult) => r.stdout;

/**
 * A dataset over four commits: v1 (tagged), v2 on main with a file modified, one renamed, one
 * deleted and one added inside the tracked directory, then a branch `exp` that retrains the model
 * and adds a nested file, and main's own next commit.
 */
function history(): Sandbox {
  const s = repo();
  s.writeAll({ 'data/a.txt': 'a1\n', 'data/b.txt': 'b\n', 'data/sub/c.txt': 'c\n', 'model.bin': 'model 1\n' });
  s.ok(['add', 'data', 'model.bin']);
  commit(s, 'v1');
  s.git('tag', 'v1');
  s.write('data/a.txt', 'a2\n');
  fs.renameSync(s.abs('data/b.txt'), s.abs('data/b-moved.txt'));
  fs.rmSync(s.abs('data/sub/c.txt'));
  s.write('data/d.txt', 'd\n');
  s.ok(['add', 'data']);
  commit(s, 'v2');
  s.git('checkout', '-q', '-b', 'exp');
  s.writeAll({ 'model.bin': 'model 2\n', 'data/sub/e.txt': 'e\n' });
  s.ok(['add', 'data', 'model.bin']);
  commit(s, 'retrain');
  s.git('checkout', '-q', 'main');
  s.ok(['checkout']);
  s.write('data/a.txt', 'a3\n');
  s.ok(['add', 'data']);
  commit(s, 'v3');
  return s;
}

const oidOf = (s: Sandbox, rev: string, dvcFile: string) => /md5: (\S+)/.exec(s.git('show', `${rev}:${dvcFile}`))![1]!;

describe('trove diff between revisions', () => {
  it('lists added, deleted, modified and renamed files inside directories, for tags, branches and expressions', () => {
    const s = history();
    const before = s.git('status', '--porcelain');
    const index = fs.readFileSync(s.abs('.git/index'));
    expect(show(s.ok(['diff', 'v1', 'HEAD~1']))).toBe(
      [
        'Added:',
        '    data/d.txt',
        '',
        'Deleted:',
        '    data/sub/c.txt',
        '',
        'Renamed:',
        '    data/b.txt -> data/b-moved.txt',
        '',
        'Modified:',
        '    data/',
        '    data/a.txt',
        '',
        'files summary: 1 added, 1 deleted, 1 renamed, 1 modified',
        '',
      ].join('\n'),
    );
    expect(show(s.ok(['diff', 'main', 'exp']))).toBe(
      ['Added:', '    data/sub/e.txt', '', 'Modified:', '    data/', '    data/a.txt', '    model.bin', '', 'files summary: 1 added, 2 modified', ''].join('\n'),
    );
    expect(show(s.ok(['diff', 'v1', 'exp', '--json']))).toBe(
      '{"added": [{"path": "data/d.txt"}, {"path": "data/sub/e.txt"}], "deleted": [{"path": "data/sub/c.txt"}], ' +
        '"modified": [{"path": "data/"}, {"path": "data/a.txt"}, {"path": "model.bin"}], "renamed": [{"path": {"old": "data/b.txt", "new": "data/b-moved.txt"}}]}\n',
    );
    const [d1, d2] = [oidOf(s, 'v1', 'data.dvc'), oidOf(s, 'HEAD~1', 'data.dvc')];
    expect(show(s.ok(['diff', '--show-hash', 'v1', 'HEAD~1']))).toBe(
      [
        'Added:',
        `    ${md5('d\n').slice(0, 8)}  data/d.txt`,
        '',
        'Deleted:',
        `    ${md5('c\n').slice(0, 8)}  data/sub/c.txt`,
        '',
        'Renamed:',
        `    ${md5('b\n').slice(0, 8)}  data/b.txt -> data/b-moved.txt`,
        '',
        'Modified:',
        `    ${d1.slice(0, 8)}..${d2.slice(0, 8)}  data/`,
        `    ${md5('a1\n').slice(0, 8)}..${md5('a2\n').slice(0, 8)}  data/a.txt`,
        '',
        'files summary: 1 added, 1 deleted, 1 renamed, 1 modified',
        '',
      ].join('\n'),
    );
    expect(show(s.ok(['diff', '--show-hash', '--json', 'v1', 'HEAD~1']))).toBe(
      `{"added": [{"path": "data/d.txt", "hash": "${md5('d\n')}"}], "deleted": [{"path": "data/sub/c.txt", "hash": "${md5('c\n')}"}], ` +
        `"modified": [{"path": "data/", "hash": {"old": "${d1}", "new": "${d2}"}}, {"path": "data/a.txt", "hash": {"old": "${md5('a1\n')}", "new": "${md5('a2\n')}"}}], ` +
        `"renamed": [{"path": {"old": "data/b.txt", "new": "data/b-moved.txt"}, "hash": "${md5('b\n')}"}]}\n`,
    );
    expect(show(s.ok(['diff', '--md', 'v1', 'HEAD~1']))).toBe(
      [
        '| Status   | Path                           |',
        '|----------|--------------------------------|',
        '| added    | data/d.txt                     |',
        '| deleted  | data/sub/c.txt                 |',
        '| renamed  | data/b.txt -> data/b-moved.txt |',
        '| modified | data/                          |',
        '| modified | data/a.txt                     |',
        '',
        '',
      ].join('\n'),
    );
    expect(show(s.ok(['diff', '--md', '--show-hash', 'main', 'exp']))).toMatch(/^\| Status {3}\| Hash {15}\| Path {11}\|\n\|-{10}\|-{20}\|-{16}\|\n\| added {4}\| [0-9a-f]{8} {11}\| data\/sub\/e\.txt \|\n/);
    // Read through git only: the working tree, the index and HEAD are as they were.
    expect(s.git('status', '--porcelain')).toBe(before);
    expect(fs.readFileSync(s.abs('.git/index')).equals(index)).toBe(true);
    expect(s.git('rev-parse', '--abbrev-ref', 'HEAD').trim()).toBe('main');
  });

  it('limits the comparison to --targets: an output, a path inside one, a pointer file', () => {
    const s = history();
    expect(show(s.ok(['diff', 'v1', 'exp', '--targets', 'data/sub']))).toBe('Added:\n    data/sub/e.txt\n\nDeleted:\n    data/sub/c.txt\n\nfiles summary: 1 added, 1 deleted\n');
    expect(show(s.ok(['diff', 'v1', 'exp', '--targets', 'model.bin.dvc']))).toBe('Modified:\n    model.bin\n\nfiles summary: 1 modified\n');
    expect(show(s.ok(['diff', 'v1', 'exp', '--targets', 'model.bin', 'data/a.txt']))).toBe('Modified:\n    data/a.txt\n    model.bin\n\nfiles summary: 2 modified\n');
    expect(show(s.ok(['diff', 'v1', 'exp', '--targets', 'data', '--json']))).toBe(
      '{"added": [{"path": "data/d.txt"}, {"path": "data/sub/e.txt"}], "deleted": [{"path": "data/sub/c.txt"}], "modified": [{"path": "data/"}, {"path": "data/a.txt"}], ' +
        '"renamed": [{"path": {"old": "data/b.txt", "new": "data/b-moved.txt"}}]}\n',
    );
    // Targets are relative to the current directory; paths shown are relative to the repository root, as DVC's.
    expect(show(s.ok(['diff', 'v1', 'exp', '--targets', 'sub'], { cwd: 'data' }))).toBe('Added:\n    data/sub/e.txt\n\nDeleted:\n    data/sub/c.txt\n\nfiles summary: 1 added, 1 deleted\n');
    // A path that only one side has is fine; one that neither has is an error.
    expect(show(s.ok(['diff', 'v1', 'exp', '--targets', 'data/sub/e.txt']))).toBe('Added:\n    data/sub/e.txt\n\nfiles summary: 1 added\n');
    expectCleanFailure(s.trove(['diff', 'v1', 'exp', '--targets', 'nope.txt']), /'nope\.txt' is not tracked in v1 or in exp/);
    expectCleanFailure(s.trove(['diff', '--targets', '../outside']), /outside of the repository/);
  });

  it('sums files and bytes per output with --stat (text, --md, --json)', () => {
    const s = history();
    expect(show(s.ok(['diff', 'v1', 'exp', '--stat']))).toBe(
      [
        'Output     Added    Deleted    Modified    Renamed',
        'data/      2 (4 B)  1 (2 B)    1 (+0 B)    1',
        'model.bin  -        -          1 (+0 B)    -',
        'Total      2 (4 B)  1 (2 B)    2 (+0 B)    1',
        '',
      ].join('\n'),
    );
    s.write('model.bin', 'a much bigger model than before\n');
    s.ok(['add', 'model.bin']);
    commit(s, 'bigger model');
    expect(show(s.ok(['diff', 'HEAD~1', 'HEAD', '--stat', '--md']))).toBe(
      ['| Output    | Added   | Deleted   | Modified   | Renamed   |', '|-----------|---------|-----------|------------|-----------|', '| model.bin | -       | -         | 1 (+24 B)  | -         |', '', ''].join('\n'),
    );
    expect(JSON.parse(show(s.ok(['diff', 'v1', 'HEAD', '--stat', '--json'])))).toEqual({
      outputs: {
        'data/': { added: { files: 1, bytes: 2 }, deleted: { files: 1, bytes: 2 }, modified: { files: 1, bytes: 0 }, renamed: { files: 1 } },
        'model.bin': { added: { files: 0, bytes: 0 }, deleted: { files: 0, bytes: 0 }, modified: { files: 1, bytes: 24 }, renamed: { files: 0 } },
      },
      total: { added: { files: 1, bytes: 2 }, deleted: { files: 1, bytes: 2 }, modified: { files: 2, bytes: 24 }, renamed: { files: 1 } },
    });
    expect(show(s.ok(['diff', 'HEAD', 'HEAD', '--stat']))).toBe('');
  });

  it('lists a renamed directory output, and its files, as renames', () => {
    const s = history();
    s.ok(['move', 'data', 'dataset']);
    commit(s, 'rename');
    expect(show(s.ok(['diff', 'HEAD~1', 'HEAD']))).toBe(
      ['Renamed:', '    data/ -> dataset/', '    data/a.txt -> dataset/a.txt', '    data/b-moved.txt -> dataset/b-moved.txt', '    data/d.txt -> dataset/d.txt', '', 'files summary: 3 renamed', ''].join('\n'),
    );
  });
});

describe('trove diff against the workspace', () => {
  it('hashes the workspace, reports "not in cache" by default only, and hides it on request', () => {
    const s = history();
    s.write('data/a.txt', 'a4\n');
    s.write('data/new.txt', 'new\n');
    // The committed a.txt's object is gone from the cache: checkout could not bring it back.
    const gone = md5('a3\n');
    fs.rmSync(s.abs(`.dvc/cache/files/md5/${gone.slice(0, 2)}/${gone.slice(2)}`), { force: true });
    expect(show(s.ok(['diff']))).toBe(
      ['Added:', '    data/new.txt', '', 'Modified:', '    data/', '    data/a.txt', '', 'Not in cache:', '    data/a.txt', '', 'files summary: 1 added, 1 modified, 1 not in cache', ''].join('\n'),
    );
    expect(show(s.ok(['diff', '--json', '--show-hash']))).toContain(`"not in cache": [{"path": "data/a.txt", "hash": "${gone}"}]}`);
    expect(show(s.ok(['diff', '--hide-missing']))).toBe(['Added:', '    data/new.txt', '', 'Modified:', '    data/', '    data/a.txt', '', 'files summary: 1 added, 1 modified', ''].join('\n'));
    expect(show(s.ok(['diff', '--md', '--hide-missing']))).not.toContain('not in cache');
    // Naming the workspace as b_rev is comparing two versions: DVC leaves "not in cache" out then.
    expect(show(s.ok(['diff', 'HEAD', 'workspace', '--json']))).toBe('{"added": [{"path": "data/new.txt"}], "deleted": [], "modified": [{"path": "data/"}, {"path": "data/a.txt"}], "renamed": []}\n');
    expect(show(s.ok(['diff', 'v1']))).toMatch(/^Added:\n {4}data\/d\.txt\n {4}data\/new\.txt\n/);
    // A deleted output is listed with its files.
    fs.rmSync(s.abs('model.bin'));
    expect(show(s.ok(['diff', '--targets', 'model.bin']))).toBe('Deleted:\n    model.bin\n\nfiles summary: 1 deleted\n');
  });

  it('does not re-read files whose size, mtime and inode did not change since they were hashed', () => {
    const s = history();
    const past = new Date(1_000_000_000_000);
    fs.utimesSync(s.abs('data/d.txt'), past, past);
    s.write('data/a.txt', 'a4\n');
    expect(show(s.ok(['diff']))).toBe('Modified:\n    data/\n    data/a.txt\n\nfiles summary: 1 modified\n');
    // Same size, same mtime, same inode: the stat-keyed hash index answers, the bytes are not read.
    s.write('data/d.txt', 'x\n');
    fs.utimesSync(s.abs('data/d.txt'), past, past);
    expect(show(s.ok(['diff']))).toBe('Modified:\n    data/\n    data/a.txt\n\nfiles summary: 1 modified\n');
    // A real change (the mtime moves) is seen.
    s.write('data/d.txt', 'y\n');
    expect(show(s.ok(['diff']))).toBe('Modified:\n    data/\n    data/a.txt\n    data/d.txt\n\nfiles summary: 2 modified\n');
  });
});

describe('trove diff: directory manifests the cache lacks', () => {
  /** Two commits of a directory, pushed to a local remote, then the cache emptied. */
  function pushedHistory(): Sandbox {
    const s = repo();
    s.ok(['remote', 'add', '-d', 'store', path.join(s.base, 'store')]);
    s.writeAll({ 'data/a.txt': 'a1\n', 'data/b.txt': 'b\n' });
    s.ok(['add', 'data']);
    s.ok(['push']);
    commit(s, 'one');
    s.writeAll({ 'data/a.txt': 'a2\n', 'data/c.txt': 'c\n' });
    s.ok(['add', 'data']);
    s.ok(['push']);
    commit(s, 'two');
    fs.rmSync(s.cacheDir(), { recursive: true, force: true });
    return s;
  }

  it('fetches them from the default remote, and only them', () => {
    const s = pushedHistory();
    const r = s.ok(['diff', 'HEAD~1', 'HEAD']);
    expect(r.stdout).toBe('Added:\n    data/c.txt\n\nModified:\n    data/\n    data/a.txt\n\nfiles summary: 1 added, 1 modified\n');
    expect(r.stderr).toMatch(/Fetched 2 directory manifests from remote 'store'/);
    expect(s.cacheOids().sort()).toEqual([oidOf(s, 'HEAD~1', 'data.dvc'), oidOf(s, 'HEAD', 'data.dvc')].sort());
    // Now in the cache: no second fetch.
    expect(s.ok(['diff', 'HEAD~1', 'HEAD']).stderr).toBe('');
  });

  it('says so when no remote has them, and compares the directory as a whole', () => {
    const s = pushedHistory();
    s.ok(['remote', 'remove', 'store']);
    const r = s.ok(['diff', 'HEAD~1', 'HEAD']);
    expect(r.stdout).toBe('Modified:\n    data/\n\n');
    expect(r.stderr).toMatch(/WARNING: the files of 'data\/' at HEAD~1 are not compared: its directory object [0-9a-f]{32}\.dir is not in the cache, and no default remote is set to fetch it from/);
    expect(r.stderr).toMatch(/at HEAD are not compared/);
    expectNoStackOrBug(r);
    // A remote that lacks them too.
    s.ok(['remote', 'add', '-d', 'empty', path.join(s.base, 'empty')]);
    fs.mkdirSync(path.join(s.base, 'empty'));
    const e = s.ok(['diff', 'HEAD~1', 'HEAD', '--json']);
    expect(e.stdout).toBe('{"added": [], "deleted": [], "modified": [{"path": "data/"}], "renamed": []}\n');
    expect(e.stderr).toMatch(/remote 'empty' does not have it either/);
  });
});

function expectNoStackOrBug(r: RunResult): void {
  expect(r.stderr).not.toMatch(/^\s+at /m);
  expect(r.stderr).not.toMatch(/this is a bug/);
}

describe('trove diff: bad input and edge cases', () => {
  it('fails cleanly on an unknown revision and on a malformed pointer file at a revision', () => {
    const s = history();
    const bad = s.trove(['diff', 'nope']);
    expectCleanFailure(bad, /unknown git revision 'nope'/);
    expectCleanFailure(s.trove(['diff', 'v1', 'HEAD~99']), /unknown git revision 'HEAD~99'/);
    s.write('model.bin.dvc', 'outs:\n- md5: [oops\n  path: model.bin\n');
    commit(s, 'broken');
    expectCleanFailure(s.trove(['diff', 'HEAD~1', 'HEAD']), /HEAD:model\.bin\.dvc:\d+: malformed YAML/);
  });

  it('fails cleanly on a malformed dvc.lock at a revision', () => {
    const s = repo();
    s.write('dvc.yaml', 'stages:\n  s:\n    cmd: echo 1 > out.txt\n    outs:\n    - out.txt\n');
    s.ok(['repro']);
    commit(s, 'one');
    s.write('dvc.lock', "schema: '2.0'\nstages: [\n");
    commit(s, 'broken lock');
    expectCleanFailure(s.trove(['diff', 'HEAD~1', 'HEAD']), /HEAD:dvc\.lock/);
  });

  it('shows nothing without commits, as DVC, and refuses a --no-scm repository', () => {
    const s = repo();
    s.git('update-ref', '-d', 'refs/heads/main');
    const r = s.ok(['diff']);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/no commits yet/);
    expect(s.ok(['diff', '--json']).stdout).toBe('{}\n');
    expect(s.ok(['diff', '-q']).stderr).toBe('');
    const noScm = repo({ git: false });
    expectCleanFailure(noScm.trove(['diff']), /no git/);
  });

  it('prints an empty table for --md when nothing changed, and nothing for text', () => {
    const s = history();
    expect(show(s.ok(['diff']))).toBe('');
    expect(show(s.ok(['diff', '--md']))).toBe('| Status   | Path   |\n|----------|--------|\n\n');
    expect(show(s.ok(['diff', 'HEAD', 'HEAD', '--json']))).toBe('{}\n');
  });
});
