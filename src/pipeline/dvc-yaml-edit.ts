/**
 * Edits `dvc.yaml` as text, the way DVC's ruamel round trip does but closer: every byte outside
 * the keys an edit touches stays as it was (comments, blank lines, quoting, key order, indentation).
 *
 * The file is parsed with the `yaml` package's Document API only to find where things are (node
 * ranges); the edit is a list of splices into the original text. New content (a new stage, a
 * changed list) is written the way DVC 3 writes it with ruamel: block style, sequences not
 * indented under their key, plain scalars where YAML allows them, single quotes otherwise (double
 * quotes when the text has a quote or a line break), and long values folded past column 80.
 * When a file uses another indentation (4-space mappings, indented sequences), new content
 * follows the file's own style.
 */
import type { Document, Node as YamlNode, Pair, Scalar, YAMLMap, YAMLSeq } from 'yaml';
import { FileFormatError, TroveError } from '../errors.js';
import { writeFileAtomic } from '../fs/atomic-write.js';
import { yaml } from '../repo/pointer-file.js';
import { compareCodePoints } from '../util/py-json.js';
import { DVC_STYLE, emitPair, emitScalar, emitSeqItem, type YamlStyle } from './ruamel-yaml.js';

/** A YAML value to write. Maps are `Map`s so that key order is exactly the insertion order. */
export type YamlData = string | number | boolean | null | YamlData[] | YamlMapData;
export type YamlMapData = Map<string, YamlData>;

/** The order DVC writes a stage's fields in (`serialize.to_pipeline_file`). */
export const STAGE_KEY_ORDER = ['desc', 'cmd', 'wdir', 'deps', 'params', 'outs', 'metrics', 'plots', 'frozen', 'always_changed', 'meta'] as const;

export const DEFAULT_PARAMS_FILE = 'params.yaml';

// ---------------------------------------------------------------------------------------------
// What a stage looks like in dvc.yaml (DVC's to_pipeline_file)
// ---------------------------------------------------------------------------------------------

export interface OutSpec {
  /** As written (relative to the stage's wdir). */
  path: string;
  kind: 'outs' | 'metrics' | 'plots';
  cache: boolean;
  persist: boolean;
  /** desc / type / labels / meta, in that order, kept from an earlier definition (`-f`). */
  annotations?: YamlMapData;
  remote?: string;
  /** false writes `push: false`. */
  push?: boolean;
}

export interface ParamsSpec {
  /** As written (relative to the stage's wdir). */
  file: string;
  /** Dotted keys or sections; empty tracks the whole file. */
  keys: string[];
}

export interface StageSpec {
  cmd: string | string[];
  /** Relative to the dvc.yaml's directory, posix; '' or '.' is the default and is not written. */
  wdir?: string;
  deps: string[];
  params: ParamsSpec[];
  outs: OutSpec[];
  desc?: string;
  frozen?: boolean;
  alwaysChanged?: boolean;
  meta?: YamlData;
}

function sortedUnique(values: Iterable<string>): string[] {
  return [...new Set(values)].sort(compareCodePoints);
}

/**
 * A stage entry with DVC's field order and sorting: deps sorted; params keys of `params.yaml`
 * first (sorted), then one `{file: [keys]}` per other file in file order (an empty list is
 * written as null: the whole file); outputs sorted by path and split into outs, metrics and
 * plots, flags in the order annotations, `cache: false`, `persist: true`, `remote`,
 * `push: false`. Empty fields are left out.
 */
