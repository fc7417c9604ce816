/**
 * Params files as DVC reads them (dvc/utils/serialize): YAML by default, JSON for `.json`, TOML for
 * `.toml`, and for `.py` the literal top-level assignments and class attributes that Python's `ast`
 * would give (no Python needed). Values keep the one distinction JavaScript numbers lose: a float
 * with an integral value (`1.0`, `1e3`) is a `PyFloat` when asked for, because Python prints it as
 * `1.0` and DVC writes that into commands and dvc.lock.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { Document, Tags } from 'yaml';
import { FileFormatError, TroveError, errnoOf } from '../errors.js';
import { yaml } from '../repo/pointer-file.js';
import { pyFloatRepr, PyFloat } from '../util/py-json.js';

/** A Python float whose value is integral (`1.0`): a JS number cannot tell it from the int `1`. */
export { PyFloat };

export type ParamScalar = null | boolean | number | string | PyFloat;
export type ParamValue = ParamScalar | ParamValue[] | ParamMap;
export interface ParamMap {
  [key: string]: ParamValue;
}

export interface ReadParamsOptions {
  /** Integral floats as `PyFloat` (templating, exact dumps); plain numbers otherwise (the default). */
  pyFloats?: boolean;
  /**
   * A faster YAML reader to try first (dvc-yaml's block parser); it returns undefined for what
   * it does not handle, and integral floats as PyFloat.
   */
  fastYaml?: (text: string, file: string) => ParamValue | undefined;
}

export function isParamMap(v: unknown): v is ParamMap {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof PyFloat);
}

/** Sets a key on a plain object, `__proto__` included (as data, not as the prototype). */
export function setKey(obj: ParamMap, key: string, value: ParamValue): void {
  if (key === '__proto__') Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
  else obj[key] = value;
}

function hasOwn(obj: object, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(obj, key);
}

/**
 * The value at a dotted key (`train.lr`, `layers.0`), or undefined. As DVC's params lookup does,
 * a list is indexed by a numeric segment.
 */
export function paramAt(data: ParamValue | undefined, key: string): ParamValue | undefined {
  let cur: ParamValue | undefined = data;
  for (const part of key.split('.')) {
    if (Array.isArray(cur)) {
      if (!/^\d+$/.test(part)) return undefined;
      cur = cur[Number(part)];
    } else if (isParamMap(cur)) {
      if (!hasOwn(cur, part)) return undefined;
      cur = cur[part];
    } else {
      return undefined;
    }
  }
  return cur;
}

/** `PyFloat`s back to plain numbers, everything else unchanged (a copy where needed). */
export function toPlain(v: ParamValue): ParamValue {
  if (v instanceof PyFloat) return v.value;
  if (Array.isArray(v)) return v.map(toPlain);
  if (isParamMap(v)) {
    const out: ParamMap = {};
    for (const k of Object.keys(v)) setKey(out, k, toPlain(v[k]!));
    return out;
  }
  return v;
}

/** Python's `str()` of a params value: `True`, `None`, `1.0`, `1e-05`, `[1, 'a']`, `{'a': 1}`. */
export function pyStr(v: ParamValue | undefined): string {
  if (typeof v === 'string') return v;
  return pyRepr(v);
}

function pyRepr(v: ParamValue | undefined): string {
  if (v === null || v === undefined) return 'None';
  if (v === true) return 'True';
  if (v === false) return 'False';
  if (typeof v === 'number') return pyNumber(v);
  if (v instanceof PyFloat) return pyFloatRepr(v.value);
  if (typeof v === 'string') return pyStringRepr(v);
  if (Array.isArray(v)) return `[${v.map(pyRepr).join(', ')}]`;
  return `{${Object.keys(v).map((k) => `${pyStringRepr(k)}: ${pyRepr(v[k])}`).join(', ')}}`;
}

const floatReprs = new Map<number, string>();

