import path from 'node:path';

/** Repo-relative paths are always posix, never start with '/' or './', never contain '..'. */
export function toPosix(p: string): string {
  return path.sep === '/' ? p : p.split(path.sep).join('/');
}

/** `child` relative to `parent` if it lies inside it (or is it), else undefined. */
export function relativeInside(parent: string, child: string): string | undefined {
  const rel = path.relative(parent, child);
  if (rel === '') return '';
  if (rel.startsWith('..') && (rel.length === 2 || rel[2] === path.sep)) return undefined;
  if (path.isAbsolute(rel)) return undefined;
  return toPosix(rel);
}

export function isInside(parent: string, child: string): boolean {
  return relativeInside(parent, child) !== undefined;
}

export function posixJoin(...parts: string[]): string {
  return path.posix.join(...parts.filter((p) => p !== '' && p !== '.'));
}

export function posixDirname(p: string): string {
  const d = path.posix.dirname(p);
  return d === '.' ? '' : d;
}

/** True when `a` equals `b` or is an ancestor directory of it (repo-relative posix paths). */
export function isSameOrParent(a: string, b: string): boolean {
  return a === '' || a === b || b.startsWith(a.endsWith('/') ? a : `${a}/`);
}
