import crypto from 'node:crypto';
import { FileFormatError } from '../errors.js';
import { isValidOid } from '../util/cache-layout.js';
import { compareCodePoints, pyJsonString } from '../util/py-json.js';

/** One file of a directory object (`.dir` manifest). */
export interface TreeEntry {
  relpath: string;
  md5: string;
}

/** Sorts entries as DVC does: by relpath, in Unicode code-point order. */
export function sortTreeEntries(entries: TreeEntry[]): TreeEntry[] {
  return entries.sort((a, b) => compareCodePoints(a.relpath, b.relpath));
}

/**
 * The manifest bytes, exactly `json.dumps(entries, sort_keys=True)`: keys md5 then relpath,
 * ASCII-escaped, no trailing newline. Entries must already be sorted.
 */
export function serializeTree(entries: readonly TreeEntry[]): string {
  const parts = new Array<string>(entries.length);
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i]!;
    parts[i] = `{"md5": "${e.md5}", "relpath": ${pyJsonString(e.relpath)}}`;
  }
  return `[${parts.join(', ')}]`;
}

export function treeOid(manifest: string): string {
  return `${crypto.createHash('md5').update(manifest, 'utf8').digest('hex')}.dir`;
}

/** Parses a manifest read from a cache or remote, rejecting anything that could escape the tree. */
export function parseTree(text: string, where: string): TreeEntry[] {
  const fast = parseCanonicalTree(text);
  if (fast) {
    for (const e of fast) {
      if (!isMd5Hex(e.md5)) throw new FileFormatError(where, undefined, `directory manifest entry '${e.relpath}' has a malformed md5`);
      if (!isSafeRelpath(e.relpath)) throw new FileFormatError(where, undefined, `directory manifest entry '${e.relpath}' leaves its directory`);
    }
    return fast;
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new FileFormatError(where, undefined, `directory manifest is not valid JSON (${(e as Error).message})`, 'the cache object is corrupt: remove it and fetch or re-add the data');
  }
  if (!Array.isArray(raw)) throw new FileFormatError(where, undefined, 'directory manifest is not a list');
  const out: TreeEntry[] = new Array(raw.length);
  for (let i = 0; i < raw.length; i++) {
    const e = raw[i] as { md5?: unknown; relpath?: unknown };
    if (!e || typeof e.md5 !== 'string' || typeof e.relpath !== 'string' || !isMd5Hex(e.md5)) {
      throw new FileFormatError(where, undefined, `directory manifest entry ${i} is malformed`);
    }
    if (!isSafeRelpath(e.relpath)) {
      throw new FileFormatError(where, undefined, `directory manifest entry '${e.relpath}' leaves its directory`);
    }
    out[i] = { relpath: e.relpath, md5: e.md5 };
  }
  return out;
}

const ENTRY_HEAD = '{"md5": "';
const ENTRY_MID = '", "relpath": "';

/**
 * The entries of a manifest in the exact form DVC and trove write (`serializeTree`), read by
 * slicing instead of JSON.parse (about 5x faster on 20,000 entries); undefined for any other form
 * (escapes, other key order or spacing), which JSON.parse then reads.
 */
function parseCanonicalTree(text: string): TreeEntry[] | undefined {
  if (text === '[]') return [];
  if (text.charCodeAt(0) !== 91 || text.charCodeAt(text.length - 1) !== 93 || text.includes('\\')) return undefined;
  const out: TreeEntry[] = [];
  let pos = 1;
  for (;;) {
    if (!text.startsWith(ENTRY_HEAD, pos)) return undefined;
    const md5Start = pos + ENTRY_HEAD.length;
    if (!text.startsWith(ENTRY_MID, md5Start + 32)) return undefined;
    const relStart = md5Start + 32 + ENTRY_MID.length;
    const relEnd = text.indexOf('"', relStart);
    if (relEnd === -1 || text.charCodeAt(relEnd + 1) !== 125) return undefined;
    out.push({ relpath: text.slice(relStart, relEnd), md5: text.slice(md5Start, md5Start + 32) });
    pos = relEnd + 2;
    if (pos === text.length - 1) return out;
    if (text.charCodeAt(pos) !== 44 || text.charCodeAt(pos + 1) !== 32) return undefined;
    pos += 2;
  }
}

/** Only Windows reads a backslash as a separator; on POSIX it is an ordinary filename character. */
const BACKSLASH_IS_SEP = process.platform === 'win32';

