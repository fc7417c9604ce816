import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { expectCleanFailure, FORMATS, repo, type Sandbox } from './helpers.js';
import { commit, golden, goldenJson, ReferenceSession } from './reference-session.js';

/** metrics.json as DVC's reference train.py writes it (json.dump, indent 2, no newline). */
const metricsJson = (accuracy: number, loss: number, n: number) => JSON.stringify({ accuracy, loss, train: { n } }, null, 2);

describe('trove metrics and params on DVC\'s reference session', () => {
  it('prints what DVC printed, byte for byte, at every step', () => {
    const r = ReferenceSession.atPipelineV1();
    const s = r.s;
    expect(s.read('metrics.json')).toBe(fs.readFileSync(path.join(FORMATS, 'metrics.json.v1'), 'utf8'));
    r.trainLr();
    expect(s.read('metrics.json')).toBe(metricsJson(0.8571, 0.1429, 30));
    expect(s.ok(['params', 'diff']).stdout).toBe(golden('dvc-params-diff.txt'));
    expect(JSON.parse(s.ok(['params', 'diff', '--json']).stdout)).toEqual(goldenJson('dvc-params-diff.json'));
    expect(s.ok(['params', 'diff', '--md']).stdout).toBe(golden('dvc-params-diff-md.txt'));
    expect(s.ok(['metrics', 'show']).stdout).toBe(golden('dvc-metrics-show.txt'));
    expect(s.ok(['metrics', 'show', '--json']).stdout).toBe(`${fs.readFileSync(path.join(FORMATS, 'outputs', 'dvc-metrics-show.json'), 'utf8').trim()}\n`);
    expect(s.ok(['metrics', 'diff']).stdout).toBe(golden('dvc-metrics-diff.txt'));
    expect(JSON.parse(s.ok(['metrics', 'diff', '--json']).stdout)).toEqual(goldenJson('dvc-metrics-diff.json'));
    expect(s.ok(['metrics', 'diff', '--md']).stdout).toBe(golden('dvc-metrics-diff-md.txt'));
    r.commit('pipeline v2 (lr 0.02)');

    expect(s.ok(['params', 'diff', 'HEAD~1', 'HEAD']).stdout).toBe(golden('dvc-params-diff-commits.txt'));
    expect(JSON.parse(s.ok(['params', 'diff', 'HEAD~1', 'HEAD', '--json']).stdout)).toEqual(goldenJson('dvc-params-diff-commits.json'));
    expect(s.ok(['params', 'diff', '--all', 'HEAD~1', 'HEAD']).stdout).toBe(golden('dvc-params-show-all.txt'));

    r.prepareSplit();
    expect(s.read('metrics.json')).toBe(metricsJson(0.8, 0.2, 20));
    r.changeData();
    r.recordData();
    expect(s.read('metrics.json')).toBe(metricsJson(0.8077, 0.1923, 21));

    expect(s.ok(['metrics', 'diff', 'HEAD~2', 'HEAD']).stdout).toBe(golden('dvc-metrics-diff-commits.txt'));
    expect(JSON.parse(s.ok(['metrics', 'diff', 'HEAD~2', 'HEAD', '--json']).stdout)).toEqual(goldenJson('dvc-metrics-diff-commits.json'));

    // -A names commits by full sha: map DVC's shas onto ours, newest first (git log order).
    const ours = s.git('rev-list', 'HEAD').trim().split('\n');
    const theirs = ['3bd13943198047b05e0820a8b3efc91492bb3005', 'a3029ca1ffd454813218a4cd2ef7d4221fd919c5', '5e0736b7f9d0ff7b7038c51dcfa3e75402ac5063', 'afb0f2f43faaf43ae0d860cf4347628d8fa44c7d', '2099e8db227fa92ac17ecf5a52f6ecd5e7eaa03a', '4d4275caf3303ee239962657fd2c2dca34c93a6d', 'f724f3e834f66ea548276cb54370f5fc0e6ed430'];
    expect(ours).toHaveLength(theirs.length);
    const mapShas = (t: string) => theirs.reduce((acc, sha, i) => acc.replaceAll(sha, ours[i]!), t);
    expect(s.ok(['metrics', 'show', '-A']).stdout).toBe(mapShas(golden('dvc-metrics-show-all-commits.txt')));
    const allJson = fs.readFileSync(path.join(FORMATS, 'outputs', 'dvc-metrics-show-all-commits.json'), 'utf8');
    expect(JSON.parse(s.ok(['metrics', 'show', '-A', '--json']).stdout)).toEqual(JSON.parse(mapShas(allJson)));
    // --all is -a -T -A together: every commit, named by sha as -A names them.
    expect(s.ok(['metrics', 'show', '--all']).stdout).toBe(s.ok(['metrics', 'show', '-A']).stdout);
  });
});