/** str() of a Python int or float held in a JS number (an integral value is an int). */
export function pyNumber(n: number): string {
  if (Number.isNaN(n)) return 'nan';
  if (!Number.isFinite(n)) return n > 0 ? 'inf' : '-inf';
  if (Number.isInteger(n) && !Object.is(n, -0)) return Math.abs(n) < 1e21 ? String(n) : BigInt(n).toString();
  // Templated commands repeat the same few params thousands of times.
  let r = floatReprs.get(n);
  if (r === undefined) {
    r = pyFloatRepr(n);
    if (floatReprs.size < 4096) floatReprs.set(n, r);
  }
  return r;
}

function pyStringRepr(s: string): string {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = quote;
  for (const ch of s) {
    if (ch === quote || ch === '\\') out += `\\${ch}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (ch < ' ' || ch === '\x7f') out += `\\x${ch.charCodeAt(0).toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return out + quote;
}

// ---------------------------------------------------------------------------------------------
// Reading

/** Reads a params file; throws a user error naming `display` when it is missing or malformed. */
export function readParamsFile(absPath: string, display: string, opts: ReadParamsOptions = {}): ParamMap {
  let text: string;
  try {
    text = fs.readFileSync(absPath, 'utf8');
  } catch (e) {
    const code = errnoOf(e);
    if (code === 'ENOENT' || code === 'ENOTDIR') throw new TroveError('PARAMS_FILE_MISSING', `'${display}' does not exist`);
    if (code === 'EISDIR') throw new TroveError('PARAMS_FILE_MISSING', `'${display}' is a directory`);
    throw e;
  }
  return parseParams(text, display, opts);
}

/**
 * Parses text in the format its file name's extension says (YAML for any other), as DVC's
 * `load_path` does: any value, not only a mapping (a metrics file may hold a bare number).
 * Integral floats come back as PyFloat.
 */
export function parseStructured(text: string, file: string, opts: Pick<ReadParamsOptions, 'fastYaml'> = {}): ParamValue {
  const ext = path.posix.extname(file).toLowerCase();
  if (ext === '.json') return parseJsonParams(text, file);
  if (ext === '.toml') return parseTomlParams(text, file);
  if (ext === '.py') return parsePyParams(text, file);
  return opts.fastYaml?.(text, file) ?? parseYamlParams(text, file);
}

/** Parses params text in the format its file name's extension says (YAML for any other). */
export function parseParams(text: string, file: string, opts: ReadParamsOptions = {}): ParamMap {
  const data = parseStructured(text, file, opts);
  if (!isParamMap(data)) {
    throw new FileFormatError(file, undefined, `expected a dictionary, got '${pyTypeName(data)}'`, 'a params file holds a mapping of names to values');
  }
  return opts.pyFloats ? data : (toPlain(data) as ParamMap);
}

export function pyTypeName(v: unknown): string {
  if (v === null || v === undefined) return 'NoneType';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'float';
  if (v instanceof PyFloat) return 'float';
  if (typeof v === 'string') return 'str';
  if (Array.isArray(v)) return 'list';
  return 'dict';
}

// YAML -----------------------------------------------------------------------------------------

const FLOAT_TAG = 'tag:yaml.org,2002:float';

type ResolveFn = (...args: unknown[]) => unknown;

/** The core schema, with integral floats resolved to PyFloat so `1.0` survives parsing. */
function pyFloatTags(tags: Tags): Tags {
  return tags.map((t) => {
    if (typeof t !== 'object' || t === null || !('tag' in t) || t.tag !== FLOAT_TAG || !('resolve' in t)) return t;
    const orig = t.resolve as ResolveFn;
    const resolve: ResolveFn = (...args) => {
      const r = orig(...args);
      const n = typeof r === 'number' ? r : (r as { value: unknown }).value;
      return typeof n === 'number' && Number.isInteger(n) ? new PyFloat(n) : n;
    };
    return { ...t, resolve } as typeof t;
  });
}

/** Options for parsing YAML as ruamel's safe loader would: YAML 1.2 core, `<<` merges, floats kept. */
export const PY_YAML_OPTIONS = { customTags: pyFloatTags, merge: true, prettyErrors: false } as const;

/** Parses YAML keeping integral floats (see PY_YAML_OPTIONS); errors are left in `doc.errors`. */
export function parseYamlDocument(text: string, extra: Record<string, unknown> = {}): Document {
  return yaml().parseDocument(text, { ...PY_YAML_OPTIONS, ...extra });
}

function parseYamlParams(text: string, file: string): ParamValue {
  const { LineCounter } = yaml();
  const lc = new LineCounter();
  const doc = parseYamlDocument(text, { lineCounter: lc, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const err = doc.errors[0]!;
    throw new FileFormatError(file, lc.linePos(err.pos[0]).line || 1, `malformed YAML: ${err.message.split('\n')[0]}`, 'fix the YAML syntax');
  }
  // An empty document is an empty mapping, as DVC's `yaml.load(text) or {}`.
  const data = doc.toJS({ maxAliasCount: -1 }) as unknown;
  return data === null || data === undefined ? {} : fromJs(data);
}

/** Plain JS from a parser into ParamValue: dates to ISO strings, big ints to numbers. */
function fromJs(v: unknown): ParamValue {
  if (v === null || v === undefined) return null;
  if (typeof v === 'boolean' || typeof v === 'string' || v instanceof PyFloat) return v;
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  if (v instanceof Date) return v.toISOString();
  if (Array.isArray(v)) return v.map(fromJs);
  if (v instanceof Map) {
    const out: ParamMap = {};
    for (const [k, val] of v) setKey(out, String(k), fromJs(val));
    return out;
  }
  if (typeof v === 'object') {
    const out: ParamMap = {};
    for (const k of Object.keys(v)) setKey(out, k, fromJs((v as Record<string, unknown>)[k]));
    return out;
  }
  return String(v);
}

// JSON (Python's json.loads: NaN/Infinity accepted, duplicate keys keep the last) ----------------

function parseJsonParams(text: string, file: string): ParamValue {
  let i = 0;
  const fail = (msg: string): never => {
    const line = text.slice(0, i).split('\n').length;
    throw new FileFormatError(file, line, `malformed JSON: ${msg}`, 'fix the JSON syntax');
  };
  const ws = () => {
    while (i < text.length && (text[i] === ' ' || text[i] === '\t' || text[i] === '\n' || text[i] === '\r')) i++;
  };
  const value = (): ParamValue => {
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      const out: ParamMap = {};
      ws();
      if (text[i] === '}') {
        i++;
        return out;
      }
      for (;;) {
        ws();
        if (text[i] !== '"') fail('expected a string key');
        const k = str();
        ws();
        if (text[i] !== ':') fail("expected ':'");
        i++;
        setKey(out, k, value());
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === '}') {
          i++;
          return out;
        }
        fail("expected ',' or '}'");
      }
    }
    if (c === '[') {
      i++;
      const out: ParamValue[] = [];
      ws();
      if (text[i] === ']') {
        i++;
        return out;
      }
      for (;;) {
        out.push(value());
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === ']') {
          i++;
          return out;
        }
        fail("expected ',' or ']'");
      }
    }
    if (c === '"') return str();
    for (const [word, v] of [['true', true], ['false', false], ['null', null], ['NaN', NaN], ['Infinity', Infinity], ['-Infinity', -Infinity]] as const) {
      if (text.startsWith(word, i)) {
        i += word.length;
        return v;
      }
    }
    const m = /^-?(?:0|[1-9]\d*)(\.\d+)?([eE][-+]?\d+)?/.exec(text.slice(i, i + 400));
    if (!m) return fail(c === undefined ? 'unexpected end of data' : `unexpected character '${c}'`);
    i += m[0].length;
    const n = Number(m[0]);
    const isFloat = m[1] !== undefined || m[2] !== undefined;
    return isFloat && Number.isInteger(n) ? new PyFloat(n) : n;
  };
  const str = (): string => {
    i++; // opening quote
    let out = '';
    for (;;) {
      const j = i;
      while (i < text.length && text[i] !== '"' && text[i] !== '\\' && text.charCodeAt(i) >= 0x20) i++;
      out += text.slice(j, i);
      if (i >= text.length) fail('unterminated string');
      const c = text[i]!;
      if (c === '"') {
        i++;
        return out;
      }
      if (c !== '\\') fail('control character in string');
      const e = text[i + 1];
      const simple: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };
      if (e !== undefined && simple[e] !== undefined) {
        out += simple[e];
        i += 2;
      } else if (e === 'u' && /^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) {
        out += String.fromCharCode(parseInt(text.slice(i + 2, i + 6), 16));
        i += 6;
      } else {
        fail('invalid escape');
      }
    }
  };
  const v = value();
  ws();
  if (i < text.length) fail('extra data after the value');
  return v;
}

