/**
 * The tables of `metrics show`, `metrics diff` and `params diff`, laid out as DVC's
 * dvc/compare.py lays them out, and their `--json` forms (DVC's shapes, keys sorted).
 */
import type { VersionResult } from '../../ops/versions.js';
import { isParamMap, pyStr, type ParamValue } from '../../pipeline/params-file.js';
import { flattenValue, type Change, type DiffResult, type FlatValue } from '../../pipeline/value-diff.js';
import { compareCodePoints, pyFloatRepr, PyFloat, type PyJson } from '../../util/py-json.js';
import type { Table } from './table.js';

/** DVC's default `--precision` for metrics. */
export const DEFAULT_PRECISION = 5;

const FILL = '-';

/** Python's `round(x, n)`: correctly rounded, ties to even. */
export function pyRound(x: number, n: number): number {
  if (!Number.isFinite(x)) return x;
  if (n < 0) {
    const p = 10 ** -n;
    const y = x / p;
    const r = Math.round(y);
    const even = Math.abs(y % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
    return even * p;
  }
  if (Math.abs(x) >= 1e21 || n > 99) return x;
  const up = Number(x.toFixed(n));
  // toFixed rounds exact ties away from zero; Python rounds them to even. A tie means x has at
  // most n+1 binary fractional digits, so toFixed(n + 1) is then exact and ends with 5.
  const longer = x.toFixed(n + 1);
  if (!Number.isInteger(x * 2 ** (n + 1)) || !longer.endsWith('5')) return up;
  const down = longer.slice(0, -1).replace(/\.$/, '');
  const last = down.replace(/[^0-9]/g, '').slice(-1);
  return Number(last) % 2 === 0 ? Number(down) : up;
}

/** DVC's `_format_field`: floats rounded to `precision` digits when given, Python's str() for all. */
export function formatField(v: FlatValue | undefined, precision?: number): string {
  if (v === null || v === undefined) return 'None';
  const isFloat = v instanceof PyFloat || (typeof v === 'number' && !Number.isInteger(v));
  if (isFloat && precision) {
    const r = pyRound(v instanceof PyFloat ? v.value : v, precision);
    return Number.isFinite(r) ? pyFloatRepr(r) : pyStr(r);
  }
  return pyStr(v);
}

/** `metrics show`: a row per version and file, a column per metric (sorted), `-` where missing. */
export function metricsTable(versions: readonly VersionResult[], opts: { byRevision: boolean; precision?: number }): Table {
  const keys = new Set<string>();
  const rows: { rev: string; path: string; values: Map<string, string> }[] = [];
  for (const v of versions) {
    for (const [path, r] of v.files ?? []) {
      const values = new Map<string, string>();
      const data = r.data ?? {};
      const flat = isParamMap(data) ? flattenValue(data) : new Map([['', data as FlatValue]]);
      for (const [k, val] of flat) {
        keys.add(k);
        values.set(k, formatField(val, opts.precision));
      }
      rows.push({ rev: v.name, path, values });
    }
  }
  const metricKeys = [...keys].sort(compareCodePoints);
  const headers = [...(opts.byRevision ? ['Revision'] : []), 'Path', ...metricKeys];
  return {
    headers,
    rows: rows.map((r) => [...(opts.byRevision ? [r.rev] : []), r.path, ...metricKeys.map((k) => r.values.get(k) ?? FILL)]),
  };
}

export interface DiffTableOptions {
  title: 'Metric' | 'Param';
  aRev: string;
  bRev: string;
  noPath?: boolean;
  /** The Change column (metrics only). */
  showChanges?: boolean;
  precision?: number;
}

/** `metrics diff` / `params diff`: a row per changed key, files and keys sorted. */
export function diffTable(diff: DiffResult, opts: DiffTableOptions): Table {
  const cell = (v: FlatValue | number | PyFloat | undefined) => (v === null || v === undefined ? FILL : formatField(v, opts.precision));
  const rows: string[][] = [];
  for (const file of Object.keys(diff).sort(compareCodePoints)) {
    const changes = diff[file]!;
    for (const key of Object.keys(changes).sort(compareCodePoints)) {
      const c: Change = changes[key]!;
      rows.push([
        ...(opts.noPath ? [] : [file]),
        key,
        cell(c.old),
        cell(c.new),
        ...(opts.showChanges ? [cell(c.diff)] : []),
      ]);
    }
  }
  const headers = [...(opts.noPath ? [] : ['Path']), opts.title, opts.aRev, opts.bRev, ...(opts.showChanges ? ['Change'] : [])];
  return { headers, rows };
}

function toJson(v: ParamValue | undefined): PyJson {
  if (v === undefined) return null;
  if (Array.isArray(v)) return v.map(toJson);
  if (isParamMap(v)) {
    const out: Record<string, PyJson> = {};
    for (const k of Object.keys(v)) out[k] = toJson(v[k]);
    return out;
  }
  return v;
}

/** `metrics show --json`: {version: {"data": {file: {"data": ...} | {"error": ...}}} | {"error": ...}}. */
export function versionsJson(versions: readonly VersionResult[]): PyJson {
  const out: Record<string, PyJson> = {};
  for (const v of versions) {
    if (v.error) {
      out[v.name] = { error: { type: v.error.type, msg: v.error.message } };
      continue;
    }
    const files: Record<string, PyJson> = {};
    for (const [path, r] of v.files ?? []) {
      files[path] = r.error ? { error: { type: r.error.type, msg: r.error.message } } : { data: toJson(r.data) };
    }
    out[v.name] = { data: files };
  }
  return out;
}

/** `metrics diff --json` / `params diff --json`: {file: {key: {"old", "new", "diff"?}}}. */
export function diffJson(diff: DiffResult): PyJson {
  const out: Record<string, PyJson> = {};
  for (const [file, changes] of Object.entries(diff)) {
    const keys: Record<string, PyJson> = {};
    for (const [key, c] of Object.entries(changes)) keys[key] = { old: c.old, new: c.new, ...(c.diff === undefined ? {} : { diff: c.diff }) };
    out[file] = keys;
  }
  return out;
}
