/**
 * Remote keys (`ab/cdef...[.dir]`, relative to `files/md5/`; `ab/<key>/<value>`, relative to
 * `runs/`), oids, and the object names they map to.
 */
import { AREA_DIRS, type RemoteArea } from './remote.js';

const KEY_SHAPE = /^[0-9a-f]{2}\/[0-9a-f]{30}(\.dir)?$/;

/** `ab/cdef...` (the remote key) ↔ `abcdef...` (the oid). */
export function keyOf(oid: string): string {
  return `${oid.slice(0, 2)}/${oid.slice(2)}`;
}
export function oidOf(key: string): string {
  return key.replace('/', '');
}

/** Whether a listed name is an object's key, not a temp file or another tool's file. */
export function isObjectKey(key: string): boolean {
  return KEY_SHAPE.test(key);
}

/** The hex md5 of the object's bytes: its oid without `.dir`. */
export function md5HexOf(key: string): string {
  return oidOf(key).replace(/\.dir$/, '');
}

/** The base64 md5 that S3 and GCS check an upload against, for a key of the object shape. */
export function md5Base64Of(key: string): string | undefined {
  return isObjectKey(key) ? Buffer.from(md5HexOf(key), 'hex').toString('base64') : undefined;
}

/** Where an area's keys live in a bucket: `<prefix>/files/md5/`, or `files/md5/` at the bucket's root. */
export function areaBase(prefix: string, area: RemoteArea): string {
  return prefix ? `${prefix}/${AREA_DIRS[area]}/` : `${AREA_DIRS[area]}/`;
}

export function objectsBase(prefix: string): string {
  return areaBase(prefix, 'objects');
}

const SHA256 = /^[0-9a-f]{64}$/;

/** A run-cache entry's key in the `runs` area: `<key[:2]>/<key>/<value>`, as DVC lays it out. */
export function runKeyOf(key: string, value: string): string {
  return `${key.slice(0, 2)}/${key}/${value}`;
}

/** The (key, value) of a listed name in the `runs` area, or undefined for anything else (temp files). */
export function parseRunKey(name: string): { key: string; value: string } | undefined {
  const parts = name.split('/');
  if (parts.length !== 3) return undefined;
  const [shard, key, value] = parts as [string, string, string];
  if (shard.length !== 2 || !key.startsWith(shard) || !SHA256.test(key) || !SHA256.test(value)) return undefined;
  return { key, value };
}