export function buildStageEntry(spec: StageSpec): YamlMapData {
  const entry: YamlMapData = new Map();
  const set = (key: string, value: YamlData | undefined) => {
    if (value === undefined || value === null || value === false || value === '') return;
    if (Array.isArray(value) && value.length === 0) return;
    if (value instanceof Map && value.size === 0) return;
    entry.set(key, value);
  };
  set('desc', spec.desc);
  set('cmd', Array.isArray(spec.cmd) ? [...spec.cmd] : spec.cmd);
  set('wdir', spec.wdir === '.' ? undefined : spec.wdir);
  set('deps', sortedUnique(spec.deps));

  // Merge params per file first (DVC's parse_params), then serialize as _serialize_params_keys.
  const byFile = new Map<string, string[]>();
  for (const p of spec.params) byFile.set(p.file, [...(byFile.get(p.file) ?? []), ...p.keys]);
  let params: YamlData[] = [];
  for (const file of [...byFile.keys()].sort(compareCodePoints)) {
    const keys = sortedUnique(byFile.get(file)!);
    if (keys.length > 0 && file === DEFAULT_PARAMS_FILE) params = [...keys, ...params];
    else params.push(new Map([[file, keys.length > 0 ? keys : null]]));
  }
  set('params', params);

  const buckets: Record<OutSpec['kind'], YamlData[]> = { outs: [], metrics: [], plots: [] };
  for (const out of [...spec.outs].sort((a, b) => compareCodePoints(a.path, b.path))) {
    const flags: YamlMapData = new Map(out.annotations ?? []);
    if (!out.cache) flags.set('cache', false);
    if (out.persist) flags.set('persist', true);
    if (out.remote) flags.set('remote', out.remote);
    if (out.push === false) flags.set('push', false);
    buckets[out.kind].push(flags.size === 0 ? out.path : new Map([[out.path, flags]]));
  }
  set('outs', buckets.outs);
  set('metrics', buckets.metrics);
  set('plots', buckets.plots);
  set('frozen', spec.frozen);
  set('always_changed', spec.alwaysChanged);
  set('meta', spec.meta);
  return entry;
}

// ---------------------------------------------------------------------------------------------
// Writing YAML as ruamel does (ruamel-yaml.ts)
// ---------------------------------------------------------------------------------------------

export { DVC_STYLE, emitPair, emitScalar, emitSeqItem, type YamlStyle };

function isScalarData(v: YamlData): v is string | number | boolean | null {
  return v === null || typeof v !== 'object';
}

/** A new dvc.yaml holding these stages, byte for byte as DVC writes one. */
export function renderDvcYaml(stages: [string, YamlMapData][]): string {
  return `stages:\n${stages.map(([name, entry]) => emitPair(name, entry, 2)).join('')}`;
}

// ---------------------------------------------------------------------------------------------
// Editing an existing file in place
// ---------------------------------------------------------------------------------------------

interface Splice {
  start: number;
  end: number;
  text: string;
}

type AnyNode = YamlNode | null | undefined;

/** Plain data for comparisons: Maps become objects. */
function toPlain(v: YamlData): unknown {
  if (v instanceof Map) return Object.fromEntries([...v].map(([k, x]) => [k, toPlain(x)]));
  if (Array.isArray(v)) return v.map(toPlain);
  return v;
}

/** Python's `==` on loaded YAML: mappings compare without order, sequences with it. */
function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => sameValue(x, b[i]));
  }
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    const ka = Object.keys(a);
    const kb = Object.keys(b);
    return ka.length === kb.length && ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && sameValue((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
  }
  // `cache: 1` is not `cache: true` for DVC's schema, but is for Python's ==; so here too.
  return typeof a === 'number' && typeof b === 'boolean' ? a === Number(b) : typeof a === 'boolean' && typeof b === 'number' ? Number(a) === b : false;
}

/** A parsed dvc.yaml, edited by splicing its text. Every edit re-parses, so positions stay true. */
export class DvcYaml {
  private doc!: Document;
  private style!: YamlStyle;

  private constructor(
    private textValue: string,
    readonly file: string,
    /** The file did not exist (or was blank): the first stage creates DVC's layout. */
    private fresh: boolean,
  ) {
    this.reparse();
  }

  /** `text` undefined: the file does not exist yet. */
  static parse(text: string | undefined, file: string): DvcYaml {
    return new DvcYaml(text ?? '', file, text === undefined || text.trim() === '');
  }

  get text(): string {
    return this.textValue;
  }

  toString(): string {
    return this.textValue;
  }

