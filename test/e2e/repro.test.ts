/**
 * trove repro and pipeline status end to end, on DVC's reference pipeline (prepare -> train, see
 * fixtures/dvc-formats/dvc.yaml) with shell scripts in place of its Python ones, checked against
 * what DVC printed and wrote for the same session (outputs/dvc-repro-*, dvc-status-*, dvc.lock.v*).
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { expectCleanFailure, FORMATS, manifestOf, md5, md5File, repo, type RunResult, type Sandbox } from './helpers.js';

/** What DVC printed for a golden command: the lines between `$ command` and `[exit N]`. */
function dvcOutput(name: string): string {
  const lines = fs.readFileSync(path.join(FORMATS, 'outputs', name), 'utf8').split('\n');
  return `${lines.slice(1, lines.findIndex((l) => /^\[exit \d+\]$/.test(l))).join('\n')}\n`;
}

/** DVC's `--json` stdout for a golden command, its Python scripts named as ours. */
function dvcJson(name: string): unknown {
  return JSON.parse(fs.readFileSync(path.join(FORMATS, 'outputs', name), 'utf8').replace(/(prepare|train)\.py"/g, '$1.sh"'));
}

function golden(name: string): string {
  return fs.readFileSync(path.join(FORMATS, name), 'utf8');
}

/**
 * The stdout DVC's repro golden implies for trove: the script names ours, the git hint (stderr in
 * trove) cut off, and each "Running stage 'x':" followed by the reason trove gives.
 */
function expectedRepro(name: string, reasons: Record<string, string>): string {
  let text = dvcOutput(name).split('\nTo track the changes with git')[0]!.trimEnd();
  text = text.replaceAll('python3 prepare.py', 'sh prepare.sh').replaceAll('python3 train.py', 'sh train.sh');
  for (const [stage, reason] of Object.entries(reasons)) text = text.replace(`Running stage '${stage}':`, `Running stage '${stage}': ${reason}`);
  expect(text).not.toMatch(/Running stage '[^']+':\n/); // every stage that ran got its reason
  return `${text}\n`;
}

/** A lock file with hashes and sizes masked, and the golden's Python scripts named as ours. */
function lockShape(text: string): string {
  return text
    .replaceAll('prepare.py', 'prepare.sh')
    .replaceAll('train.py', 'train.sh')
    .replaceAll('python3 ', 'sh ')
    .replace(/md5: [0-9a-f]{32}/g, 'md5: <md5>')
    .replace(/size: \d+/g, 'size: <n>');
}

/** A stage's block of a lock file (its name line and everything indented under it). */
function lockEntry(lock: string, stage: string): string {
  const m = new RegExp(`^  ${stage.replace(/[@.]/g, '\\$&')}:\\n(?:    .*\\n|    .*$)*`, 'm').exec(lock);
  if (!m) throw new Error(`no entry for ${stage} in\n${lock}`);
  return m[0];
}

/** Stage names of a lock file, in file order. */
function lockStages(lock: string): string[] {
  return [...lock.matchAll(/^ {2}(\S+):$/gm)].map((m) => m[1]!);
}

/** DVC's prepare.py, in sh: splits data.csv's rows by prepare.split into prepared/{train,test}.csv. */
const PREPARE_SH = `split=$(sed -n 's/^  split: //p' params.yaml)
seed=$(sed -n 's/^  seed: //p' params.yaml)
total=$(($(wc -l < data.csv) - 1))
ntrain=$(awk -v t="$total" -v s="$split" 'BEGIN { print int(t * (1 - s)) }')
mkdir -p prepared
head -n 1 data.csv > prepared/train.csv
tail -n +2 data.csv | head -n "$ntrain" >> prepared/train.csv
head -n 1 data.csv > prepared/test.csv
tail -n +$((ntrain + 2)) data.csv >> prepared/test.csv
echo "prepare: split $split seed $seed"
`;

/** DVC's train.py, in sh: a model and metrics from the training rows and the train params. */
const TRAIN_SH = `lr=$(sed -n 's/^  lr: //p' params.yaml)
epochs=$(sed -n 's/^  epochs: //p' params.yaml)
n=$(($(wc -l < prepared/train.csv) - 1))
printf 'model lr=%s epochs=%s n=%s\\n' "$lr" "$epochs" "$n" > model.bin
printf '{\\n  "accuracy": 0.75,\\n  "lr": %s,\\n  "train": {\\n    "n": %s\\n  }\\n}' "$lr" "$n" > metrics.json
echo "train: lr $lr epochs $epochs n $n"
`;

const PIPELINE = golden('dvc.yaml').replaceAll('python3 prepare.py', 'sh prepare.sh').replaceAll('python3 train.py', 'sh train.sh').replaceAll('.py', '.sh');

function rows(n: number, from = 0): string {
  return `x,y\n${Array.from({ length: n }, (_, i) => `${i + from},${(i + from) * 2}\n`).join('')}`;
}

/** DVC's reference repository at step 5 of its session: data.csv and images added and committed, the pipeline written. */
function reference(): Sandbox {
  const s = repo();
  s.writeAll({ 'data.csv': rows(40), 'images/img0.bin': 'img0', 'images/sub/note.txt': 'note\n' });
  s.ok(['add', 'data.csv', 'images']);
  s.writeAll({ 'dvc.yaml': PIPELINE, 'params.yaml': golden('params.yaml.v1'), 'prepare.sh': PREPARE_SH, 'train.sh': TRAIN_SH });
  s.git('add', '-A');
  s.git('commit', '-q', '-m', 'data and pipeline');
  return s;
}

function statusJson(s: Sandbox): unknown {
  return JSON.parse(s.ok(['status', '--json']).stdout);
}

/** Status text as a multiset of lines: DVC's stage and path order is not stable. */
function lines(text: string): string[] {
  return text.split('\n').filter(Boolean).sort();
}

function ranStages(r: RunResult): string[] {
  return [...r.stdout.matchAll(/^Running stage '([^']+)'/gm)].map((m) => m[1]!);
}

describe("DVC's reference pipeline, step by step as in DVC's session", () => {
  it('status before the first repro, then each repro prints, locks and ignores what DVC does', () => {
    const s = reference();

    // Before the first repro (DVC's key order is random: compare as objects / sets of lines).
    expect(statusJson(s)).toEqual(dvcJson('dvc-status-pipeline-before-repro.json'));
    const before = s.ok(['status']);
    expect(lines(before.stdout)).toEqual(lines(dvcOutput('dvc-status-pipeline-before-repro.txt').replaceAll('.py', '.sh')));

    // 1. The first repro runs both stages.
    const r1 = s.ok(['repro']);
    expect(r1.stdout).toBe(expectedRepro('dvc-repro-1.txt', { prepare: 'it has no entry in dvc.lock yet', train: 'it has no entry in dvc.lock yet' }));
    expect(r1.stderr).toContain('To track the changes with git, run:\n\n\tgit add .gitignore dvc.lock\n');
    const v1 = s.read('dvc.lock');
    expect(lockShape(v1)).toBe(lockShape(golden('dvc.lock.v1')));
    // The hashes are the files': prepared is a tree, train's dependency on it is prepare's output.
    const prepared = manifestOf({ 'test.csv': s.read('prepared/test.csv'), 'train.csv': s.read('prepared/train.csv') });
    expect(v1).toContain(`    - path: data.csv\n      hash: md5\n      md5: ${md5File(s.abs('data.csv'))}\n      size: ${rows(40).length}\n`);
    expect(lockEntry(v1, 'prepare')).toContain(`    - path: prepared\n      hash: md5\n      md5: ${prepared.oid}\n`);
    expect(lockEntry(v1, 'train')).toContain(`    - path: prepared\n      hash: md5\n      md5: ${prepared.oid}\n`);
    expect(lockEntry(v1, 'train')).toContain(`    - path: metrics.json\n      hash: md5\n      md5: ${md5File(s.abs('metrics.json'))}\n`);
    expect(lockEntry(v1, 'train')).toContain(`    - path: model.bin\n      hash: md5\n      md5: ${md5File(s.abs('model.bin'))}\n`);
    // Cached outputs are in the cache and ignored by git. The cache: false metric is not ignored,
    // but a copy goes into the cache for the run-cache, as DVC's (its cache-before-gc.txt lists
    // metrics.json's object).
    const oids = s.cacheOids();
    expect(oids).toContain(prepared.oid);
    expect(oids).toContain(md5File(s.abs('prepared/train.csv')));
    expect(oids).toContain(md5File(s.abs('model.bin')));
    expect(oids).toContain(md5File(s.abs('metrics.json')));
    expect(s.read('.gitignore')).toBe(golden('gitignore.after-repro'));
    expect(s.git('status', '--porcelain', '--untracked-files=all').split('\n').filter(Boolean).sort()).toEqual([' M .gitignore', '?? dvc.lock', '?? metrics.json']);

    // A no-op repro, byte for byte as DVC, and a clean status.
    const noop = s.ok(['repro']);
    expect(noop.stdout).toBe(dvcOutput('dvc-repro-noop.txt'));
    expect(noop.stderr).toBe('');
    expect(s.ok(['status']).stdout).toBe('Data and pipelines are up to date.\n');
    expect(statusJson(s)).toEqual({});
    s.git('add', '-A');
    s.git('commit', '-q', '-m', 'pipeline v1');

    // 2. A train param changes: only train reruns, and says which param.
    s.write('params.yaml', golden('params.yaml.v2'));
    expect(statusJson(s)).toEqual(dvcJson('dvc-status-param-changed.json'));
    expect(s.ok(['status']).stdout).toBe(dvcOutput('dvc-status-param-changed.txt'));
    const r2 = s.ok(['repro']);
    expect(r2.stdout).toBe(expectedRepro('dvc-repro-2-train-only.txt', { train: 'param train.lr changed (0.01 -> 0.02)' }));
    expect(r2.stderr).toContain('\tgit add dvc.lock\n');
    const v2 = s.read('dvc.lock');
    expect(lockShape(v2)).toBe(lockShape(golden('dvc.lock.v2')));
    expect(lockEntry(v2, 'prepare')).toBe(lockEntry(v1, 'prepare'));
    expect(lockEntry(v2, 'train')).toContain('        train:\n          lr: 0.02\n          epochs: 10\n');
    s.git('add', '-A');
    s.git('commit', '-q', '-m', 'pipeline v2');

    // 3. A prepare param changes: both rerun, train because its input changed.
    s.write('params.yaml', golden('params.yaml.v2').replace('split: 0.25', 'split: 0.5'));
    expect(statusJson(s)).toEqual({ prepare: [{ 'changed deps': { 'params.yaml': { 'prepare.split': 'modified' } } }] });
    const r3 = s.ok(['repro']);
    expect(r3.stdout).toBe(
      expectedRepro('dvc-repro-3-both.txt', { prepare: 'param prepare.split changed (0.25 -> 0.5)', train: 'dependency prepared was modified' }),
    );
    expect(lockEntry(s.read('dvc.lock'), 'prepare')).toContain('        prepare.seed: 7\n        prepare.split: 0.5\n');
    s.git('add', '-A');
    s.git('commit', '-q', '-m', 'pipeline v3');

    // 4. The data changes (and the images, which no stage uses).
    s.write('data.csv', rows(42));
    s.write('images/sub/note.txt', 'changed\n');
    expect(statusJson(s)).toEqual(dvcJson('dvc-status-data-changed.json'));
    expect(lines(s.ok(['status']).stdout)).toEqual(lines(dvcOutput('dvc-status-data-changed.txt')));
    s.ok(['add', 'data.csv', 'images']);
    const r4 = s.ok(['repro']);
    expect(r4.stdout).toBe(expectedRepro('dvc-repro-4-data.txt', { prepare: 'dependency data.csv was modified', train: 'dependency prepared was modified' }));
    const v4 = s.read('dvc.lock');
    expect(lockShape(v4)).toBe(lockShape(golden('dvc.lock.v4')));
    expect(v4).toContain(`md5: ${md5(rows(42))}\n      size: ${rows(42).length}\n`);
    expect(s.read('.gitignore')).toBe(golden('gitignore.after-repro'));
    expect(s.ok(['status']).stdout).toBe('Data and pipelines are up to date.\n');
  });
});

/** The reference repository after its first repro, committed. */
function reproduced(): Sandbox {
  const s = reference();
  s.ok(['repro']);
  s.git('add', '-A');
  s.git('commit', '-q', '-m', 'pipeline v1');
  return s;
}

describe('why a stage runs', () => {
  it('a command change reruns that stage, then what depends on an output that changed', () => {
    const s = reproduced();
    s.write('dvc.yaml', PIPELINE.replace('cmd: sh train.sh', 'cmd: sh train.sh --again'));
    expect(statusJson(s)).toEqual({ train: ['changed command'] });
    expect(s.ok(['status']).stdout).toBe('train:\n\tchanged command\n');
    const r = s.ok(['repro']);
    expect(r.stdout).toContain("Stage 'prepare' didn't change, skipping\nRunning stage 'train': its command changed\n> sh train.sh --again\n");
    expect(lockEntry(s.read('dvc.lock'), 'train')).toContain('    cmd: sh train.sh --again\n');

    // A dependency that is a script: its stage reruns.
    s.write('prepare.sh', `${PREPARE_SH}echo more\n`);
    expect(statusJson(s)).toEqual({ prepare: [{ 'changed deps': { 'prepare.sh': 'modified' } }] });
    const r2 = s.ok(['repro']);
    expect(r2.stdout).toContain("Running stage 'prepare': dependency prepare.sh was modified\n");
    // prepared came out the same, so train has nothing to do.
    expect(r2.stdout).toContain("Stage 'train' didn't change, skipping\n");
  });

  it('a deleted output is checked out from its own lock entry, even with --no-run-cache, as DVC does', () => {
    const s = reproduced();
    const lock = s.read('dvc.lock');
    const model = s.read('model.bin');
    fs.rmSync(s.abs('model.bin'));
    const r = s.ok(['repro', '--no-run-cache']);
    expect(ranStages(r)).toEqual([]);
    expect(r.stdout).toContain("Stage 'train' is cached - skipping run, checking out outputs\n");
    expect(s.read('model.bin')).toBe(model);
    expect(s.read('dvc.lock')).toBe(lock);
    expect(s.ok(['status']).stdout).toBe('Data and pipelines are up to date.\n');
  });

  it('a deleted or edited output reruns its stage when the cache lacks it; the same result leaves dvc.lock alone, as DVC does', () => {
    const s = reproduced();
    const lock = s.read('dvc.lock');
    const oid = md5File(s.abs('model.bin'));
    fs.rmSync(s.abs('model.bin'));
    fs.rmSync(s.cacheObjects().find((o) => o.oid === oid)!.path);
    expect(statusJson(s)).toEqual({ train: [{ 'changed outs': { 'model.bin': 'deleted' } }] });
    const r = s.ok(['repro']);
    expect(ranStages(r)).toEqual(['train']);
    expect(r.stdout).toContain("Running stage 'train': output model.bin was deleted\n");
    // The entry is the same: DVC's Lockfile.dump neither says 'Updating lock file' nor asks to git add it.
    expect(r.stdout).not.toContain('Updating lock file');
    expect(r.stderr).not.toContain('git add');
    expect(s.read('dvc.lock')).toBe(lock);

    s.write('prepared/train.csv', 'edited\n');
    expect(statusJson(s)).toEqual({ prepare: [{ 'changed outs': { prepared: 'modified' } }], train: [{ 'changed deps': { prepared: 'modified' } }] });
    const r2 = s.ok(['repro']);
    // The same inputs ran before: the run-cache restores the outputs, as DVC (no 'Running stage' line).
    expect(r2.stdout).toContain("Stage 'prepare' is cached - skipping run, checking out outputs\n\nStage 'train' didn't change, skipping\n");
    expect(r2.stdout).toContain("Stage 'train' didn't change, skipping\n");
    expect(s.read('dvc.lock')).toBe(lock);
    expect(s.ok(['status']).stdout).toBe('Data and pipelines are up to date.\n');
  });

  it('a cached output missing from the cache reruns its stage (not in cache)', () => {
    const s = reproduced();
    const oid = md5File(s.abs('model.bin'));
    fs.rmSync(s.cacheObjects().find((o) => o.oid === oid)!.path);
    expect(statusJson(s)).toEqual({ train: [{ 'changed outs': { 'model.bin': 'not in cache' } }] });
    expect(ranStages(s.ok(['repro']))).toEqual(['train']);
    expect(s.cacheOids()).toContain(md5File(s.abs('model.bin')));
    expect(s.ok(['status']).stdout).toBe('Data and pipelines are up to date.\n');
  });

  it('a whole-section param: a key added to the section is a change', () => {
    const s = reproduced();
    s.write('params.yaml', `${golden('params.yaml.v1')}  momentum: 0.9\n`);
    expect(statusJson(s)).toEqual({ train: [{ 'changed deps': { 'params.yaml': { train: 'modified' } } }] });
    expect(s.ok(['repro']).stdout).toContain("Running stage 'train': param train.momentum is new (0.9)\n");
    expect(lockEntry(s.read('dvc.lock'), 'train')).toContain('        train:\n          lr: 0.01\n          epochs: 10\n          momentum: 0.9\n');
  });
});

describe('dvc.lock entries as DVC builds them', () => {
  it('params: params.yaml first, other files by name, keys sorted, one entry per file; cmd lists stay lists', () => {
    const s = repo();
    s.writeAll({
      'params.yaml': 'b: 2\na: 1\nsec:\n  z: 1\n  y: 2\n',
      'aaa.yaml': 'x: 1\n',
      'dvc.yaml':
        'stages:\n  s:\n    cmd:\n    - echo a > a.txt\n    - echo b > b.txt\n    params:\n    - aaa.yaml:\n      - x\n    - b\n    - sec\n    - params.yaml:\n      - a\n' +
        '    outs:\n    - b.txt\n    - a.txt\n',
    });
    s.ok(['repro']);
    expect(lockEntry(s.read('dvc.lock'), 's')).toBe(
      '  s:\n    cmd:\n    - echo a > a.txt\n    - echo b > b.txt\n    params:\n      params.yaml:\n        a: 1\n        b: 2\n        sec:\n          z: 1\n          y: 2\n      aaa.yaml:\n        x: 1\n' +
        `    outs:\n    - path: a.txt\n      hash: md5\n      md5: ${md5('a\n')}\n      size: 2\n    - path: b.txt\n      hash: md5\n      md5: ${md5('b\n')}\n      size: 2\n`,
    );
    expect(s.ok(['status']).stdout).toBe('Data and pipelines are up to date.\n');
  });
});

describe('repro flags and targets', () => {
  it('-f runs every stage of the selection even when nothing changed; -s only the target', () => {
    const s = reproduced();
    const r = s.ok(['repro', '-f']);
    expect(ranStages(r)).toEqual(['prepare', 'train']);
    expect(r.stdout).toContain("Running stage 'prepare': -f was given\n");
    expect(ranStages(s.ok(['repro', '-f', 'train']))).toEqual(['prepare', 'train']);
    const single = s.ok(['repro', '-f', '-s', 'train']);
    expect(ranStages(single)).toEqual(['train']);
    expect(single.stdout).not.toContain('prepare');
  });

  it('a target runs what it needs, not what depends on it; --downstream the other way round', () => {
    const s = reproduced();
    s.write('params.yaml', golden('params.yaml.v2').replace('split: 0.25', 'split: 0.5'));
    const r = s.ok(['repro', 'prepare']);
    expect(ranStages(r)).toEqual(['prepare']);
    expect(r.stdout).not.toContain("'train'");
    expect(statusJson(s)).toEqual({ train: [{ 'changed deps': { prepared: 'modified', 'params.yaml': { train: 'modified' } } }] });

    s.write('params.yaml', golden('params.yaml.v1').replace('split: 0.25', 'split: 0.4'));
    const down = s.ok(['repro', '--downstream', 'prepare']);
    expect(ranStages(down)).toEqual(['prepare', 'train']);
    expect(down.stdout).not.toContain('data.csv.dvc');
    // An output names its stage; dvc.yaml:name too.
    expect(ranStages(s.ok(['repro', '-f', '-s', 'model.bin']))).toEqual(['train']);
    expect(ranStages(s.ok(['repro', '-f', '-s', 'dvc.yaml:prepare']))).toEqual(['prepare']);
    expectCleanFailure(s.trove(['repro', 'nope']), /'nope'/);
  });

  it('-s on a stage whose upstream changed: only that stage runs, and it sees the upstream output as it is', () => {
    const s = reproduced();
    s.write('data.csv', rows(42));
    const r = s.ok(['repro', '-s', 'train']);
    expect(r.stdout).toBe("Stage 'train' didn't change, skipping\nData and pipelines are up to date.\n");
  });

  it('--dry says what would run and why, and runs and writes nothing', () => {
    const s = reference();
    const before = s.files('', { all: true });
    const cache = s.cacheOids();
    const r = s.ok(['repro', '--dry']);
    expect(r.stdout).toBe(
      "'data.csv.dvc' didn't change, skipping\n" +
        "Running stage 'prepare': it has no entry in dvc.lock yet\n> sh prepare.sh\n\n" +
        "Running stage 'train': it has no entry in dvc.lock yet\n> sh train.sh\n",
    );
    expect(r.stderr).toBe('');
    expect(s.files('', { all: true }).filter((f) => !f.startsWith('.dvc/tmp/'))).toEqual(before.filter((f) => !f.startsWith('.dvc/tmp/')));
    expect(s.cacheOids()).toEqual(cache);
    expect(s.git('status', '--porcelain')).toBe('');

    // After a change: still nothing written, the lock untouched.
    s.ok(['repro']);
    s.git('add', '-A');
    s.git('commit', '-q', '-m', 'v1');
    s.write('params.yaml', golden('params.yaml.v2'));
    const dry = s.ok(['repro', '--dry']);
    expect(dry.stdout).toContain("Running stage 'train': param train.lr changed (0.01 -> 0.02)\n> sh train.sh\n");
    expect(s.git('status', '--porcelain')).toBe(' M params.yaml\n');
    expect(s.read('model.bin')).toContain('lr=0.01');
  });

  it('-i with no terminal to ask refuses, rather than running every stage unasked', () => {
    const s = reference();
    expectCleanFailure(s.trove(['repro', '-i']), /repro -i asks before each stage, and there is no terminal to ask/, 1);
    expect(s.exists('dvc.lock') || s.exists('prepared')).toBe(false);
  });

  it('--no-commit records the outputs in dvc.lock without saving them to the cache', () => {
    const s = reference();
    const cache = s.cacheOids();
    s.ok(['repro', '--no-commit']);
    expect(s.cacheOids()).toEqual(cache);
    expect(lockShape(s.read('dvc.lock'))).toBe(lockShape(golden('dvc.lock.v1')));
    expect(statusJson(s)).toEqual({ prepare: [{ 'changed outs': { prepared: 'not in cache' } }], train: [{ 'changed outs': { 'model.bin': 'not in cache' } }] });
  });

  it('core.autostage stages dvc.lock and .gitignore instead of printing the hint', () => {
    const s = reference();
    s.ok(['config', 'core.autostage', 'true']);
    const r = s.ok(['repro']);
    expect(r.stderr).not.toContain('git add');
    expect(s.staged()).toEqual(expect.arrayContaining(['.gitignore', 'dvc.lock']));
  });
});

describe('foreach, matrix and vars', () => {
  const DVC_YAML = `vars:
  - vars.yaml
  - prefix: out
stages:
  list:
    foreach: [a, b]
    do:
      cmd: echo \${item} \${greeting} > \${prefix}-\${item}.txt
      outs:
      - \${prefix}-\${item}.txt
  dict:
    foreach: \${sizes}
    do:
      cmd: echo \${key}=\${item.n} > size-\${key}.txt
      deps:
      - \${item.src}
      outs:
      - size-\${key}.txt
  mat:
    matrix:
      x: [1, 2]
      y: [p, q]
    cmd: echo \${item.x}\${item.y} \${model.name} > m-\${item.x}-\${item.y}.txt
    params:
    - model.name
    outs:
    - m-\${item.x}-\${item.y}.txt
`;

  function templated(): Sandbox {
    const s = repo();
    s.writeAll({
      'vars.yaml': 'greeting: hello\nsizes:\n  small:\n    n: 1\n    src: small.src\n  big:\n    n: 3\n    src: big.src\n',
      'params.yaml': 'model:\n  name: m1\n',
      'small.src': 's\n',
      'big.src': 'b\n',
      'dvc.yaml': DVC_YAML,
    });
    return s;
  }

  it('generated stages run, are locked under name@key, and rerun one by one', () => {
    const s = templated();
    const names = ['list@a', 'list@b', 'dict@small', 'dict@big', 'mat@1-p', 'mat@1-q', 'mat@2-p', 'mat@2-q'];
    expect(Object.keys(statusJson(s) as object).sort()).toEqual([...names].sort());
    const r = s.ok(['repro']);
    expect(ranStages(r)).toEqual(names);
    expect(r.stdout).toContain("Running stage 'list@a': it has no entry in dvc.lock yet\n> echo a hello > out-a.txt\n");
    const lock = s.read('dvc.lock');
    expect(lockStages(lock)).toEqual(names);
    expect(s.read('out-b.txt')).toBe('b hello\n');
    expect(s.read('size-big.txt')).toBe('big=3\n');
    expect(s.read('m-2-q.txt')).toBe('2q m1\n');
    expect(lockEntry(lock, 'dict@big')).toBe(
      `  dict@big:\n    cmd: echo big=3 > size-big.txt\n    deps:\n    - path: big.src\n      hash: md5\n      md5: ${md5('b\n')}\n      size: 2\n` +
        `    outs:\n    - path: size-big.txt\n      hash: md5\n      md5: ${md5('big=3\n')}\n      size: 6\n`,
    );
    expect(lockEntry(lock, 'mat@1-p')).toContain('    params:\n      params.yaml:\n        model.name: m1\n');
    expect(s.read('.gitignore').split('\n').filter(Boolean)).toEqual(['/out-a.txt', '/out-b.txt', '/size-small.txt', '/size-big.txt', '/m-1-p.txt', '/m-1-q.txt', '/m-2-p.txt', '/m-2-q.txt']);
    expect(s.ok(['repro']).stdout).toBe(`${names.map((n) => `Stage '${n}' didn't change, skipping`).join('\n')}\nData and pipelines are up to date.\n`);

    // One generated stage's dependency: only that one.
    s.write('small.src', 's2\n');
    expect(statusJson(s)).toEqual({ 'dict@small': [{ 'changed deps': { 'small.src': 'modified' } }] });
    expect(ranStages(s.ok(['repro']))).toEqual(['dict@small']);
    // A target names one generated stage, or the whole group.
    expect(ranStages(s.ok(['repro', '-f', 'list@b']))).toEqual(['list@b']);
    expect(ranStages(s.ok(['repro', '-f', 'mat']))).toEqual(['mat@1-p', 'mat@1-q', 'mat@2-p', 'mat@2-q']);

    // A param used by the matrix: its stages rerun with the new command.
    s.write('params.yaml', 'model:\n  name: m2\n');
    const st = statusJson(s) as Record<string, unknown>;
    expect(Object.keys(st).sort()).toEqual(['mat@1-p', 'mat@1-q', 'mat@2-p', 'mat@2-q']);
    expect(st['mat@1-p']).toEqual([{ 'changed deps': { 'params.yaml': { 'model.name': 'modified' } } }, 'changed command']);
    const r2 = s.ok(['repro']);
    expect(ranStages(r2)).toEqual(['mat@1-p', 'mat@1-q', 'mat@2-p', 'mat@2-q']);
    expect(r2.stdout).toContain("Running stage 'mat@2-q': its command changed; param model.name changed (m1 -> m2)\n> echo 2q m2 > m-2-q.txt\n");

    // A var from the vars file: every stage that uses it.
    s.write('vars.yaml', s.read('vars.yaml').replace('hello', 'bye'));
    expect(ranStages(s.ok(['repro']))).toEqual(['list@a', 'list@b']);
    expect(s.read('out-a.txt')).toBe('a bye\n');
  });

  it('${} in wdir and paths: the stage runs there and its paths are relative to it', () => {
    const s = repo();
    s.writeAll({
      'params.yaml': 'dirs:\n  work: sub\n',
      'sub/in.txt': 'in\n',
      'dvc.yaml': 'stages:\n  w:\n    wdir: ${dirs.work}\n    cmd: cat in.txt > out.txt; pwd > where.txt\n    deps:\n    - in.txt\n    outs:\n    - out.txt\n    - where.txt:\n        cache: false\n',
    });
    s.ok(['repro']);
    expect(s.read('sub/out.txt')).toBe('in\n');
    expect(s.read('sub/where.txt')).toBe(`${s.root}/sub\n`);
    expect(lockEntry(s.read('dvc.lock'), 'w')).toContain('    deps:\n    - path: in.txt\n');
    expect(s.read('sub/.gitignore')).toBe('/out.txt\n');
    expect(s.ok(['status']).stdout).toBe('Data and pipelines are up to date.\n');
  });
});

describe('frozen and always_changed', () => {
  const DVC_YAML = `stages:
  fz:
    cmd: cp in.txt fz.txt
    deps:
    - in.txt
    outs:
    - fz.txt
  after:
    cmd: cp fz.txt after.txt
    deps:
    - fz.txt
    outs:
    - after.txt
  always:
    cmd: date +%s%N > always.txt
    outs:
    - always.txt
    always_changed: true
`;

  it('a frozen stage never runs, even when its dependencies changed; always_changed always runs', () => {
    const s = repo();
    s.writeAll({ 'in.txt': '1\n', 'dvc.yaml': DVC_YAML });
    s.ok(['repro']);
    s.ok(['freeze', 'fz']);
    s.write('in.txt', '2\n');
    // DVC does not look at a frozen stage's dependencies; always_changed is always reported.
    expect(statusJson(s)).toEqual({ always: ['always changed'] });
    expect(s.ok(['status']).stdout).toBe('always:\n\talways changed\n');
    const stamp = s.read('always.txt');
    const r = s.ok(['repro']);
    expect(r.stdout).toBe(
      "Stage 'fz' is frozen, skipping\nStage 'after' didn't change, skipping\n" +
        "Running stage 'always': it is always_changed\n> date +%s%N > always.txt\nUpdating lock file 'dvc.lock'\n",
    );
    expect(s.read('fz.txt')).toBe('1\n');
    expect(s.read('always.txt')).not.toBe(stamp);
    // -f does not run it either.
    expect(ranStages(s.ok(['repro', '-f', 'after']))).toEqual(['after']);

    // A frozen stage's outputs are still reported, as DVC's status does.
    fs.rmSync(s.abs('fz.txt'));
    expect(statusJson(s)).toEqual({
      after: [{ 'changed deps': { 'fz.txt': 'deleted' } }],
      always: ['always changed'],
      fz: [{ 'changed outs': { 'fz.txt': 'deleted' } }],
    });

    s.ok(['unfreeze', 'fz']);
    const r2 = s.ok(['repro']);
    expect(ranStages(r2)).toEqual(['fz', 'after', 'always']);
    expect(r2.stdout).toContain("Running stage 'fz': dependency in.txt was modified; output fz.txt was deleted\n");
    expect(s.read('after.txt')).toBe('2\n');
  });
});

describe('a failing command', () => {
  const DVC_YAML = `stages:
  a:
    cmd: echo a > a.txt
    outs:
    - a.txt
  bad:
    cmd: cat a.txt > bad.txt && echo going wrong >&2 && exit 3
    deps:
    - a.txt
    outs:
    - bad.txt
  after:
    cmd: cp bad.txt after.txt
    deps:
    - bad.txt
    outs:
    - after.txt
  other:
    cmd: echo o > other.txt
    outs:
    - other.txt
`;

  it('exits 1 naming the stage and exit code; downstream does not run; the upstream lock entry stays', () => {
    const s = repo();
    s.write('dvc.yaml', DVC_YAML);
    const r = s.trove(['repro']);
    expectCleanFailure(r, /ERROR: failed to reproduce 'bad': command 'cat a\.txt > bad\.txt && echo going wrong >&2 && exit 3' exited with code 3\n/, 1);
    expect(r.stderr).toContain('going wrong\n');
    expect(ranStages(r)).toEqual(['a', 'bad']);
    expect(r.stderr).toMatch(/WARNING: not run, because a stage they need failed: after\n/);
    // 'other' needs nothing that failed: it was not run because the run stopped.
    expect(r.stderr).toMatch(/WARNING: not run, because the run stopped at the failure \(-k goes on with them\): other\n/);
    expect(r.stdout).not.toContain('up to date');
    expect(lockStages(s.read('dvc.lock'))).toEqual(['a']);
    expect(s.exists('after.txt') || s.exists('other.txt')).toBe(false);
    expect(s.exists('.dvc/tmp/lock')).toBe(false);

    // -k goes on with the branch that does not need it.
    const k = s.trove(['repro', '-k']);
    expectCleanFailure(k, /failed to reproduce 'bad'/, 1);
    expect(ranStages(k)).toEqual(['bad', 'other']);
    expect(k.stdout).toContain("Stage 'a' didn't change, skipping\n");
    expect(k.stderr).toMatch(/not run, because a stage they need failed: after\n/);
    expect(k.stderr).not.toContain('run stopped');
    expect(lockStages(s.read('dvc.lock'))).toEqual(['a', 'other']);
    expect(s.read('other.txt')).toBe('o\n');

    // Fixed: the rest runs, and what ran before is not run again.
    s.write('dvc.yaml', DVC_YAML.replace(' && echo going wrong >&2 && exit 3', ''));
    const fixed = s.ok(['repro']);
    expect(ranStages(fixed)).toEqual(['bad', 'after']);
    expect(lockStages(s.read('dvc.lock'))).toEqual(['a', 'other', 'bad', 'after']);
  });

  it('a stage that does not write its output fails, as in DVC, and is not locked', () => {
    const s = repo();
    s.write('dvc.yaml', 'stages:\n  nout:\n    cmd: echo hi\n    outs:\n    - never.txt\n');
    const r = s.trove(['repro']);
    expectCleanFailure(r, /stage 'nout' did not create its output 'never\.txt'/, 1);
    expect(s.exists('dvc.lock')).toBe(false);
  });

  it('a working directory that does not exist is a clean failure, not "up to date"', () => {
    const s = repo();
    s.write('dvc.yaml', 'stages:\n  w:\n    wdir: nosuchdir\n    cmd: echo hi > o.txt\n    outs:\n    - o.txt\n  x:\n    cmd: echo x > x.txt\n    outs:\n    - x.txt\n');
    const r = s.trove(['repro']);
    expectCleanFailure(r, /failed to reproduce 'w': its working directory 'nosuchdir' does not exist/, 1);
    expect(r.stdout).not.toContain('up to date');
    expect(s.exists('dvc.lock')).toBe(false);
  });
});

describe('pipeline status beyond the root dvc.yaml', () => {
  it('stages of a dvc.yaml in a subdirectory are reported, named by file', () => {
    const s = repo();
    s.write('sub/dvc.yaml', 'stages:\n  a:\n    cmd: echo a > a.txt\n    outs:\n    - a.txt\n');
    expect(statusJson(s)).toEqual({ 'sub/dvc.yaml:a': [{ 'changed outs': { 'a.txt': 'deleted' } }] });
    const r = s.ok(['repro', '-P']);
    expect(ranStages(r)).toEqual(['sub/dvc.yaml:a']);
    expect(r.stdout).toContain("Generating lock file 'sub/dvc.lock'\n");
    expect(s.read('sub/.gitignore')).toBe('/a.txt\n');
    expect(s.ok(['status']).stdout).toBe('Data and pipelines are up to date.\n');
    fs.rmSync(s.abs('sub/a.txt'));
    expect(statusJson(s)).toEqual({ 'sub/dvc.yaml:a': [{ 'changed outs': { 'a.txt': 'deleted' } }] });
  });
});
