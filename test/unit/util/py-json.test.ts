import { describe, expect, it } from 'vitest';
import { compareCodePoints, pyFloatRepr, pyJsonDumps, pyJsonString } from '../../../src/util/py-json.js';
import { shuffled } from '../helpers.js';

describe('pyFloatRepr matches CPython repr(float)', () => {
  // Each pair: a JavaScript number, then what `repr()` prints for the same double in CPython 3.
  it.each([
    [0.1, '0.1'],
    [1e16, '1e+16'],
    [1e-5, '1e-05'],
    [123.0, '123.0'],
    [0.0001, '0.0001'],
    [0.00012, '0.00012'],
    [1.2345678e-6, '1.2345678e-06'],
    [1e-7, '1e-07'],
    [1e22, '1e+22'],
    [5e-324, '5e-324'],
    [1.7976931348623157e308, '1.7976931348623157e+308'],
    [-2.5e-7, '-2.5e-07'],
    [1234567890123456.7, '1234567890123456.8'],
    [9999999999999998.0, '9999999999999998.0'],
    [1000000000000000.5, '1000000000000000.5'],
    [-1e16, '-1e+16'],
    [0.5, '0.5'],
    [1 / 3, '0.3333333333333333'],
    [0.1 + 0.2, '0.30000000000000004'],
    [100.0, '100.0'],
    [1.5e300, '1.5e+300'],
    [123456789.123, '123456789.123'],
    [2 ** 53 + 2, '9007199254740994.0'],
    [0, '0.0'],
    [-0, '-0.0'],
  ])('repr(%d) == %s', (n, want) => {
    expect(pyFloatRepr(n)).toBe(want);
  });
});

describe('pyJsonDumps matches CPython json.dumps(value, sort_keys=True)', () => {
  it('numbers: integers stay integers, floats use repr, non-finite as Python writes them', () => {
    expect(pyJsonDumps([1, -7, 0, 2.5, 0.25, 1e-5, 1e16, NaN, Infinity, -Infinity])).toBe(
      '[1, -7, 0, 2.5, 0.25, 1e-05, 1e+16, NaN, Infinity, -Infinity]',
    );
  });

  it('nested values, key order by code point, escapes and separators', () => {
    const value = {
      b: [1, 2.5, null, true, false],
      a: 'x\u00e9\u{1F600}\b\f\n\r\t"\\/',
      A: {},
      '\u00e9': [],
      '\u{1F600}': 1,
      '\uffff': 2,
    };
    expect(pyJsonDumps(value)).toBe(
      '{"A": {}, "a": "x\\u00e9\\ud83d\\ude00\\b\\f\\n\\r\\t\\"\\\\/", "b": [1, 2.5, null, true, false], "\\u00e9": [], "\\uffff": 2, "\\ud83d\\ude00": 1}',
    );
  });

  it('escapes control characters and DEL as \\u00XX', () => {
    expect(pyJsonString('\x00\x01\x1f\x7f')).toBe('"\\u0000\\u0001\\u001f\\u007f"');
  });

  it('leaves printable ASCII alone', () => {
    const ascii = Array.from({ length: 0x7f - 0x20 }, (_, i) => String.fromCharCode(0x20 + i))
      .filter((c) => c !== '"' && c !== '\\')
      .join('');
    expect(pyJsonString(ascii)).toBe(`"${ascii}"`);
  });

  it('empty containers', () => {
    expect(pyJsonDumps([])).toBe('[]');
    expect(pyJsonDumps({})).toBe('{}');
    expect(pyJsonDumps('')).toBe('""');
  });
});

describe('compareCodePoints orders as Python sorted() does', () => {
  // Python: sorted(['b', 'a', 'A', 'a/b', 'a.b', 'a-b', '\ue000', '\uffff', '\U0001f600', 'é', 'ab', ''])
  const PYTHON_ORDER = ['', 'A', 'a', 'a-b', 'a.b', 'a/b', 'ab', 'b', 'é', '\ue000', '\uffff', '\u{1F600}', '\u{1F601}', '\u{10FFFF}'];

  it('sorts to Python order from any starting order', () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      expect(shuffled(PYTHON_ORDER, seed).sort(compareCodePoints)).toEqual(PYTHON_ORDER);
    }
  });

  it('is a consistent comparator', () => {
    for (const a of PYTHON_ORDER) {
      expect(compareCodePoints(a, a)).toBe(0);
      for (const b of PYTHON_ORDER) expect(Math.sign(compareCodePoints(a, b)) + Math.sign(compareCodePoints(b, a))).toBe(0);
    }
  });

  it('a prefix sorts first', () => {
    expect(compareCodePoints('a', 'a/b')).toBeLessThan(0);
    expect(compareCodePoints('\u{1F600}', '\u{1F600}a')).toBeLessThan(0);
  });
});