  private reparse(): void {
    const Y = yaml();
    const lc = new Y.LineCounter();
    const doc = Y.parseDocument(this.textValue, { lineCounter: lc, uniqueKeys: true, prettyErrors: false });
    if (doc.errors.length > 0) {
      const e = doc.errors[0]!;
      throw new FileFormatError(this.file, lc.linePos(e.pos[0]).line, `malformed YAML: ${e.message.split('\n')[0]}`, 'fix the YAML syntax, or restore the file from git');
    }
    const root = doc.contents;
    if (root !== null && !Y.isMap(root)) {
      throw new FileFormatError(this.file, lc.linePos(root.range?.[0] ?? 0).line, 'expected a mapping with a `stages` section at the top level');
    }
    const stages = Y.isMap(root) ? root.get('stages', true) : undefined;
    if (stages !== undefined && stages !== null && !Y.isMap(stages) && !(Y.isScalar(stages) && stages.value === null)) {
      throw new FileFormatError(this.file, lc.linePos((stages as YamlNode).range?.[0] ?? 0).line, "'stages' must be a mapping of stage names to stages");
    }
    this.doc = doc;
    this.style = this.detectStyle();
  }

  private get root(): YAMLMap | undefined {
    const r = this.doc.contents;
    return yaml().isMap(r) ? r : undefined;
  }

  private get stagesPair(): Pair<unknown, unknown> | undefined {
    const Y = yaml();
    return this.root?.items.find((p) => Y.isScalar(p.key) && p.key.value === 'stages');
  }

  private get stagesMap(): YAMLMap | undefined {
    const s = this.stagesPair?.value;
    return yaml().isMap(s) ? s : undefined;
  }

  private stagePair(name: string): Pair<unknown, unknown> | undefined {
    const Y = yaml();
    return this.stagesMap?.items.find((p) => Y.isScalar(p.key) && String(p.key.value) === name);
  }

  /** Stage names as written (a foreach/matrix group by its own name). */
  stageNames(): string[] {
    const Y = yaml();
    return (this.stagesMap?.items ?? []).map((p) => (Y.isScalar(p.key) ? String(p.key.value) : String(p.key)));
  }

  has(name: string): boolean {
    return this.stagePair(name) !== undefined;
  }

  /** A stage's definition as plain data, as written (before templating); undefined when absent. */
  rawStage(name: string): unknown {
    const p = this.stagePair(name);
    if (!p) return undefined;
    return jsonOf(p.value as AnyNode);
  }

  /** Whether a stage is a foreach/matrix group (its stages are `name@...`). */
  isGroup(name: string): boolean {
    const raw = this.rawStage(name);
    return !!raw && typeof raw === 'object' && ('foreach' in raw || 'matrix' in raw);
  }

  /**
   * Adds a stage, or replaces one as DVC's `apply_diff` does: keys, list items and scalars that
   * did not change keep their text, comments included; changed values are rewritten in place,
   * new keys take their place in DVC's order, dropped keys go.
   */
  setStage(name: string, entry: YamlMapData): 'added' | 'modified' {
    if (this.fresh) {
      this.textValue = renderDvcYaml([[name, entry]]);
      this.fresh = false;
      this.reparse();
      return 'added';
    }
    this.ensureBlockLayout();
    const pair = this.stagePair(name);
    if (pair) {
      this.apply(this.diffPairValue(pair, entry, STAGE_KEY_ORDER));
      return 'modified';
    }
    this.apply([this.insertStage(name, entry)]);
    return 'added';
  }