/** A repository with one metrics file per format, declared by stages and by a top-level list. */
function formats(): Sandbox {
  const s = repo();
  s.writeAll({
    'dvc.yaml': [
      'metrics:',
      '- eval/scores.toml',
      '- eval/table.csv',
      'stages:',
      '  train:',
      '    cmd: echo train',
      '    params:',
      '    - model.layers.depth',
      '    - opt',
      '    - config.json:',
      '      - batch',
      '    metrics:',
      '    - train.json:',
      '        cache: false',
      '    - nested/summary.yaml:',
      '        cache: false',
      '  test:',
      '    cmd: echo test',
      '    wdir: eval',
      '    metrics:',
      '    - table.tsv:',
      '        cache: false',
      '',
    ].join('\n'),
    'params.yaml': 'model:\n  layers:\n    depth: 4\n    width: 64\nopt:\n  lr: 0.1\n  name: sgd\nseed: 1\n',
    'config.json': '{"batch": 32, "workers": 2}',
    'train.json': '{"loss": 0.5, "acc": {"top1": 0.7, "top5": 0.9}, "epochs": 10, "tags": ["a"], "note": null}',
    'nested/summary.yaml': 'auc: 0.812345678\nok: true\n',
    'eval/scores.toml': 'f1 = 0.6\n[per_class]\ncat = 0.5\ndog = 0.25\n',
    'eval/table.csv': 'precision,recall\n0.75,0.5\n',
    'eval/table.tsv': 'mae\trmse\n1.5\t2\n',
  });
  commit(s, 'v1');
  return s;
}

describe('trove metrics show', () => {
  it('reads JSON, YAML, TOML, CSV and TSV metrics, declared by stages and top-level lists', () => {
    const s = formats();
    const r = s.ok(['metrics', 'show']);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(
      [
        'Path                 acc.top1    acc.top5    auc      epochs    f1    loss    mae    ok    per_class.cat    per_class.dog    precision    recall    rmse',
        'eval/scores.toml     -           -           -        -         0.6   -       -      -     0.5              0.25             -            -         -',
        'eval/table.csv       -           -           -        -         -     -       -      -     -                -                0.75         0.5       -',
        'eval/table.tsv       -           -           -        -         -     -       1.5    -     -                -                -            -         2',
        'nested/summary.yaml  -           -           0.81235  -         -     -       -      True  -                -                -            -         -',
        'train.json           0.7         0.9         -        10        -     0.5     -      -     -                -                -            -         -',
        '',
      ].join('\n'),
    );
  });
});

/** m.json at three commits: v1 (tag), main, and a branch `exp` that adds a metric. */
function history(): Sandbox {
  const s = repo();
  s.writeAll({ 'dvc.yaml': 'metrics:\n- m.json\n', 'm.json': '{"acc": 0.5}' });
  commit(s, 'one');
  s.git('tag', 'v1');
  s.write('m.json', '{"acc": 0.6}');
  commit(s, 'two');
  s.git('checkout', '-q', '-b', 'exp');
  s.write('m.json', '{"acc": 0.7, "loss": 0.1}');
  commit(s, 'three');
  s.git('checkout', '-q', 'main');
  return s;
}

