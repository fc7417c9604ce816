/**
 * Byte-exact `json.dumps(value, sort_keys=True)` as CPython writes it with the default
 * `ensure_ascii=True`: ", " and ": " separators, keys sorted by code point, and every character
 * outside printable ASCII escaped as lowercase \uXXXX (surrogate pairs above U+FFFF).
 */
export type PyJson = null | boolean | number | string | PyFloat | PyJson[] | { [key: string]: PyJson };

const SIMPLE_ESCAPES: Record<string, string> = {
  '"': '\\"',
  '\\': '\\\\',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  '\b': '\\b',
  '\f': '\\f',
};

const NEEDS_ESCAPE = /["\\]|[^\x20-\x7e]/;

export function pyJsonString(s: string): string {
  if (!NEEDS_ESCAPE.test(s)) return `"${s}"`;
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const ch = s[i]!;
    const code = s.charCodeAt(i);
    const simple = SIMPLE_ESCAPES[ch];
    if (simple) out += simple;
    else if (code >= 0x20 && code <= 0x7e) out += ch;
    // UTF-16 code units map 1:1 onto Python's surrogate-pair escapes.
    else out += `\\u${code.toString(16).padStart(4, '0')}`;
  }
  return out + '"';
}

function pyJsonNumber(n: number): string {
  if (Number.isNaN(n)) return 'NaN';
  if (!Number.isFinite(n)) return n > 0 ? 'Infinity' : '-Infinity';
  if (Number.isInteger(n) && Math.abs(n) < 2 ** 53 && !Object.is(n, -0)) return String(n);
  return pyFloatRepr(n);
}

/** Python's repr(float): shortest round-trip digits, scientific below 1e-4 and from 1e16 up. */
export function pyFloatRepr(n: number): string {
  if (n === 0) return Object.is(n, -0) ? '-0.0' : '0.0';
  const sign = n < 0 ? '-' : '';
  const [mant, expStr] = Math.abs(n).toExponential().split('e') as [string, string];
  const digits = mant.replace('.', '');
  const exp = Number(expStr);
  if (exp < -4 || exp >= 16) {
    const m = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    return `${sign}${m}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  }
  if (exp < 0) return `${sign}0.${'0'.repeat(-exp - 1)}${digits}`;
  const intPart = digits.slice(0, exp + 1).padEnd(exp + 1, '0');
  const frac = digits.slice(exp + 1);
  return `${sign}${intPart}.${frac || '0'}`;
}

export function pyJsonDumps(value: PyJson): string {
  if (value === null) return 'null';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') return pyJsonNumber(value);
  if (value instanceof PyFloat) return Number.isFinite(value.value) ? pyFloatRepr(value.value) : pyJsonNumber(value.value);
  if (typeof value === 'string') return pyJsonString(value);
  if (Array.isArray(value)) return `[${value.map(pyJsonDumps).join(', ')}]`;
  const keys = Object.keys(value).sort(compareCodePoints);
  return `{${keys.map((k) => `${pyJsonString(k)}: ${pyJsonDumps(value[k]!)}`).join(', ')}}`;
}

/** Orders strings by Unicode code point, as Python's `sorted()` does (JS sorts UTF-16 units). */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    // Surrogates (U+D800..U+DFFF) encode code points above U+FFFF and must sort after U+E000..U+FFFF.
    const xs = x >= 0xd800 && x <= 0xdfff;
    const ys = y >= 0xd800 && y <= 0xdfff;
    if (xs !== ys) return xs ? 1 : -1;
    return x - y;
  }
  return a.length - b.length;
}

/**
 * A Python float whose value is integral (`1.0`): JavaScript numbers cannot tell it from the int
 * `1`, but DVC writes, compares and hashes the two differently. The one class for such values.
 */
export class PyFloat {
  constructor(readonly value: number) {}
  toString(): string {
    return pyFloatRepr(this.value);
  }
  toJSON(): number {
    return this.value;
  }
}