  /** Sets or removes `frozen: true`; false when the stage already was as asked. */
  setFrozen(name: string, frozen: boolean): boolean {
    const Y = yaml();
    if (!this.stagePair(name)) throw new TroveError('STAGE_NOT_FOUND', `stage '${name}' not found in '${this.file}'`);
    this.ensureBlockLayout();
    const pair = this.stagePair(name)!;
    const map = pair.value as AnyNode;
    const current = Y.isMap(map) ? map.items.find((p) => Y.isScalar(p.key) && p.key.value === 'frozen') : undefined;
    const isFrozen = !!current && Y.isScalar(current.value) && current.value.value === true;
    if (frozen ? isFrozen : !current) return false;
    if (!Y.isMap(map) || map.flow || map.items.length === 0) {
      // Flow style (`train: {cmd: x}`): the stage is rewritten, the rest of the file kept.
      const entry = plainToData(jsonOf(map) ?? {});
      if (!(entry instanceof Map)) throw new TroveError('BAD_STAGE', `stage '${name}' in '${this.file}' is not a mapping`);
      if (frozen) entry.set('frozen', true);
      else entry.delete('frozen');
      this.apply([this.replacePair(pair, reorder(entry))]);
      return true;
    }
    if (!frozen) {
      this.apply([{ ...this.pairSpan(current!), text: '' }]);
    } else if (current) {
      this.apply([this.replacePair(current, true)]);
    } else {
      this.apply([this.insertIntoMap(map, 'frozen', true, STAGE_KEY_ORDER)]);
    }
    return true;
  }

  /**
   * Removes a stage (its definition as written: a foreach/matrix group goes whole). The blank lines
   * that set it apart go with it; comments stay. With the last stage, the `stages` section goes
   * too. Returns whether the file still holds anything (DVC deletes a dvc.yaml left without stages).
   */
  removeStage(name: string): boolean {
    if (!this.stagePair(name)) throw new TroveError('STAGE_NOT_FOUND', `stage '${name}' not found in '${this.file}'`);
    this.ensureBlockLayout();
    const Y = yaml();
    const items = this.stagesMap!.items;
    const i = items.findIndex((p) => Y.isScalar(p.key) && String(p.key.value) === name);
    if (items.length === 1) {
      this.apply([{ ...this.pairSpan(this.stagesPair!), text: '' }]);
    } else {
      let { start, end } = this.pairSpan(items[i]!);
      const text = this.textValue;
      const floor = i > 0 ? this.pairSpan(items[i - 1]!).end : this.lineEndAfter((this.stagesPair!.key as YamlNode).range![2]);
      const blank = (from: number, to: number) => /^[ \t]*\r?\n?$/.test(text.slice(from, to));
      while (start > floor && blank(this.lineStart(start - 1), start)) start = this.lineStart(start - 1);
      // The first stage: the blank lines after it go instead, so the next one follows `stages:` directly.
      if (i === 0) while (end < text.length && blank(end, this.lineEndAfter(end + 1))) end = this.lineEndAfter(end + 1);
      this.apply([{ start, end, text: '' }]);
    }
    return (this.root?.items.length ?? 0) > 0;
  }

  // --- positions -------------------------------------------------------------------------------

  private lineStart(pos: number): number {
    return this.textValue.lastIndexOf('\n', pos - 1) + 1;
  }

  private columnOf(pos: number): number {
    return pos - this.lineStart(pos);
  }

  /** The position just after the line break that ends the line holding `pos - 1`. */
  private lineEndAfter(pos: number): number {
    if (pos > 0 && this.textValue[pos - 1] === '\n') return pos;
    const nl = this.textValue.indexOf('\n', pos);
    return nl === -1 ? this.textValue.length : nl + 1;
  }

  /** The end of a node's own text: a block collection ends after its last line, anything else after its line (and comment). */
  private nodeEnd(node: AnyNode, fallback: number): number {
    if (!node || !node.range) return this.lineEndAfter(fallback);
    if (yaml().isCollection(node) && !node.flow) return this.lineEndAfter(node.range[1]);
    return this.lineEndAfter(node.range[2]);
  }

  private keyStart(pair: Pair<unknown, unknown>): number {
    return (pair.key as YamlNode).range![0];
  }

  private keyColumn(pair: Pair<unknown, unknown>): number {
    return this.columnOf(this.keyStart(pair));
  }

  /** Whether the key shares its line with a `- ` (the first pair of a map in a list item). */
  private onDashLine(pair: Pair<unknown, unknown>): boolean {
    const k = this.keyStart(pair);
    return this.textValue.slice(this.lineStart(k), k).trim() !== '';
  }

