/**
 * Reading one metrics file as DVC 3 does (dvc/repo/metrics/show.py): parsed by extension like a
 * params file (JSON, TOML, Python, YAML for anything else), then only numbers, booleans, strings
 * and mappings of them are kept; lists and nulls are dropped, and so are mappings left empty.
 *
 * One addition: `.csv` and `.tsv` files are read as a table, a header row naming the metrics and
 * one row of values (DVC would read them as YAML and get one meaningless string).
 */
import path from 'node:path';
import { FileFormatError } from '../errors.js';
import { isParamMap, parseStructured, setKey, type ParamMap, type ParamValue } from './params-file.js';
import { resolvePlain } from './dvc-yaml.js';

/** Parses a metrics file's text; throws FileFormatError naming `file` when it is malformed. */
export function parseMetrics(text: string, file: string): ParamValue {
  const ext = path.posix.extname(file).toLowerCase();
  const data = ext === '.csv' || ext === '.tsv' ? parseTable(text, file, ext === '.csv' ? ',' : '\t') : parseStructured(text, file);
  const kept = extract(data);
  // DVC's `val or {}`: a file holding only 0, '' or false shows as no metrics.
  return kept === undefined || kept === 0 || kept === '' || kept === false ? {} : kept;
}

function extract(v: ParamValue): ParamValue | undefined {
  if (typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean') return v;
  if (!isParamMap(v)) return v !== null && !Array.isArray(v) ? v : undefined; // PyFloat kept
  const out: ParamMap = {};
  for (const k of Object.keys(v)) {
    const m = extract(v[k]!);
    if (m !== undefined && !(isParamMap(m) && Object.keys(m).length === 0)) setKey(out, k, m);
  }
  return out;
}

/** A header row and one row of values; values typed as YAML would type them (`0.9`, `12`, `true`). */
function parseTable(text: string, file: string, sep: string): ParamValue {
  const rows = splitRows(text, sep, file).filter((r) => !(r.length === 1 && r[0] === ''));
  if (rows.length === 0) return {};
  const [header, ...values] = rows as [string[], ...string[][]];
  if (values.length !== 1) {
    throw new FileFormatError(
      file,
      undefined,
      `a metrics table needs a header row and exactly one row of values, found ${values.length} rows of values`,
      'keep one row per metrics file, or write the metrics as JSON or YAML',
    );
  }
  const row = values[0]!;
  if (row.length !== header.length) {
    throw new FileFormatError(file, 2, `the row has ${row.length} values for ${header.length} columns`, 'give one value per header column');
  }
  const out: ParamMap = {};
  header.forEach((name, i) => {
    const cell = row[i]!.trim();
    if (cell !== '') setKey(out, name.trim(), resolvePlain(cell) ?? cell);
  });
  return out;
}

/** RFC 4180 fields (double quotes, doubled to escape), rows split on LF or CRLF. */
function splitRows(text: string, sep: string, file: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let i = 0;
  let line = 1;
  while (i < text.length) {
    const c = text[i]!;
    if (c === '"' && field === '') {
      const start = line;
      i++;
      for (;;) {
        if (i >= text.length) throw new FileFormatError(file, start, 'unterminated quoted field', 'close the double quote');
        if (text[i] === '"') {
          if (text[i + 1] === '"') {
            field += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        if (text[i] === '\n') line++;
        field += text[i++];
      }
      continue;
    }
    if (c === sep) {
      row.push(field);
      field = '';
    } else if (c === '\n' || (c === '\r' && text[i + 1] === '\n')) {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      line++;
      if (c === '\r') i++;
    } else {
      field += c;
    }
    i++;
  }
  if (field !== '' || row.length > 0) rows.push([...row, field]);
  return rows;
}