export function isSafeRelpath(p: string): boolean {
  if (p === '' || p.startsWith('/') || p.includes('\0')) return false;
  if (BACKSLASH_IS_SEP && p.includes('\\')) return false;
  // Fast path: no empty, '.' or '..' segment can exist without one of these.
  if (p[0] !== '.' && !p.includes('/.') && !p.includes('//') && !p.endsWith('/')) return true;
  for (const part of p.split('/')) if (part === '' || part === '.' || part === '..') return false;
  return true;
}

/** 32 lowercase hex digits: a file object's id (hand-rolled: this runs once per manifest entry). */
function isMd5Hex(s: string): boolean {
  if (s.length !== 32) return isValidOid(s);
  for (let i = 0; i < 32; i++) {
    const c = s.charCodeAt(i);
    if (!((c >= 48 && c <= 57) || (c >= 97 && c <= 102))) return false;
  }
  return true;
}

const ENTRY_TAIL = '"}';

/** The entry starting at `pos` of a canonical manifest: its relpath, md5, and where the next one starts. */
function entryAt(text: string, pos: number): { relpath: string; md5: string; next: number } | undefined {
  if (!text.startsWith(ENTRY_HEAD, pos)) return undefined;
  const md5Start = pos + ENTRY_HEAD.length;
  if (!text.startsWith(ENTRY_MID, md5Start + 32)) return undefined;
  const relStart = md5Start + 32 + ENTRY_MID.length;
  const relEnd = text.indexOf(ENTRY_TAIL, relStart);
  if (relEnd === -1) return undefined;
  let next = relEnd + ENTRY_TAIL.length;
  if (next === text.length - 1 && text.charCodeAt(next) === 93) return { relpath: text.slice(relStart, relEnd), md5: text.slice(md5Start, md5Start + 32), next };
  if (text.charCodeAt(next) !== 44 || text.charCodeAt(next + 1) !== 32) return undefined;
  next += 2;
  return { relpath: text.slice(relStart, relEnd), md5: text.slice(md5Start, md5Start + 32), next };
}

/** One file that differs between two manifests: its md5 on each side (undefined where absent). */
export interface TreeChange {
  relpath: string;
  a: string | undefined;
  b: string | undefined;
}

const BLOCK = 4096;

/**
 * The files that differ between two manifests in canonical form (as `serializeTree` writes them,
 * sorted), in relpath order, found by comparing the texts: runs of identical text are skipped in
 * blocks, so two versions of a 20,000-file directory that differ in a few files cost a few hundred
 * string comparisons instead of two parses. Undefined when either text is not canonical (escapes,
 * other spacing), for the caller to parse both.
 */
export function diffTreeTexts(a: string, b: string): TreeChange[] | undefined {
  const canonical = (t: string) => t === '[]' || (t.startsWith('[{') && t.endsWith('}]') && !t.includes('\\'));
  if (!canonical(a) || !canonical(b)) return undefined;
  const changes: TreeChange[] = [];
  const aEnd = a.length - 1;
  const bEnd = b.length - 1;
  let pa = 1;
  let pb = 1;
  while (pa < aEnd || pb < bEnd) {
    // Skip identical text, halving the block down to one entry's worth, then back to the entry start.
    const start = pa;
    for (let k = BLOCK; k >= 64; k >>= 1) {
      while (pa + k <= aEnd && pb + k <= bEnd && a.startsWith(b.substring(pb, pb + k), pa)) {
        pa += k;
        pb += k;
      }
    }
    if (pa !== start) {
      const back = pa - Math.max(start, a.lastIndexOf(ENTRY_HEAD, pa));
      pa -= back;
      pb -= back;
    }
    const ea = pa < aEnd ? entryAt(a, pa) : undefined;
    const eb = pb < bEnd ? entryAt(b, pb) : undefined;
    if ((pa < aEnd && !ea) || (pb < bEnd && !eb)) return undefined;
    const c = !ea ? 1 : !eb ? -1 : ea.relpath === eb.relpath ? 0 : compareCodePoints(ea.relpath, eb.relpath);
    if (c === 0) {
      if (ea!.md5 !== eb!.md5) changes.push({ relpath: ea!.relpath, a: ea!.md5, b: eb!.md5 });
      pa = ea!.next;
      pb = eb!.next;
    } else if (c < 0) {
      changes.push({ relpath: ea!.relpath, a: ea!.md5, b: undefined });
      pa = ea!.next;
    } else {
      changes.push({ relpath: eb!.relpath, a: undefined, b: eb!.md5 });
      pb = eb!.next;
    }
  }
  return changes;
}