  /** From the start of the key's line to the end of its value's last line. */
  private pairSpan(pair: Pair<unknown, unknown>): { start: number; end: number } {
    const key = pair.key as YamlNode;
    return { start: this.lineStart(key.range![0]), end: this.nodeEnd(pair.value as AnyNode, key.range![2]) };
  }

  /** Rewrites a whole pair at its key's column (after the `- ` when it opens a list item). */
  private replacePair(pair: Pair<unknown, unknown>, value: YamlData): Splice {
    const key = String((pair.key as Scalar).value);
    const col = this.keyColumn(pair);
    const span = this.pairSpan(pair);
    const text = emitPair(key, value, col, this.style);
    if (this.onDashLine(pair)) return { start: this.keyStart(pair), end: span.end, text: text.slice(col) };
    return { ...span, text };
  }

  private apply(splices: Splice[]): void {
    if (splices.length === 0) return;
    const sorted = splices.map((s, i) => ({ ...s, i })).sort((a, b) => a.start - b.start || a.end - b.end || a.i - b.i);
    let text = this.textValue;
    for (let j = sorted.length - 1; j >= 0; j--) {
      const s = sorted[j]!;
      text = text.slice(0, s.start) + s.text + text.slice(s.end);
    }
    this.textValue = text;
    this.reparse();
  }

  /** The file's own layout, from its first block stage: mapping step and sequence offset. */
  private detectStyle(): YamlStyle {
    const Y = yaml();
    const eol = this.textValue.includes('\r\n') ? '\r\n' : '\n';
    const style: YamlStyle = { ...DVC_STYLE, eol };
    const first = this.stagesMap?.items.find((p) => Y.isMap(p.value) && !p.value.flow && p.value.items.length > 0);
    if (!first || this.stagesMap!.flow) return style;
    const stageMap = first.value as YAMLMap;
    const fieldCol = this.keyColumn(stageMap.items[0]!);
    if (fieldCol > this.keyColumn(first)) style.step = fieldCol - this.keyColumn(first);
    for (const p of stageMap.items) {
      if (Y.isSeq(p.value) && !p.value.flow && p.value.items.length > 0) {
        const dash = this.dashBefore(p.value.items[0] as AnyNode);
        if (dash !== undefined) style.seqOffset = Math.max(0, this.columnOf(dash) - this.keyColumn(p));
        break;
      }
    }
    return style;
  }

  /** The `-` that opens a block list item, when only indentation comes before it on its line. */
  private dashBefore(item: AnyNode): number | undefined {
    if (!item?.range) return undefined;
    const ls = this.lineStart(item.range[0]);
    const lead = this.textValue.slice(ls, item.range[0]);
    const m = /^( *)-( +|$)/.exec(lead);
    if (!m || m[0].length !== lead.length) return undefined;
    return ls + m[1]!.length;
  }

  // --- edits -------------------------------------------------------------------------------------

  /**
   * Flow-style sections (`{...}` at the top, or as `stages`) cannot take a block stage: they are
   * rewritten in block style first (their comments, if any, are lost; block files never are).
   */
  private ensureBlockLayout(): void {
    const Y = yaml();
    const root = this.root;
    if (root?.flow) {
      const data = plainToData(jsonOf(root)) as YamlMapData;
      this.textValue = [...data].map(([k, v]) => emitPair(k, v, 0, this.style)).join('');
      this.reparse();
      return;
    }
    const sp = this.stagesPair;
    if (sp && Y.isMap(sp.value) && sp.value.flow && sp.value.items.length > 0) {
      this.apply([this.replacePair(sp, plainToData(jsonOf(sp.value as AnyNode)))]);
    }
  }

