/**
 * `trove diff` output, as DVC 3's `dvc diff` prints it (dvc/commands/diff.py): text grouped by
 * state with a "files summary" line, a GitHub table for `--md`, and `--json` in DVC's shape and
 * key order (added, deleted, modified, renamed, not in cache; path before hash, old before new),
 * with every list sorted by path. Plus the `--stat` summary, which DVC does not have.
 */
import type { DiffResult } from '../../ops/diff.js';
import type { DiffStat, SizeCount } from '../../ops/diff-stat.js';
import { humanBytes } from '../../util/format.js';
import { pyJsonDumps, pyJsonString } from '../../util/py-json.js';
import { renderTable, type Table } from './table.js';

export interface DiffRenderOptions {
  showHash?: boolean;
  /** Leave out "not in cache" (DVC hides it when b_rev is given, or with --hide-missing). */
  hideMissing?: boolean;
}

type State = 'added' | 'deleted' | 'renamed' | 'modified' | 'not in cache';

interface Row {
  /** The path, or `old -> new` for a rename. */
  path: string;
  /** A hash, or old and new for a modification. */
  hash: string | { old: string; new: string };
}

/** Each state's rows, in DVC's order for text and tables. */
function rowsByState(r: DiffResult, hideMissing: boolean): [State, Row[]][] {
  const states: [State, Row[]][] = [
    ['added', r.added.map((e) => ({ path: e.path, hash: e.hash }))],
    ['deleted', r.deleted.map((e) => ({ path: e.path, hash: e.hash }))],
    ['renamed', r.renamed.map((e) => ({ path: `${e.old} -> ${e.new}`, hash: e.hash }))],
    ['modified', r.modified.map((e) => ({ path: e.path, hash: { old: e.old, new: e.new } }))],
  ];
  if (!hideMissing && r.notInCache) states.push(['not in cache', r.notInCache.map((e) => ({ path: e.path, hash: e.hash }))]);
  return states;
}

function digest(hash: Row['hash']): string {
  return typeof hash === 'string' ? hash.slice(0, 8) : `${hash.old.slice(0, 8)}..${hash.new.slice(0, 8)}`;
}

function isHidden(r: DiffResult, o: DiffRenderOptions): boolean {
  return Boolean(o.hideMissing) || r.notInCache === undefined;
}

/** Nothing changed at all ("not in cache" counts, even when hidden), as DVC decides it prints `{}`. */
function isEmpty(r: DiffResult): boolean {
  return r.added.length + r.deleted.length + r.modified.length + r.renamed.length + (r.notInCache?.length ?? 0) === 0;
}

const COLORS: Record<State, string> = { added: '32', deleted: '31', renamed: '32', modified: '33', 'not in cache': '33' };

function header(state: State, color: boolean): string {
  const text = state[0]!.toUpperCase() + state.slice(1);
  return color ? `\x1b[${COLORS[state]}m${text}\x1b[0m:` : `${text}:`;
}

/** The text form; '' when nothing changed (DVC prints nothing). */
export function diffText(r: DiffResult, o: DiffRenderOptions & { color?: boolean } = {}): string {
  if (isEmpty(r)) return '';
  const lines: string[] = [];
  const summary: [State, number][] = [];
  for (const [state, rows] of rowsByState(r, isHidden(r, o))) {
    summary.push([state, rows.filter((row) => !row.path.endsWith('/')).length]);
    if (rows.length === 0) continue;
    lines.push(header(state, Boolean(o.color)));
    for (const row of rows) lines.push(`    ${o.showHash ? `${digest(row.hash)}  ` : ''}${row.path}`);
    lines.push('');
  }
  const counted = summary.filter(([, n]) => n > 0);
  if (counted.length > 0) lines.push(`files summary: ${counted.map(([state, n]) => `${n} ${state}`).join(', ')}`);
  return lines.length > 0 ? `${lines.join('\n')}\n` : '';
}

/** `--md`: a GitHub table (headers only when nothing changed), as DVC prints it. */
export function diffMarkdown(r: DiffResult, o: DiffRenderOptions = {}): string {
  const rows: string[][] = [];
  for (const [state, entries] of rowsByState(r, isHidden(r, o))) {
    for (const e of entries) rows.push(o.showHash ? [state, digest(e.hash), e.path] : [state, e.path]);
  }
  return renderTable({ headers: o.showHash ? ['Status', 'Hash', 'Path'] : ['Status', 'Path'], rows }, { markdown: true });
}

/** `--json`: DVC's bytes (its key order is fixed, so this is stable); `{}` when nothing changed. */
export function diffJson(r: DiffResult, o: DiffRenderOptions = {}): string {
  if (isEmpty(r)) return '{}';
  const s = pyJsonString;
  const h = (v: string) => (o.showHash ? `, "hash": ${s(v)}` : '');
  const list = (items: string[]) => `[${items.join(', ')}]`;
  const parts = [
    `"added": ${list(r.added.map((e) => `{"path": ${s(e.path)}${h(e.hash)}}`))}`,
    `"deleted": ${list(r.deleted.map((e) => `{"path": ${s(e.path)}${h(e.hash)}}`))}`,
    `"modified": ${list(r.modified.map((e) => `{"path": ${s(e.path)}${o.showHash ? `, "hash": {"old": ${s(e.old)}, "new": ${s(e.new)}}` : ''}}`))}`,
    `"renamed": ${list(r.renamed.map((e) => `{"path": {"old": ${s(e.old)}, "new": ${s(e.new)}}${h(e.hash)}}`))}`,
  ];
  if (!isHidden(r, o)) parts.push(`"not in cache": ${list(r.notInCache!.map((e) => `{"path": ${s(e.path)}${h(e.hash)}}`))}`);
  return `{${parts.join(', ')}}`;
}

// --stat ---------------------------------------------------------------------------------------

function sizeCell(c: SizeCount, signed: boolean): string {
  if (c.files === 0) return '-';
  if (c.bytes === null) return `${c.files} (?)`;
  const sign = signed ? (c.bytes < 0 ? '-' : '+') : '';
  return `${c.files} (${sign}${humanBytes(Math.abs(c.bytes))})`;
}

function statTable(st: DiffStat): Table {
  const row = (name: string, c: DiffStat['total']) => [name, sizeCell(c.added, false), sizeCell(c.deleted, false), sizeCell(c.modified, true), c.renamed.files === 0 ? '-' : String(c.renamed.files)];
  const rows = st.outputs.map((s) => row(s.output, s));
  if (st.outputs.length > 1) rows.push(row('Total', st.total));
  return { headers: ['Output', 'Added', 'Deleted', 'Modified', 'Renamed'], rows };
}

/**
 * `--stat`: one row per output with changed files, then a total: files added and their size, files
 * deleted and theirs, files modified and the net change in bytes, files renamed.
 */
export function statText(st: DiffStat, o: { markdown?: boolean } = {}): string {
  return renderTable(statTable(st), { markdown: o.markdown });
}

export function statJson(st: DiffStat): string {
  const counts = (c: DiffStat['total']) => ({ added: { ...c.added }, deleted: { ...c.deleted }, modified: { ...c.modified }, renamed: { ...c.renamed } });
  return pyJsonDumps({ outputs: Object.fromEntries(st.outputs.map((s) => [s.output, counts(s)])), total: counts(st.total) });
}
