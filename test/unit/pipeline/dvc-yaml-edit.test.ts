import { describe, expect, it } from 'vitest';
import { FileFormatError } from '../../../src/errors.js';
import {
  buildStageEntry,
  DvcYaml,
  emitPair,
  emitScalar,
  renderDvcYaml,
  setTopLevelKey,
  type YamlData,
  type YamlMapData,
} from '../../../src/pipeline/dvc-yaml-edit.js';
import { yaml } from '../../../src/repo/pointer-file.js';
import { fixture } from '../helpers.js';

const m = (entries: Record<string, YamlData>): YamlMapData => new Map(Object.entries(entries));

const parsed = (text: string) => yaml().parse(text) as unknown;

describe('layout of a new dvc.yaml', () => {
  it('writes the golden pipeline byte for byte', () => {
    // The golden file keeps its lists in the order they were typed; the layout is DVC's.
    const prepare = m({ cmd: 'python3 prepare.py', deps: ['prepare.py', 'data.csv'], params: ['prepare.split', 'prepare.seed'], outs: ['prepared'] });
    const train = m({ cmd: 'python3 train.py', deps: ['train.py', 'prepared'], params: ['train'], outs: ['model.bin'], metrics: [m({ 'metrics.json': m({ cache: false }) })] });
    expect(renderDvcYaml([['prepare', prepare], ['train', train]])).toBe(fixture('dvc.yaml'));
  });

  it('adding the golden stages one by one gives the same layout', () => {
    const f = DvcYaml.parse(undefined, 'dvc.yaml');
    expect(f.setStage('prepare', m({ cmd: 'python3 prepare.py', deps: ['prepare.py', 'data.csv'], params: ['prepare.split', 'prepare.seed'], outs: ['prepared'] }))).toBe('added');
    expect(f.setStage('train', m({ cmd: 'python3 train.py', deps: ['train.py', 'prepared'], params: ['train'], outs: ['model.bin'], metrics: [m({ 'metrics.json': m({ cache: false }) })] }))).toBe('added');
    expect(f.text).toBe(fixture('dvc.yaml'));
  });
});

describe('buildStageEntry (DVC serialize.to_pipeline_file)', () => {
  it('sorts deps, params and outputs as DVC does', () => {
    const entry = buildStageEntry({
      cmd: 'python3 prepare.py',
      deps: ['prepare.py', 'data.csv'],
      params: [{ file: 'params.yaml', keys: ['prepare.split', 'prepare.seed'] }],
      outs: [{ path: 'prepared', kind: 'outs', cache: true, persist: false }],
    });
    expect(renderDvcYaml([['prepare', entry]])).toBe(
      'stages:\n  prepare:\n    cmd: python3 prepare.py\n    deps:\n    - data.csv\n    - prepare.py\n    params:\n    - prepare.seed\n    - prepare.split\n    outs:\n    - prepared\n',
    );
  });

  it('writes params of other files as {file: keys}, the default file first, a whole file as null', () => {
    const entry = buildStageEntry({
      cmd: 'x',
      deps: [],
      params: [
        { file: 'z.yaml', keys: ['b', 'a'] },
        { file: 'params.yaml', keys: ['lr'] },
        { file: 'a.json', keys: [] },
        { file: 'z.yaml', keys: ['a'] },
      ],
      outs: [],
    });
    expect(emitPair('s', entry, 2)).toBe("  s:\n    cmd: x\n    params:\n    - lr\n    - a.json:\n    - z.yaml:\n      - a\n      - b\n");
  });

  it('puts each output in its bucket, sorted, with its flags in DVC order', () => {
    const entry = buildStageEntry({
      cmd: 'x',
      wdir: 'sub',
      deps: ['b', 'a', 'a'],
      params: [],
      outs: [
        { path: 'plot.csv', kind: 'plots', cache: true, persist: false },
        { path: 'z.bin', kind: 'outs', cache: false, persist: true },
        { path: 'm.json', kind: 'metrics', cache: false, persist: false },
        { path: 'a.bin', kind: 'outs', cache: true, persist: true, annotations: m({ desc: 'the model' }), remote: 'r', push: false },
      ],
      desc: 'a stage',
      alwaysChanged: true,
    });
    expect(emitPair('s', entry, 2)).toBe(
      [
        '  s:',
        '    desc: a stage',
        '    cmd: x',
        '    wdir: sub',
        '    deps:',
        '    - a',
        '    - b',
        '    outs:',
        '    - a.bin:',
        '        desc: the model',
        '        persist: true',
        '        remote: r',
        '        push: false',
        '    - z.bin:',
        '        cache: false',
        '        persist: true',
        '    metrics:',
        '    - m.json:',
        '        cache: false',
        '    plots:',
        '    - plot.csv',
        '    always_changed: true',
        '',
      ].join('\n'),
    );
  });

  it('leaves wdir out when it is the default', () => {
    expect(buildStageEntry({ cmd: 'x', wdir: '.', deps: [], params: [], outs: [] }).has('wdir')).toBe(false);
  });
});