  private insertStage(name: string, entry: YamlMapData): Splice {
    const eol = this.style.eol;
    const stages = this.stagesMap;
    if (stages && !stages.flow && stages.items.length > 0) {
      const items = stages.items;
      const keyCol = this.keyColumn(items[0]!);
      const at = this.pairSpan(items[items.length - 1]!).end;
      // Stages separated by blank lines get one before the new stage too.
      let blank = items.length > 1;
      for (let i = 1; i < items.length && blank; i++) {
        const gap = this.textValue.slice(this.pairSpan(items[i - 1]!).end, this.lineStart(this.keyStart(items[i]!)));
        blank = gap.split('\n').slice(0, -1).some((l) => /^[ \t]*\r?$/.test(l));
      }
      const lead = at > 0 && this.textValue[at - 1] !== '\n' ? eol : '';
      return { start: at, end: at, text: `${lead}${blank ? eol : ''}${emitPair(name, entry, keyCol, this.style)}` };
    }
    const sp = this.stagesPair;
    const topCol = sp ? this.keyColumn(sp) : 0;
    const block = emitPair(name, entry, topCol + this.style.step, this.style);
    if (sp) {
      // `stages:` with nothing (or `{}`) after it: the stage goes on the lines below, a comment stays.
      const key = sp.key as YamlNode;
      const value = sp.value as AnyNode;
      const valueEnd = value?.range ? value.range[1] : key.range![2];
      const colon = this.textValue.indexOf(':', key.range![1]);
      const lineEnd = this.lineEndAfter(valueEnd);
      const comment = this.textValue.slice(valueEnd, lineEnd).replace(/\r?\n$/, '').trim();
      const head = `${this.textValue.slice(key.range![0], colon + 1)}${comment ? ` ${comment}` : ''}`;
      return { start: key.range![0], end: lineEnd, text: `${head}${eol}${block}` };
    }
    // No `stages` yet: it goes at the end, as DVC appends it.
    const end = this.textValue.length;
    const lead = end > 0 && !this.textValue.endsWith('\n') ? eol : '';
    return { start: end, end, text: `${lead}stages:${eol}${block}` };
  }

  /** Inserts `key: value` into a block mapping, after the nearest key that comes before it in `order`. */
  private insertIntoMap(map: YAMLMap, key: string, value: YamlData, order: readonly string[]): Splice {
    const Y = yaml();
    const want = order.indexOf(key);
    let after: Pair<unknown, unknown> | undefined;
    for (const p of map.items) {
      const r = Y.isScalar(p.key) ? order.indexOf(String(p.key.value)) : -1;
      if (r !== -1 && r < want) after = p;
    }
    const first = map.items[0]!;
    const keyCol = this.keyColumn(first);
    const text = emitPair(key, value, keyCol, this.style);
    if (after) {
      const at = this.pairSpan(after).end;
      const lead = at > 0 && this.textValue[at - 1] !== '\n' ? this.style.eol : '';
      return { start: at, end: at, text: lead + text };
    }
    const at = this.lineStart(this.keyStart(first));
    return { start: at, end: at, text };
  }

  /** DVC's apply_diff for the value of `pair`, as splices. */
  private diffPairValue(pair: Pair<unknown, unknown>, next: YamlData, order: readonly string[] = []): Splice[] {
    const Y = yaml();
    const node = pair.value as AnyNode;
    if (sameValue(jsonOf(node), toPlain(next))) return [];
    if (Y.isMap(node) && !node.flow && node.items.length > 0 && next instanceof Map && next.size > 0) {
      return this.diffMap(node, next, order.length > 0 ? order : [...next.keys()]) ?? [this.replacePair(pair, next)];
    }
    if (Y.isSeq(node) && !node.flow && node.items.length > 0 && Array.isArray(next) && next.length > 0) {
      return this.diffSeq(node, next) ?? [this.replacePair(pair, next)];
    }
    if (Y.isScalar(node) && isScalarData(next) && next !== null && node.value !== null && this.isInlineScalar(node)) {
      return [this.replaceScalar(node, next, this.keyColumn(pair) + this.style.step)];
    }
    return [this.replacePair(pair, next)];
  }

