import { describe, expect, it } from 'vitest';
import { parseMetrics } from '../../../src/pipeline/metrics-file.js';
import { diffFiles, diffValues, flattenValue } from '../../../src/pipeline/value-diff.js';
import { PyFloat } from '../../../src/util/py-json.js';

describe('flattenValue (format_dict + flatten, dot reducer)', () => {
  it('joins nested keys with dots, drops empty mappings, turns lists into Python text', () => {
    expect([...flattenValue({ a: { b: 1, c: {} }, l: [1, 'x', true, null], s: 's' })]).toEqual([
      ['a.b', 1],
      ['l', "[1, 'x', True, None]"],
      ['s', 's'],
    ]);
  });
});

describe('diffValues (dvc/utils/diff.py)', () => {
  it('keeps changed keys only, with new - old for numbers', () => {
    expect(diffValues({ a: 1, b: 2, c: 'x' }, { a: 1, b: 5, c: 'y' }, false)).toEqual({ b: { old: 2, new: 5, diff: 3 }, c: { old: 'x', new: 'y' } });
  });

  it('shows a key missing on one side as null, without diff', () => {
    expect(diffValues({ a: 1 }, {}, false)).toEqual({ a: { old: 1, new: null } });
  });

  it('compares as Python does: 1 == 1.0 == True; a float side makes the diff a float', () => {
    expect(diffValues({ a: 1, b: true }, { a: new PyFloat(1), b: 1 }, false)).toEqual({});
    const d = diffValues({ a: 1 }, { a: new PyFloat(3) }, true).a!.diff;
    expect(d).toBeInstanceOf(PyFloat);
    expect((d as PyFloat).value).toBe(2);
  });

  it('with --all keeps unchanged keys (diff 0)', () => {
    expect(diffValues({ a: 1 }, { a: 1 }, true)).toEqual({ a: { old: 1, new: 1, diff: 0 } });
  });

  it('compares bare values under the empty key, and files of either side', () => {
    expect(diffValues(0.5, 0.75, false)).toEqual({ '': { old: 0.5, new: 0.75, diff: 0.25 } });
    expect(diffFiles(new Map([['a', { x: 1 }]]), new Map([['b', { y: 2 }]]), false)).toEqual({ a: { x: { old: 1, new: null } }, b: { y: { old: null, new: 2 } } });
  });
});

describe('parseMetrics', () => {
  it('keeps numbers, strings, booleans and mappings of them; drops lists, nulls and emptied mappings', () => {
    expect(parseMetrics('{"a": 1, "b": [1], "c": null, "d": {"e": []}, "f": "x", "g": true}', 'm.json')).toEqual({ a: 1, f: 'x', g: true });
    expect(parseMetrics('0.9\n', 'm.yaml')).toBe(0.9);
    expect(parseMetrics('0\n', 'm.yaml')).toEqual({});
  });

  it('reads TOML and keeps integral floats as floats', () => {
    const m = parseMetrics('a = 3.0\n[t]\nb = 2\n', 'm.toml') as Record<string, unknown>;
    expect(m.a).toBeInstanceOf(PyFloat);
    expect(m.t).toEqual({ b: 2 });
  });

  it('reads a CSV or TSV header and one row, typed as YAML types plain scalars', () => {
    expect(parseMetrics('acc,name,"q,x"\r\n0.9,fast,1\r\n', 'm.csv')).toEqual({ acc: 0.9, name: 'fast', 'q,x': 1 });
    expect(parseMetrics('a\tb\n1\t\n', 'm.tsv')).toEqual({ a: 1 });
    expect(parseMetrics('', 'm.csv')).toEqual({});
  });

  it('refuses tables it cannot read as one row, naming the file', () => {
    expect(() => parseMetrics('a\n1\n2\n', 'm.csv')).toThrow(/m\.csv: .*exactly one row of values, found 2/);
    expect(() => parseMetrics('a,b\n1\n', 'm.csv')).toThrow(/m\.csv:2: the row has 1 values for 2 columns/);
    expect(() => parseMetrics('a\n"1\n', 'm.csv')).toThrow(/m\.csv:2: unterminated quoted field/);
    expect(() => parseMetrics('{', 'm.json')).toThrow(/m\.json:1: malformed JSON/);
  });
});
