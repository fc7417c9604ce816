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