describe('scalars as ruamel writes them', () => {
  const at = (s: string) => emitScalar(s, { column: 9, indent: 6 });
  it('quotes only what YAML would read otherwise', () => {
    expect(at('python3 train.py')).toBe('python3 train.py');
    expect(at('true')).toBe("'true'");
    expect(at('1.0')).toBe("'1.0'");
    expect(at('')).toBe("''");
    expect(at('a: b')).toBe("'a: b'");
    expect(at('a #b')).toBe("'a #b'");
    expect(at('a#b')).toBe('a#b');
    expect(at('- x')).toBe("'- x'");
    expect(at('echo "hi"')).toBe('echo "hi"');
    expect(at("echo 'a: b'")).toBe('"echo \'a: b\'"');
    expect(at('tab\there')).toBe('"tab\\there"');
    expect(at('yes')).toBe('yes');
    expect(at('ünï')).toBe('ünï');
  });

  it('folds long values after column 80, as ruamel does', () => {
    const cmd = 'python src/featurization.py data/prepared data/features --max-features 100 --ngrams 2 --something-else 3';
    expect(emitPair('cmd', cmd, 4)).toBe('    cmd: python src/featurization.py data/prepared data/features --max-features 100\n      --ngrams 2 --something-else 3\n');
    expect(emitPair('cmd', `a: ${cmd}`, 4)).toBe("    cmd: 'a: python src/featurization.py data/prepared data/features --max-features\n      100 --ngrams 2 --something-else 3'\n");
    expect(emitPair('cmd', `${cmd} 'q' a: b`, 4)).toBe(
      '    cmd: "python src/featurization.py data/prepared data/features --max-features 100\\\n      \\ --ngrams 2 --something-else 3 \'q\' a: b"\n',
    );
  });

  it('writes very long keys as ? key / : value', () => {
    const key = 'k'.repeat(123);
    expect(emitPair(key, m({ cache: false }), 4)).toBe(`    ? ${key}\n    : cache: false\n`);
    expect(emitPair('k'.repeat(122), 1, 0)).toBe(`${'k'.repeat(122)}: 1\n`);
  });
});

const HAND = `# Pipeline for the demo.
vars:
    - base: 1

stages:
    # Split the data first.
    prepare:   # cheap
        cmd: python3 prepare.py   # keep this comment
        deps:
            - data.csv     # raw
            - prepare.py   # the script
        outs:
            - prepared

    train:
        cmd: "python3 train.py"
        deps:
            - prepared
        metrics:
            - metrics.json:
                  cache: false

# Plots come last.
plots:
    - loss.csv
`;

