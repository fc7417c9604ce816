/**
 * Comparing metrics and params values between two versions, with DVC 3's rules
 * (dvc/utils/diff.py): nested mappings flattened to dotted keys, lists compared as their Python
 * text (`[1, 2]`), a key missing on one side shown as null, and a numeric `diff` (new - old)
 * when both sides are numbers (booleans count, as in Python).
 */
import { PyFloat } from '../util/py-json.js';
import { isParamMap, pyStr, type ParamScalar, type ParamValue } from './params-file.js';

/** A flattened value: what DVC's `format_dict` leaves (lists become their Python text). */
export type FlatValue = ParamScalar;

export interface Change {
  old: FlatValue;
  new: FlatValue;
  /** new - old, when both are numbers. */
  diff?: number | PyFloat;
}

/** file -> dotted key -> change; files and keys without changes left out (unless `withUnchanged`). */
export type DiffResult = Record<string, Record<string, Change>>;

/** `format_dict` then `flatten_dict.flatten(reducer="dot")`: empty mappings vanish. */
export function flattenValue(v: ParamValue, prefix = '', out = new Map<string, FlatValue>()): Map<string, FlatValue> {
  if (!isParamMap(v)) {
    out.set(prefix, Array.isArray(v) ? pyStr(v) : v);
    return out;
  }
  for (const k of Object.keys(v)) {
    const key = prefix === '' ? k : `${prefix}.${k}`;
    const child = v[k]!;
    if (isParamMap(child)) flattenValue(child, key, out);
    else out.set(key, Array.isArray(child) ? pyStr(child) : child);
  }
  return out;
}

function numeric(v: FlatValue): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (v instanceof PyFloat) return v.value;
  return undefined;
}

function isFloat(v: FlatValue): boolean {
  return v instanceof PyFloat || (typeof v === 'number' && !Number.isInteger(v));
}

/** Python's `==` between two flattened values (1 == 1.0 == True). */
export function sameValue(a: FlatValue, b: FlatValue): boolean {
  const x = numeric(a);
  const y = numeric(b);
  if (x !== undefined || y !== undefined) return x !== undefined && y !== undefined && (x === y || (Number.isNaN(x) && Number.isNaN(y) && a === b));
  return a === b;
}

function change(old: FlatValue, neu: FlatValue, withUnchanged: boolean): Change | undefined {
  if (!withUnchanged && sameValue(old, neu)) return undefined;
  const c: Change = { old, new: neu };
  const x = numeric(old);
  const y = numeric(neu);
  if (x !== undefined && y !== undefined) {
    const d = y - x;
    c.diff = (isFloat(old) || isFloat(neu)) && Number.isInteger(d) ? new PyFloat(d) : d;
  }
  return c;
}

/** DVC's `_flatten`: nothing for a missing or empty side, "unable to parse" for a non-mapping. */
function flatSide(v: ParamValue | undefined): (key: string) => FlatValue {
  if (v === undefined || (isParamMap(v) && Object.keys(v).length === 0)) return () => null;
  if (isParamMap(v)) {
    const flat = flattenValue(v);
    return (k) => (flat.has(k) ? flat.get(k)! : null);
  }
  return () => 'unable to parse';
}

/** The changes in one file between its old and new data (undefined: absent or unreadable). */
export function diffValues(old: ParamValue | undefined, neu: ParamValue | undefined, withUnchanged: boolean): Record<string, Change> {
  const out: Record<string, Change> = {};
  if (isParamMap(old) || isParamMap(neu)) {
    const keys = new Set<string>();
    for (const side of [old, neu]) if (isParamMap(side)) for (const k of flattenValue(side).keys()) keys.add(k);
    const o = flatSide(old);
    const n = flatSide(neu);
    for (const k of keys) {
      const c = change(o(k), n(k), withUnchanged);
      if (c) out[k] = c;
    }
    return out;
  }
  const scalar = (v: ParamValue | undefined): FlatValue => (v === undefined ? null : Array.isArray(v) ? pyStr(v) : (v as FlatValue));
  const c = change(scalar(old), scalar(neu), withUnchanged);
  if (c) out[''] = c;
  return out;
}

/** Every file of either side; files without changes left out. */
export function diffFiles(old: ReadonlyMap<string, ParamValue | undefined>, neu: ReadonlyMap<string, ParamValue | undefined>, withUnchanged: boolean): DiffResult {
  const out: DiffResult = {};
  for (const file of new Set([...old.keys(), ...neu.keys()])) {
    const d = diffValues(old.get(file) ?? {}, neu.get(file) ?? {}, withUnchanged);
    if (Object.keys(d).length > 0) out[file] = d;
  }
  return out;
}