describe('trove metrics show at revisions', () => {
  it('names rows as DVC does and hides a workspace equal to the checked-out branch', () => {
    const s = history();
    expect(s.ok(['metrics', 'show', '-a']).stdout).toBe('Revision    Path    acc    loss\nexp         m.json  0.7    0.1\nmain        m.json  0.6    -\n');
    expect(s.ok(['metrics', 'show', '-T']).stdout).toBe('Revision    Path    acc\nworkspace   m.json  0.6\nv1          m.json  0.5\n');
    expect(s.ok(['metrics', 'show', '--rev', 'HEAD~1', 'exp']).stdout).toBe('Revision    Path    acc    loss\nworkspace   m.json  0.6    -\nHEAD~1      m.json  0.5    -\nexp         m.json  0.7    0.1\n');
    // A branch and a tag on one commit are one row, named by both.
    s.git('tag', 'v2');
    expect(s.ok(['metrics', 'show', '-a', '-T']).stdout).toBe(
      'Revision    Path    acc    loss\nworkspace   m.json  0.6    -\nexp         m.json  0.7    0.1\nmain,v2     m.json  0.6    -\nv1          m.json  0.5    -\n',
    );
    const all = JSON.parse(s.ok(['metrics', 'show', '-A', '--json']).stdout) as Record<string, { data: Record<string, { data: { acc: number } }> }>;
    const shas = s.git('rev-list', '--all').trim().split('\n');
    expect(Object.keys(all).sort()).toEqual(['workspace', ...shas].sort());
    expect(all.workspace!.data['m.json']!.data.acc).toBe(0.6);
    // The workspace shows when it differs from the branch.
    s.write('m.json', '{"acc": 0.65}');
    expect(s.ok(['metrics', 'show', '-a', '--md']).stdout).toBe(
      [
        '| Revision   | Path   | acc   | loss   |',
        '|------------|--------|-------|--------|',
        '| workspace  | m.json | 0.65  | -      |',
        '| exp        | m.json | 0.7   | 0.1    |',
        '| main       | m.json | 0.6   | -      |',
        '',
        '',
      ].join('\n'),
    );
  });

  it('diffs any two revisions, with --all, --no-path, --md and --targets', () => {
    const s = history();
    expect(s.ok(['metrics', 'diff', 'v1', 'exp']).stdout).toBe('Path    Metric    v1    exp    Change\nm.json  acc       0.5   0.7    0.2\nm.json  loss      -     0.1    -\n');
    expect(JSON.parse(s.ok(['metrics', 'diff', 'v1', 'exp', '--json']).stdout)).toEqual({
      'm.json': { acc: { old: 0.5, new: 0.7, diff: 0.19999999999999996 }, loss: { old: null, new: 0.1 } },
    });
    expect(s.ok(['metrics', 'diff']).stdout).toBe('');
    expect(s.ok(['metrics', 'diff', '--all', '--no-path']).stdout).toBe('Metric    HEAD    workspace    Change\nacc       0.6     0.6          0.0\n');
    expect(s.ok(['metrics', 'diff', '--md']).stdout).toBe('| Path   | Metric   | HEAD   | workspace   | Change   |\n|--------|----------|--------|-------------|----------|\n\n');
    // A file that dvc.yaml does not declare.
    s.write('other.yaml', 'x: 1\n');
    expect(s.ok(['metrics', 'diff', '--targets', 'other.yaml']).stdout).toBe(
      'Path        Metric    HEAD    workspace    Change\nother.yaml  x         -       1            -\n',
    );
  });

  it('rounds floats to --precision digits (5 by default, 0 meaning the default), ties to even', () => {
    const s = repo();
    s.writeAll({ 'dvc.yaml': 'metrics:\n- m.yaml\n', 'm.yaml': 'a: 0.123456789\nb: 0.125\nc: 2.675\nd: 3.0\ne: 7\n' });
    expect(s.ok(['metrics', 'show']).stdout).toBe('Path    a        b      c      d    e\nm.yaml  0.12346  0.125  2.675  3.0  7\n');
    expect(s.ok(['metrics', 'show', '--precision', '2']).stdout).toBe('Path    a     b     c     d    e\nm.yaml  0.12  0.12  2.67  3.0  7\n');
    expect(s.ok(['metrics', 'show', '--precision', '0']).stdout).toBe(s.ok(['metrics', 'show']).stdout);
    const bad = s.trove(['metrics', 'show', '--precision', 'x']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--precision.*'x' is invalid/);
  });

  it('shows relative paths from a subdirectory', () => {
    const s = formats();
    const r = s.ok(['metrics', 'show', '--json'], { cwd: 'eval' });
    expect(Object.keys((JSON.parse(r.stdout) as Record<string, { data: object }>)['']!.data).sort()).toEqual(['../nested/summary.yaml', '../train.json', 'scores.toml', 'table.csv', 'table.tsv']);
    expect(s.ok(['metrics', 'show', 'scores.toml'], { cwd: 'eval' }).stdout).toBe('Path         f1    per_class.cat    per_class.dog\nscores.toml  0.6   0.5              0.25\n');
  });
});