  private replaceScalar(node: Scalar, value: string | number | boolean, indent: number): Splice {
    return { start: node.range![0], end: node.range![1], text: emitScalar(value, { column: this.columnOf(node.range![0]), indent }, this.style.eol) };
  }

  private isInlineScalar(node: Scalar): boolean {
    if (node.type === 'BLOCK_FOLDED' || node.type === 'BLOCK_LITERAL') return false;
    return !this.textValue.slice(node.range![0], node.range![1]).includes('\n');
  }

  /** Key-wise diff of a block mapping; undefined when it cannot be done in place. */
  private diffMap(map: YAMLMap, next: YamlMapData, order: readonly string[]): Splice[] | undefined {
    const Y = yaml();
    const existing = new Map<string, Pair<unknown, unknown>>();
    for (const p of map.items) {
      if (!Y.isScalar(p.key)) return undefined;
      existing.set(String(p.key.value), p);
    }
    // The first pair of a map that opens a `- ` item can be neither removed nor preceded in place.
    const first = map.items[0]!;
    const opensItem = this.onDashLine(first);
    const firstKey = String((first.key as Scalar).value);
    const splices: Splice[] = [];
    for (const [k, v] of next) {
      const p = existing.get(k);
      if (p) {
        splices.push(...this.diffPairValue(p, v));
        continue;
      }
      const rank = order.indexOf(k);
      const precedesAll = map.items.every((q) => {
        const r = order.indexOf(String((q.key as Scalar).value));
        return r === -1 || r > rank;
      });
      if (opensItem && precedesAll) return undefined;
      splices.push(this.insertIntoMap(map, k, v, order));
    }
    for (const [k, p] of existing) {
      if (next.has(k)) continue;
      if (opensItem && k === firstKey) return undefined;
      splices.push({ ...this.pairSpan(p), text: '' });
    }
    return splices;
  }

  /**
   * A block list: item by item when the length is the same (as apply_diff), else the longest
   * common run of equal items keeps its lines and the rest are removed or inserted around it.
   * Undefined when an item's dash cannot be found (`- - x` and such).
   */
  private diffSeq(seq: YAMLSeq, next: YamlData[]): Splice[] | undefined {
    const Y = yaml();
    const items = seq.items as AnyNode[];
    const dashes: number[] = [];
    for (const item of items) {
      const d = this.dashBefore(item);
      if (d === undefined) return undefined;
      dashes.push(d);
    }
    const dashCol = this.columnOf(dashes[0]!);
    const itemSpan = (i: number) => ({ start: this.lineStart(dashes[i]!), end: this.nodeEnd(items[i], items[i]!.range![2]) });
    const splices: Splice[] = [];
    if (next.length === items.length) {
      for (let i = 0; i < next.length; i++) {
        const item = items[i]!;
        const want = next[i]!;
        if (sameValue(jsonOf(item), toPlain(want))) continue;
        const col = this.columnOf(dashes[i]!);
        if (Y.isScalar(item) && isScalarData(want) && want !== null && item.value !== null && this.isInlineScalar(item)) {
          splices.push(this.replaceScalar(item, want, col + 2));
          continue;
        }
        if (Y.isMap(item) && !item.flow && item.items.length > 0 && want instanceof Map && want.size > 0) {
          const inner = this.diffMap(item, want, [...want.keys()]);
          if (inner) {
            splices.push(...inner);
            continue;
          }
        }
        splices.push({ ...itemSpan(i), text: emitSeqItem(want, col, this.style) });
      }
      return splices;
    }
    // Longest common subsequence of equal items.
    const old = items.map((n) => jsonOf(n));
    const neu = next.map(toPlain);
    const n = old.length;
    const m = neu.length;
    const lcs: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
    for (let i = n - 1; i >= 0; i--) {
      for (let j = m - 1; j >= 0; j--) {
        lcs[i]![j] = sameValue(old[i], neu[j]) ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
      }
    }
    let i = 0;
    let j = 0;
    const insertAt = (pos: number, value: YamlData) => splices.push({ start: pos, end: pos, text: emitSeqItem(value, dashCol, this.style) });
    while (i < n || j < m) {
      if (i < n && j < m && sameValue(old[i], neu[j])) {
        i++;
        j++;
      } else if (j < m && (i === n || lcs[i]![j + 1]! >= lcs[i + 1]![j]!)) {
        const at = i < n ? this.lineStart(dashes[i]!) : itemSpan(n - 1).end;
        if (at > 0 && this.textValue[at - 1] !== '\n') splices.push({ start: at, end: at, text: this.style.eol });
        insertAt(at, next[j]!);
        j++;
      } else {
        splices.push({ ...itemSpan(i), text: '' });
        i++;
      }
    }
    return splices;
  }
}