// TOML -----------------------------------------------------------------------------------------

type SmolToml = typeof import('smol-toml');
let smolToml: SmolToml | undefined;

function parseTomlParams(text: string, file: string): ParamValue {
  // Loaded on first use: most repositories have no TOML params.
  smolToml ??= createRequire(import.meta.url)('smol-toml') as SmolToml;
  let data: unknown;
  try {
    // Integers as bigint, so that every plain number is a float.
    data = smolToml.parse(text, { integersAsBigInt: true });
  } catch (e) {
    const line = (e as { line?: number }).line;
    const msg = e instanceof Error ? e.message.split('\n')[0] : String(e);
    throw new FileFormatError(file, line, `malformed TOML: ${msg}`, 'fix the TOML syntax');
  }
  return fromToml(data);
}

function fromToml(v: unknown): ParamValue {
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'number') return Number.isInteger(v) ? new PyFloat(v) : v;
  if (Array.isArray(v)) return v.map(fromToml);
  if (v instanceof Date) return fromJs(v);
  if (typeof v === 'object' && v !== null) {
    const out: ParamMap = {};
    for (const k of Object.keys(v)) setKey(out, k, fromToml((v as Record<string, unknown>)[k]));
    return out;
  }
  return fromJs(v);
}

// Python ----------------------------------------------------------------------------------------