describe('editing a hand-formatted file', () => {
  it('adds a stage in the file\'s own style and keeps every other byte', () => {
    const f = DvcYaml.parse(HAND, 'dvc.yaml');
    f.setStage('evaluate', buildStageEntry({ cmd: 'python3 eval.py', deps: ['model.bin', 'eval.py'], params: [], outs: [{ path: 'eval.json', kind: 'metrics', cache: false, persist: false }] }));
    const added = [
      '',
      '    evaluate:',
      '        cmd: python3 eval.py',
      '        deps:',
      '            - eval.py',
      '            - model.bin',
      '        metrics:',
      '            - eval.json:',
      '                  cache: false',
      '',
    ].join('\n');
    const at = HAND.indexOf('\n# Plots come last.');
    expect(f.text).toBe(HAND.slice(0, at) + added + HAND.slice(at));
    expect(Object.keys((parsed(f.text) as { stages: object }).stages)).toEqual(['prepare', 'train', 'evaluate']);
  });

  it('overwrites a stage in place (-f): unchanged lines keep their comments', () => {
    const f = DvcYaml.parse(HAND, 'dvc.yaml');
    const r = f.setStage(
      'prepare',
      buildStageEntry({
        cmd: 'python3 prepare.py --fast',
        deps: ['data.csv', 'prepare.py', 'extra.csv'],
        params: [{ file: 'params.yaml', keys: ['prepare'] }],
        outs: [{ path: 'prepared', kind: 'outs', cache: true, persist: false }],
      }),
    );
    expect(r).toBe('modified');
    // apply_diff keeps same-length lists item by item; here one dep was added, so the common
    // items keep their lines (and comments) and the new one takes its sorted place.
    expect(f.text).toBe(
      HAND.replace('cmd: python3 prepare.py   # keep', 'cmd: python3 prepare.py --fast   # keep')
        .replace('            - data.csv     # raw\n', '            - data.csv     # raw\n            - extra.csv\n')
        .replace('            - prepare.py   # the script\n', '            - prepare.py   # the script\n        params:\n            - prepare\n'),
    );
  });

  it('overwrites with fewer fields: dropped keys go, the rest stays', () => {
    const f = DvcYaml.parse(HAND, 'dvc.yaml');
    f.setStage('train', buildStageEntry({ cmd: 'python3 train.py', deps: ['prepared'], params: [], outs: [] }));
    expect(f.text).toBe(HAND.replace('        metrics:\n            - metrics.json:\n                  cache: false\n', ''));
  });

  it('rewrites a same-length list item by item, as apply_diff does', () => {
    const f = DvcYaml.parse(HAND, 'dvc.yaml');
    f.setStage('prepare', buildStageEntry({ cmd: 'python3 prepare.py', deps: ['prepare2.py', 'data.csv'], params: [], outs: [{ path: 'prepared', kind: 'outs', cache: true, persist: false }] }));
    // Comments belong to lines, as in ruamel: the second line keeps its comment.
    expect(f.text).toBe(HAND.replace('- prepare.py   # the script', '- prepare2.py   # the script'));
  });

  it('changes an output\'s flags inside its own map', () => {
    const f = DvcYaml.parse(HAND, 'dvc.yaml');
    f.setStage('train', buildStageEntry({ cmd: 'python3 train.py', deps: ['prepared'], params: [], outs: [{ path: 'metrics.json', kind: 'metrics', cache: false, persist: true }] }));
    expect(f.text).toBe(HAND.replace('                  cache: false\n', '                  cache: false\n                  persist: true\n'));
    f.setStage('train', buildStageEntry({ cmd: 'python3 train.py', deps: ['prepared'], params: [], outs: [{ path: 'metrics.json', kind: 'metrics', cache: true, persist: false }] }));
    expect(f.text).toBe(HAND.replace('            - metrics.json:\n                  cache: false\n', '            - metrics.json\n'));
  });

  it('freezes and unfreezes with one line, elsewhere byte for byte', () => {
    const f = DvcYaml.parse(HAND, 'dvc.yaml');
    expect(f.setFrozen('prepare', true)).toBe(true);
    const frozen = HAND.replace('            - prepared\n\n    train:', '            - prepared\n        frozen: true\n\n    train:');
    expect(f.text).toBe(frozen);
    expect(f.setFrozen('prepare', true)).toBe(false);
    expect(f.text).toBe(frozen);
    expect(f.setFrozen('prepare', false)).toBe(true);
    expect(f.text).toBe(HAND);
    expect(f.setFrozen('prepare', false)).toBe(false);
  });

  it('puts frozen before always_changed and meta, replaces `frozen: false`', () => {
    const text = 'stages:\n  a:\n    cmd: x\n    always_changed: true\n    meta: {owner: me}  # who\n  b:\n    cmd: y\n    frozen: false\n';
    const f = DvcYaml.parse(text, 'dvc.yaml');
    f.setFrozen('a', true);
    f.setFrozen('b', true);
    expect(f.text).toBe('stages:\n  a:\n    cmd: x\n    frozen: true\n    always_changed: true\n    meta: {owner: me}  # who\n  b:\n    cmd: y\n    frozen: true\n');
    f.setFrozen('a', false);
    expect(f.text).toBe('stages:\n  a:\n    cmd: x\n    always_changed: true\n    meta: {owner: me}  # who\n  b:\n    cmd: y\n    frozen: true\n');
  });

  it('keeps a file in DVC\'s own layout byte for byte through freeze and unfreeze', () => {
    const golden = fixture('dvc.yaml');
    const f = DvcYaml.parse(golden, 'dvc.yaml');
    f.setFrozen('train', true);
    expect(f.text).toBe(`${golden}    frozen: true\n`);
    f.setFrozen('train', false);
    expect(f.text).toBe(golden);
  });
});