/** A node as plain data (what the file says, before templating). */
function jsonOf(node: AnyNode): unknown {
  if (!node) return null;
  return (node as unknown as { toJSON: () => unknown }).toJSON();
}

/** Plain parsed YAML as YamlData (objects become Maps, in their order). */
export function plainToData(v: unknown): YamlData {
  if (Array.isArray(v)) return v.map(plainToData);
  if (v && typeof v === 'object') return new Map(Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, plainToData(x)]));
  if (v === undefined) return null;
  return v as YamlData;
}

/** Stage fields in DVC's order, unknown ones after. */
function reorder(entry: YamlMapData): YamlMapData {
  const out: YamlMapData = new Map();
  for (const k of STAGE_KEY_ORDER) if (entry.has(k)) out.set(k, entry.get(k)!);
  for (const [k, v] of entry) if (!out.has(k)) out.set(k, v);
  return out;
}

/** Writes dvc.yaml atomically (temp file beside it, then rename). */
export function writeDvcYaml(absPath: string, text: string): void {
  writeFileAtomic(absPath, text);
}

/**
 * Sets (or, with `undefined`, removes) a top-level `key: value` of a YAML mapping file such as a
 * `.dvc` file, as DVC's apply_diff does: a new key goes at the end, everything else keeps its bytes.
 * Returns the text unchanged when the key already holds the value.
 */
export function setTopLevelKey(text: string, file: string, key: string, value: string | boolean | undefined): string {
  const Y = yaml();
  const lc = new Y.LineCounter();
  const doc = Y.parseDocument(text, { lineCounter: lc, uniqueKeys: true, prettyErrors: false });
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    throw new FileFormatError(file, lc.linePos(e.pos[0]).line, `malformed YAML: ${e.message.split('\n')[0]}`, 'fix the YAML syntax, or restore the file from git');
  }
  const root = doc.contents;
  if (!Y.isMap(root) || root.flow) throw new FileFormatError(file, undefined, 'expected a block mapping at the top level');
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const lineStart = (pos: number) => text.lastIndexOf('\n', pos - 1) + 1;
  const lineEndAfter = (pos: number) => {
    if (pos > 0 && text[pos - 1] === '\n') return pos;
    const nl = text.indexOf('\n', pos);
    return nl === -1 ? text.length : nl + 1;
  };
  const pair = root.items.find((p) => Y.isScalar(p.key) && p.key.value === key);
  const col = root.items.length > 0 ? (root.items[0]!.key as YamlNode).range![0] - lineStart((root.items[0]!.key as YamlNode).range![0]) : 0;
  if (pair) {
    const v = pair.value as AnyNode;
    if (value !== undefined && Y.isScalar(v) && v.value === value) return text;
    const k = (pair.key as YamlNode).range!;
    const start = lineStart(k[0]);
    const end = !v?.range ? lineEndAfter(k[2]) : Y.isCollection(v) && !v.flow ? lineEndAfter(v.range[1]) : lineEndAfter(v.range[2]);
    const line = value === undefined ? '' : emitPair(key, value, col, { ...DVC_STYLE, eol });
    return text.slice(0, start) + line + text.slice(end);
  }
  if (value === undefined) return text;
  const lead = text.length > 0 && !text.endsWith('\n') ? eol : '';
  return `${text}${lead}${emitPair(key, value, col, { ...DVC_STYLE, eol })}`;
}