interface PyToken {
  /** name, num, str (value decoded), op, bad (a token literal_eval cannot take: f-string, bytes). */
  t: 'name' | 'num' | 'str' | 'op' | 'bad';
  v: string;
}

interface PyLine {
  indent: number;
  line: number;
  toks: PyToken[];
}

const PY_OPS = ['**=', '//=', '>>=', '<<=', '...', '->', ':=', '==', '!=', '<=', '>=', '+=', '-=', '*=', '/=', '%=', '&=', '|=', '^=', '@=', '**', '//', '<<', '>>'];

/** Splits Python source into logical lines of tokens, as the tokenizer would (brackets join lines). */
function pyLogicalLines(text: string, file: string): PyLine[] {
  const lines: PyLine[] = [];
  let i = 0;
  let line = 1;
  let depth = 0;
  let cur: PyLine | undefined;
  let atLineStart = true;
  let indent = 0;
  const fail = (msg: string): never => {
    throw new FileFormatError(file, line, `Python file structure is corrupted: ${msg}`, 'fix the Python syntax');
  };
  const push = (tok: PyToken) => {
    if (!cur) {
      cur = { indent, line, toks: [] };
      lines.push(cur);
    }
    cur.toks.push(tok);
  };
  const endLogical = () => {
    cur = undefined;
    atLineStart = true;
  };
  while (i < text.length) {
    const c = text[i]!;
    if (atLineStart && depth === 0) {
      // Measure indentation of a new physical line.
      let col = 0;
      while (i < text.length && (text[i] === ' ' || text[i] === '\t' || text[i] === '\f')) {
        col = text[i] === '\t' ? (Math.floor(col / 8) + 1) * 8 : col + 1;
        i++;
      }
      indent = col;
      atLineStart = false;
      continue;
    }
    if (c === '\n') {
      line++;
      i++;
      if (depth === 0) endLogical();
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\r' || c === '\f') {
      i++;
      continue;
    }
    if (c === '#') {
      while (i < text.length && text[i] !== '\n') i++;
      continue;
    }
    if (c === '\\' && (text[i + 1] === '\n' || (text[i + 1] === '\r' && text[i + 2] === '\n'))) {
      i += text[i + 1] === '\n' ? 2 : 3;
      line++;
      continue;
    }
    if (c === ';' && depth === 0) {
      i++;
      const ind = cur?.indent ?? indent;
      cur = undefined;
      indent = ind;
      continue;
    }
    // Strings, with an optional prefix.
    const sm = /^([rRbBuUfF]{0,2})('''|"""|'|")/.exec(text.slice(i, i + 5));
    if (sm && (sm[1] === '' || /^(?:[rR]|[uU]|[bB]|[fF]|[rR][bB]|[bB][rR]|[rR][fF]|[fF][rR])$/.test(sm[1]!))) {
      const prefix = sm[1]!.toLowerCase();
      const q = sm[2]!;
      let j = i + sm[0].length;
      let raw = '';
      for (;;) {
        if (j >= text.length) fail('unterminated string');
        const d = text[j]!;
        if (d === '\\') {
          raw += text.slice(j, j + 2);
          if (text[j + 1] === '\n') line++;
          j += 2;
          continue;
        }
        if (text.startsWith(q, j)) {
          j += q.length;
          break;
        }
        if (d === '\n') {
          if (q.length === 1) fail('end of line in a string');
          line++;
        }
        raw += d;
        j++;
      }
      i = j;
      if (prefix.includes('f') || prefix.includes('b')) push({ t: 'bad', v: raw });
      else push({ t: 'str', v: prefix.includes('r') ? raw : pyUnescape(raw) });
      continue;
    }
    const num = /^(?:0[xX][0-9a-fA-F_]+|0[oO][0-7_]+|0[bB][01_]+|(?:\d[\d_]*\.?[\d_]*|\.\d[\d_]*)(?:[eE][-+]?\d[\d_]*)?[jJ]?)/.exec(text.slice(i, i + 200));
    if (num && /^\.?\d/.test(text.slice(i, i + 2))) {
      push({ t: 'num', v: num[0] });
      i += num[0].length;
      continue;
    }
    const name = /^[A-Za-z_\u0080-\uffff][\w\u0080-\uffff]*/.exec(text.slice(i, i + 256));
    if (name) {
      push({ t: 'name', v: name[0] });
      i += name[0].length;
      continue;
    }
    if ('([{'.includes(c)) depth++;
    if (')]}'.includes(c)) {
      depth--;
      if (depth < 0) fail(`unmatched '${c}'`);
    }
    const op = PY_OPS.find((o) => text.startsWith(o, i)) ?? c;
    push({ t: 'op', v: op });
    i += op.length;
  }
  if (depth > 0) fail('unclosed bracket at end of file');
  return lines;
}

function pyUnescape(raw: string): string {
  return raw.replace(/\\(\n|[\\'"abfnrtv]|x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|[0-7]{1,3})/g, (_m, e: string) => {
    switch (e[0]) {
      case '\n':
        return '';
      case 'a':
        return '\x07';
      case 'b':
        return '\b';
      case 'f':
        return '\f';
      case 'n':
        return '\n';
      case 'r':
        return '\r';
      case 't':
        return '\t';
      case 'v':
        return '\v';
      case 'x':
      case 'u':
      case 'U':
        return String.fromCodePoint(parseInt(e.slice(1), 16));
      default:
        return /^[0-7]/.test(e) ? String.fromCharCode(parseInt(e, 8)) : e;
    }
  });
}

class NotLiteral extends Error {}

/** ast.literal_eval over tokens: strings, numbers, True/False/None, lists, tuples, sets, dicts. */
function pyLiteral(toks: PyToken[]): ParamValue {
  let i = 0;
  const bad = (): never => {
    throw new NotLiteral();
  };
  const peek = () => toks[i];
  const isOp = (v: string) => toks[i]?.t === 'op' && toks[i]!.v === v;
  const number = (s: string, neg: boolean): ParamValue => {
    if (/[jJ]$/.test(s)) bad(); // complex
    const clean = s.replace(/_/g, '');
    let n: number;
    let float = false;
    if (/^0[xX]/.test(clean)) n = parseInt(clean.slice(2), 16);
    else if (/^0[oO]/.test(clean)) n = parseInt(clean.slice(2), 8);
    else if (/^0[bB]/.test(clean)) n = parseInt(clean.slice(2), 2);
    else {
      n = Number(clean);
      float = /[.eE]/.test(clean);
    }
    if (Number.isNaN(n)) bad();
    if (neg) n = -n;
    return float && Number.isInteger(n) ? new PyFloat(n) : n;
  };
  const seq = (close: string): { items: ParamValue[]; trailingComma: boolean } => {
    const items: ParamValue[] = [];
    let trailingComma = false;
    while (!isOp(close)) {
      items.push(expr());
      trailingComma = false;
      if (isOp(',')) {
        i++;
        trailingComma = true;
      } else if (!isOp(close)) bad();
    }
    i++;
    return { items, trailingComma };
  };
  const atom = (): ParamValue => {
    const tok = peek();
    if (!tok) return bad();
    i++;
    if (tok.t === 'str') {
      let s = tok.v;
      while (peek()?.t === 'str') s += toks[i++]!.v;
      if (peek()?.t === 'bad') bad();
      return s;
    }
    if (tok.t === 'num') return number(tok.v, false);
    if (tok.t === 'name') {
      if (tok.v === 'True') return true;
      if (tok.v === 'False') return false;
      if (tok.v === 'None') return null;
      return bad();
    }
    if (tok.t === 'op') {
      if (tok.v === '-' || tok.v === '+') {
        const n = peek();
        if (n?.t !== 'num') return bad();
        i++;
        return number(n.v, tok.v === '-');
      }
      if (tok.v === '[') return seq(']').items;
      if (tok.v === '(') {
        const { items, trailingComma } = seq(')');
        // `(x)` is x; `(x,)` and `()` are tuples.
        return items.length === 1 && !trailingComma ? items[0]! : items;
      }
      if (tok.v === '{') {
        if (isOp('}')) {
          i++;
          return {};
        }
        const first = expr();
        if (isOp(':')) {
          const out: ParamMap = {};
          i++;
          setKey(out, pyDictKey(first), expr());
          while (isOp(',')) {
            i++;
            if (isOp('}')) break;
            const k = expr();
            if (!isOp(':')) bad();
            i++;
            setKey(out, pyDictKey(k), expr());
          }
          if (!isOp('}')) bad();
          i++;
          return out;
        }
        const items = [first];
        while (isOp(',')) {
          i++;
          if (isOp('}')) break;
          items.push(expr());
        }
        if (!isOp('}')) bad();
        i++;
        return dedupe(items);
      }
    }
    return bad();
  };
  const expr = (): ParamValue => {
    const v = atom();
    const next = peek();
    if (next && !(next.t === 'op' && [',', ':', ')', ']', '}'].includes(next.v))) bad();
    return v;
  };
  // A bare top-level comma makes a tuple (`x = 1, 2`).
  const first = expr();
  if (i === toks.length) return first;
  const items = [first];
  while (isOp(',')) {
    i++;
    if (i === toks.length) break;
    items.push(expr());
  }
  if (i !== toks.length) bad();
  return items;
}

function pyDictKey(k: ParamValue): string {
  if (isParamMap(k) || Array.isArray(k)) throw new NotLiteral(); // unhashable (tuples: rare, skipped)
  return pyStr(k);
}

function dedupe(items: ParamValue[]): ParamValue[] {
  const seen = new Set<string>();
  return items.filter((v) => {
    const k = `${typeof v}:${pyStr(v)}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/** The index of the single top-level `=` of an assignment, or -1 (none, or chained `a = b = 1`). */
function assignIndex(toks: PyToken[]): number {
  let depth = 0;
  let at = -1;
  for (let k = 0; k < toks.length; k++) {
    const t = toks[k]!;
    if (t.t !== 'op') continue;
    if ('([{'.includes(t.v)) depth++;
    else if (')]}'.includes(t.v)) depth--;
    else if (t.v === '=' && depth === 0) {
      if (at !== -1) return -1;
      at = k;
    }
  }
  return at;
}

/** DVC's `_ast_tree_to_dict` over a block of logical lines, at one indentation. */
function pyBlock(lines: PyLine[], from: number, to: number, onlySelf: boolean, out: ParamMap): void {
  let k = from;
  while (k < to) {
    const stmt = lines[k]!;
    // The statement's body: the lines after it that are indented deeper.
    let end = k + 1;
    while (end < to && lines[end]!.indent > stmt.indent) end++;
    const toks = stmt.toks;
    const head = toks[0]!;
    if (head.t === 'name' && head.v === 'class' && toks[1]?.t === 'name') {
      if (!onlySelf) {
        const cls: ParamMap = {};
        const colon = toks.findIndex((t, n) => n > 1 && t.t === 'op' && t.v === ':');
        if (colon !== -1 && colon < toks.length - 1) {
          pyStatement(toks.slice(colon + 1), false, cls);
        } else {
          pyBlock(lines, k + 1, end, false, cls);
        }
        setKey(out, toks[1].v, cls);
      }
    } else if (head.t === 'name' && head.v === 'def' && toks[1]?.v === '__init__') {
      pyBlock(lines, k + 1, end, true, out);
    } else {
      pyStatement(toks, onlySelf, out);
    }
    k = end;
  }
}

function pyStatement(toks: PyToken[], onlySelf: boolean, out: ParamMap): void {
  const eq = assignIndex(toks);
  if (eq <= 0 || eq === toks.length - 1) return;
  const target = toks.slice(0, eq);
  let name: string | undefined;
  // `x = ...`, `x: T = ...` (annotated), `self.x = ...` (and `self.x: T = ...`).
  const annotated = target.length > 1 && target[1]!.t === 'op' && target[1]!.v === ':';
  const selfAttr = target.length >= 3 && target[0]!.v === 'self' && target[1]!.v === '.' && target[2]!.t === 'name';
  if (target[0]!.t === 'name' && (target.length === 1 || annotated) && !onlySelf) name = target[0]!.v;
  else if (selfAttr && (target.length === 3 || (target[3]!.t === 'op' && target[3]!.v === ':'))) name = target[2]!.v;
  if (!name || ['class', 'def', 'return', 'if', 'for', 'while', 'with', 'lambda'].includes(name)) return;
  try {
    setKey(out, name, pyLiteral(toks.slice(eq + 1)));
  } catch (e) {
    if (!(e instanceof NotLiteral)) throw e;
  }
}

/** The params DVC reads from a `.py` file: literal assignments, classes as nested mappings. */
export function parsePyParams(text: string, file: string): ParamMap {
  const lines = pyLogicalLines(text, file).filter((l) => l.toks.length > 0);
  // Decorator lines belong to the definition that follows.
  const stmts = lines.filter((l) => !(l.toks[0]!.t === 'op' && l.toks[0]!.v === '@'));
  const out: ParamMap = {};
  if (stmts.length > 0 && stmts[0]!.indent !== 0) {
    throw new FileFormatError(file, stmts[0]!.line, 'Python file structure is corrupted: unexpected indent');
  }
  pyBlock(stmts, 0, stmts.length, false, out);
  return out;
}