describe('odd shapes', () => {
  const add = (text: string | undefined) => {
    const f = DvcYaml.parse(text, 'dvc.yaml');
    f.setStage('s', m({ cmd: 'x' }));
    return f.text;
  };

  it('creates the stages section where there is none', () => {
    expect(add(undefined)).toBe('stages:\n  s:\n    cmd: x\n');
    expect(add('')).toBe('stages:\n  s:\n    cmd: x\n');
    expect(add('# just a comment\n')).toBe('# just a comment\nstages:\n  s:\n    cmd: x\n');
    expect(add('plots:\n- a.csv')).toBe('plots:\n- a.csv\nstages:\n  s:\n    cmd: x\n');
  });

  it('fills an empty stages section, keeping its comment', () => {
    expect(add('stages:\n')).toBe('stages:\n  s:\n    cmd: x\n');
    expect(add('stages: {}  # none yet\nplots:\n- a.csv\n')).toBe('stages: # none yet\n  s:\n    cmd: x\nplots:\n- a.csv\n');
  });

  it('turns flow-style stages into block style to add one', () => {
    expect(add('stages: {a: {cmd: y}}\n')).toBe('stages:\n  a:\n    cmd: y\n  s:\n    cmd: x\n');
  });

  it('freezes a flow-style stage by rewriting that stage only', () => {
    const f = DvcYaml.parse('# c\nstages:\n  a: {cmd: y, deps: [b]}\n  z:\n    cmd: q\n', 'dvc.yaml');
    f.setFrozen('a', true);
    expect(f.text).toBe('# c\nstages:\n  a:\n    cmd: y\n    deps:\n    - b\n    frozen: true\n  z:\n    cmd: q\n');
  });

  it('keeps CRLF line ends', () => {
    const f = DvcYaml.parse('stages:\r\n  a:\r\n    cmd: y\r\n', 'dvc.yaml');
    f.setStage('s', m({ cmd: 'x', deps: ['d'] }));
    f.setFrozen('a', true);
    expect(f.text).toBe('stages:\r\n  a:\r\n    cmd: y\r\n    frozen: true\r\n  s:\r\n    cmd: x\r\n    deps:\r\n    - d\r\n');
  });

  it('adds after a last stage with no final line break', () => {
    expect(add('stages:\n  a:\n    cmd: y')).toBe('stages:\n  a:\n    cmd: y\n  s:\n    cmd: x\n');
  });

  it('knows groups and raw stages', () => {
    const f = DvcYaml.parse('stages:\n  build:\n    foreach: [1, 2]\n    do:\n      cmd: echo ${item}\n  a:\n    cmd: y\n', 'dvc.yaml');
    expect(f.stageNames()).toEqual(['build', 'a']);
    expect(f.isGroup('build')).toBe(true);
    expect(f.isGroup('a')).toBe(false);
    expect(f.rawStage('a')).toEqual({ cmd: 'y' });
    expect(f.rawStage('nope')).toBeUndefined();
  });

  it('reports malformed YAML with its line', () => {
    let e: unknown;
    try {
      DvcYaml.parse('stages:\n  a:\n    cmd: [x\n', 'dvc.yaml');
    } catch (err) {
      e = err;
    }
    expect(e).toBeInstanceOf(FileFormatError);
    expect((e as FileFormatError).message).toMatch(/^dvc\.yaml:\d+: malformed YAML/);
    expect(() => DvcYaml.parse('- a\n', 'dvc.yaml')).toThrow(/expected a mapping/);
    expect(() => DvcYaml.parse('stages: [a]\n', 'dvc.yaml')).toThrow(/'stages' must be a mapping/);
    expect(() => DvcYaml.parse('stages:\n  a: 1\n  a: 2\n', 'dvc.yaml')).toThrow(FileFormatError);
  });
});