describe('trove metrics: bad input', () => {
  it('shows an unreadable file as a row of -, names it and the reason on stderr, and exits 0 as DVC', () => {
    const s = history();
    s.write('m.json', '{"acc": 0.6,,}');
    const r = s.ok(['metrics', 'show']);
    expect(r.stdout).toBe('Path\nm.json\n');
    expect(r.stderr).toMatch(/failed to load some metrics for following revisions: 'workspace'/);
    expect(r.stderr).toMatch(/m\.json:1: malformed JSON/);
    expect(r.stderr).not.toMatch(/^\s+at /m);
    const json = JSON.parse(s.ok(['metrics', 'show', '--json']).stdout) as Record<string, { data: Record<string, { error: { type: string; msg: string } }> }>;
    expect(json['']!.data['m.json']!.error.type).toBe('JSONFileCorruptedError');
    expect(json['']!.data['m.json']!.error.msg).toMatch(/m\.json:1: malformed JSON/);
    const d = s.ok(['metrics', 'diff']);
    expect(d.stdout).toBe('Path    Metric    HEAD    workspace    Change\nm.json  acc       0.6     -            -\n');
    expect(d.stderr).toMatch(/m\.json:1: malformed JSON/);
  });

  it('refuses a CSV with more than one row of values, and names a missing target', () => {
    const s = repo();
    s.writeAll({ 'dvc.yaml': 'metrics:\n- t.csv\n', 't.csv': 'a,b\n1,2\n3,4\n' });
    const r = s.ok(['metrics', 'show']);
    expect(r.stdout).toBe('Path\nt.csv\n');
    expect(r.stderr).toMatch(/t\.csv: a metrics table needs a header row and exactly one row of values, found 2/);
    expect(s.ok(['metrics', 'show', 'nope.json']).stderr).toMatch(/'nope\.json' does not exist/);
  });

  it('reports an invalid dvc.yaml at one revision and goes on with the others', () => {
    const s = history();
    s.write('dvc.yaml', 'metrics: [m.json\n');
    commit(s, 'broken');
    const r = s.ok(['metrics', 'show', '-A']);
    expect(r.stderr).toMatch(/failed to load some metrics for following revisions: 'workspace, [0-9a-f]{40}'/);
    expect(r.stderr).toMatch(/dvc\.yaml/);
    expect(r.stdout).toMatch(/^Revision +Path +acc +loss\n/);
    expect(r.stdout.split('\n').filter((l) => l.includes('m.json'))).toHaveLength(3);
  });

  it('fails cleanly on an unknown revision', () => {
    const s = history();
    expectCleanFailure(s.trove(['metrics', 'diff', 'nope']), /unknown git revision 'nope'/);
    expectCleanFailure(s.trove(['params', 'diff', 'HEAD', 'nope']), /unknown git revision 'nope'/);
    expectCleanFailure(s.trove(['metrics', 'show', '--rev', 'nope']), /unknown git revision 'nope'/);
  });
});

