import { describe, expect, it } from 'vitest';
import { diffTable, formatField, metricsTable, pyRound } from '../../../src/cli/render/compare.js';
import { renderTable } from '../../../src/cli/render/table.js';
import { PyFloat } from '../../../src/util/py-json.js';

describe('renderTable', () => {
  const t = { headers: ['Path', 'accuracy', 'n'], rows: [['metrics.json', '0.8571', '30']] };

  it('pads each column to its widest cell, at least two past its header, and trims line ends (tabulate plain)', () => {
    expect(renderTable(t)).toBe('Path          accuracy    n\nmetrics.json  0.8571      30\n');
  });

  it('writes GitHub Markdown with a blank line after it, as DVC --md', () => {
    expect(renderTable(t, { markdown: true })).toBe(
      '| Path         | accuracy   | n   |\n|--------------|------------|-----|\n| metrics.json | 0.8571     | 30  |\n\n',
    );
  });

  it('prints nothing for a plain table without rows, the header for Markdown', () => {
    expect(renderTable({ headers: ['Path'], rows: [] })).toBe('');
    expect(renderTable({ headers: ['Path'], rows: [] }, { markdown: true })).toBe('| Path   |\n|--------|\n\n');
  });

  it('measures cells in characters, not UTF-16 units', () => {
    expect(renderTable({ headers: ['k'], rows: [['é𝄞'], ['ab']] })).toBe('k\né𝄞\nab\n');
    expect(renderTable({ headers: ['k', 'v'], rows: [['é𝄞', '1']] })).toBe('k    v\né𝄞   1\n');
  });
});

describe('Python rounding and str()', () => {
  it('rounds as round(x, n): correctly, exact ties to even', () => {
    expect(pyRound(0.10709999999999997, 5)).toBe(0.1071);
    expect(pyRound(0.125, 2)).toBe(0.12);
    expect(pyRound(0.375, 2)).toBe(0.38);
    expect(pyRound(2.675, 2)).toBe(2.67);
    expect(pyRound(-0.125, 2)).toBe(-0.12);
    expect(pyRound(2.5, 0)).toBe(2);
    expect(pyRound(1234.5, -2)).toBe(1200);
    expect(pyRound(1e300, 5)).toBe(1e300);
  });

  it('formats floats after rounding, leaves ints, booleans and strings alone', () => {
    expect(formatField(0.123456, 5)).toBe('0.12346');
    expect(formatField(new PyFloat(3), 5)).toBe('3.0');
    expect(formatField(1e-7, 5)).toBe('0.0');
    expect(formatField(1e-7)).toBe('1e-07');
    expect(formatField(7, 2)).toBe('7');
    expect(formatField(true, 2)).toBe('True');
    expect(formatField('fast', 2)).toBe('fast');
  });
});

describe('metrics and diff tables', () => {
  it('lays out DVC\'s metrics_table: sorted metric columns, - where a file lacks one', () => {
    const versions = [
      { name: 'workspace', files: new Map([['a.json', { data: { b: 1, a: { x: 0.5 } } }], ['bad.json', { error: { type: 'X', message: 'm' } }]]) },
      { name: 'main', files: new Map([['a.json', { data: 2 }]]) },
    ];
    expect(metricsTable(versions, { byRevision: true, precision: 5 })).toEqual({
      headers: ['Revision', 'Path', '', 'a.x', 'b'],
      rows: [
        ['workspace', 'a.json', '-', '0.5', '1'],
        ['workspace', 'bad.json', '-', '-', '-'],
        ['main', 'a.json', '2', '-', '-'],
      ],
    });
  });

  it('lays out DVC\'s diff_table, files and keys sorted', () => {
    const diff = { 'b.yaml': { z: { old: 1, new: 2, diff: 1 }, a: { old: null, new: 'x' } }, 'a.yaml': { k: { old: 0.1, new: 0.3, diff: 0.19999999999999998 } } };
    expect(diffTable(diff, { title: 'Metric', aRev: 'HEAD', bRev: 'workspace', showChanges: true, precision: 5 }).rows).toEqual([
      ['a.yaml', 'k', '0.1', '0.3', '0.2'],
      ['b.yaml', 'a', '-', 'x', '-'],
      ['b.yaml', 'z', '1', '2', '1'],
    ]);
    expect(diffTable(diff, { title: 'Param', aRev: 'v1', bRev: 'v2', noPath: true }).headers).toEqual(['Param', 'v1', 'v2']);
  });
});