describe('setTopLevelKey (frozen in a .dvc file)', () => {
  const dvc = 'outs:\n- md5: 0123456789abcdef0123456789abcdef\n  size: 4\n  hash: md5\n  path: data.csv\n';
  it('appends the key at the end, as apply_diff does, and removes it again', () => {
    const frozen = setTopLevelKey(dvc, 'data.csv.dvc', 'frozen', true);
    expect(frozen).toBe(`${dvc}frozen: true\n`);
    expect(setTopLevelKey(frozen, 'data.csv.dvc', 'frozen', true)).toBe(frozen);
    expect(setTopLevelKey(frozen, 'data.csv.dvc', 'frozen', undefined)).toBe(dvc);
    expect(setTopLevelKey(dvc, 'data.csv.dvc', 'frozen', undefined)).toBe(dvc);
  });

  it('replaces a value in place and keeps comments', () => {
    const text = '# data\nfrozen: false  # for now\nouts:\n- path: x\n';
    expect(setTopLevelKey(text, 'x.dvc', 'frozen', true)).toBe('# data\nfrozen: true\nouts:\n- path: x\n');
    expect(setTopLevelKey('outs:\n- path: x', 'x.dvc', 'frozen', true)).toBe('outs:\n- path: x\nfrozen: true\n');
  });
});

describe('removeStage (remove of a pipeline stage)', () => {
  const text = '# top\nstages:\n  a:\n    cmd: a\n\n  # about b\n  b:\n    cmd: b\n\n  c:  # c\n    cmd: c\nplots:\n- p.json\n';

  it('takes out the stage and the blank line that set it apart; comments stay', () => {
    const f = DvcYaml.parse(text, 'dvc.yaml');
    expect(f.removeStage('c')).toBe(true);
    expect(f.text).toBe('# top\nstages:\n  a:\n    cmd: a\n\n  # about b\n  b:\n    cmd: b\nplots:\n- p.json\n');
    expect(f.removeStage('a')).toBe(true);
    expect(f.text).toBe('# top\nstages:\n  # about b\n  b:\n    cmd: b\nplots:\n- p.json\n');
  });

  it('with the last stage the stages section goes; a file with nothing else left says so', () => {
    const f = DvcYaml.parse(text, 'dvc.yaml');
    for (const n of ['b', 'a']) f.removeStage(n);
    expect(f.removeStage('c')).toBe(true);
    expect(f.text).toBe('# top\nplots:\n- p.json\n');
    const only = DvcYaml.parse('stages:\n  a:\n    cmd: a\n', 'dvc.yaml');
    expect(only.removeStage('a')).toBe(false);
  });

  it('flow-style stages and unknown names', () => {
    const f = DvcYaml.parse('stages: {a: {cmd: a}, b: {cmd: b}}\n', 'dvc.yaml');
    f.removeStage('a');
    expect(parsed(f.text)).toEqual({ stages: { b: { cmd: 'b' } } });
    expect(() => f.removeStage('zz')).toThrow(/stage 'zz' not found/);
  });
});