describe('trove params diff', () => {
  it('compares tracked params, nested keys and whole params.yaml, in YAML, JSON, TOML and Python', () => {
    const s = formats();
    s.write('hp.py', 'LR = 0.1\nclass Net:\n    depth = 3\n    layers = [1, 2]\n');
    s.write('opt.toml', '[sched]\nwarmup = 10\n');
    s.write('dvc.yaml', s.read('dvc.yaml').replace("    - config.json:\n      - batch\n", "    - config.json:\n      - batch\n    - hp.py:\n      - Net\n    - opt.toml:\n      - sched.warmup\n"));
    commit(s, 'more params');
    s.write('params.yaml', 'model:\n  layers:\n    depth: 8\n    width: 128\nopt:\n  lr: 0.05\n  name: sgd\nseed: 1\n');
    s.write('config.json', '{"batch": 64, "workers": 4}');
    s.write('hp.py', 'LR = 0.2\nclass Net:\n    depth = 3\n    layers = [1, 2, 3]\n');
    s.write('opt.toml', '[sched]\nwarmup = 20.0\n');
    expect(s.ok(['params', 'diff']).stdout).toBe(
      [
        'Path         Param               HEAD    workspace',
        'config.json  batch               32      64',
        'hp.py        Net.layers          [1, 2]  [1, 2, 3]',
        'opt.toml     sched.warmup        10      20.0',
        'params.yaml  model.layers.depth  4       8',
        'params.yaml  model.layers.width  64      128',
        'params.yaml  opt.lr              0.1     0.05',
        '',
      ].join('\n'),
    );
    expect(s.ok(['params', 'diff', '--json']).stdout).toBe(
      '{"config.json": {"batch": {"diff": 32, "new": 64, "old": 32}}, "hp.py": {"Net.layers": {"new": "[1, 2, 3]", "old": "[1, 2]"}}, ' +
        '"opt.toml": {"sched.warmup": {"diff": 10.0, "new": 20.0, "old": 10}}, "params.yaml": {"model.layers.depth": {"diff": 4, "new": 8, "old": 4}, ' +
        '"model.layers.width": {"diff": 64, "new": 128, "old": 64}, "opt.lr": {"diff": -0.05, "new": 0.05, "old": 0.1}}}\n',
    );
    // --deps: only what stages depend on (model.layers.depth, opt, batch); --targets: whole files.
    expect(s.ok(['params', 'diff', '--deps', '--no-path']).stdout).toBe(
      'Param               HEAD    workspace\nbatch               32      64\nNet.layers          [1, 2]  [1, 2, 3]\nsched.warmup        10      20.0\nmodel.layers.depth  4       8\nopt.lr              0.1     0.05\n',
    );
    expect(s.ok(['params', 'diff', '--targets', 'config.json', '--md']).stdout).toBe(
      '| Path        | Param   | HEAD   | workspace   |\n|-------------|---------|--------|-------------|\n| config.json | batch   | 32     | 64          |\n| config.json | workers | 2      | 4           |\n\n',
    );
    expect(s.ok(['params', 'diff', '--targets', 'config.json', '--deps']).stdout).toBe(s.ok(['params', 'diff', '--deps']).stdout);
    // Between commits, with unchanged params.
    commit(s, 'new params');
    expect(s.ok(['params', 'diff', 'HEAD~1', 'HEAD', '--all', '--targets', 'hp.py']).stdout).toBe(
      'Path    Param       HEAD~1    HEAD\nhp.py   LR          0.1       0.2\nhp.py   Net.depth   3         3\nhp.py   Net.layers  [1, 2]    [1, 2, 3]\n',
    );
  });

  it('reads params and vars files of a revision from git, not from the workspace', () => {
    const s = repo();
    s.writeAll({
      'dvc.yaml': 'vars:\n- vars.yaml\nstages:\n  train:\n    cmd: echo ${lr}\n    params:\n    - ${file}:\n      - lr\n',
      'vars.yaml': 'lr: 1\nfile: a.yaml\n',
      'a.yaml': 'lr: 0.1\n',
    });
    commit(s, 'a');
    s.writeAll({ 'vars.yaml': 'lr: 1\nfile: b.yaml\n', 'b.yaml': 'lr: 0.3\n' });
    fs.rmSync(s.abs('a.yaml'));
    expect(s.ok(['params', 'diff']).stdout).toBe('Path    Param    HEAD    workspace\na.yaml  lr       0.1     -\nb.yaml  lr       -       0.3\n');
    expect(s.git('status', '--porcelain')).toBe(' D a.yaml\n M vars.yaml\n?? b.yaml\n');
  });
});

describe('trove metrics: cached metrics', () => {
  it('reads a metric that only the cache holds at a revision (cache: true, recorded in dvc.lock)', () => {
    const s = repo();
    s.write('dvc.yaml', 'stages:\n  train:\n    cmd: >-\n      echo \'{"acc": 0.5}\' > m.json\n    metrics:\n    - m.json\n');
    s.ok(['repro']);
    commit(s, 'trained');
    expect(s.git('ls-files')).not.toMatch(/^m\.json$/m);
    s.write('m.json', '{"acc": 0.75}');
    expect(s.ok(['metrics', 'diff']).stdout).toBe('Path    Metric    HEAD    workspace    Change\nm.json  acc       0.5     0.75         0.25\n');
    expect(s.ok(['metrics', 'show', '-a']).stdout).toBe('Revision    Path    acc\nworkspace   m.json  0.75\nmain        m.json  0.5\n');
  });
});
