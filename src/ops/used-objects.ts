/**
 * The objects that outputs need, as remote keys, with the workspace names DVC shows for them
 * (`images` for a directory's manifest, `images/cat.jpg` for a file inside it).
 */
import type { LocalCache } from '../objects/local-cache.js';
import type { TreeEntry } from '../objects/tree.js';
import { keyOf } from '../remote/transfer.js';
import type { PointerOut, RepoImport } from '../repo/pointer-file.js';
import type { OpIo } from './io.js';

/** One output as transfers see it: where it lives and what it hashes to. */
export interface OutRef {
  /** Repo-relative path, for names and messages. */
  path: string;
  md5: string;
  /** For a target inside a directory output: the path inside it. */
  inner?: string;
  /** For an import's output: the repository its data comes from (it is fetched from there, never pushed). */
  source?: RepoImport;
}

export interface UsedObject {
  key: string;
  /** Names DVC gives this object (one content may sit at several paths). */
  names: string[];
  /** The manifest this file belongs to, when it is part of a directory. */
  dirKey?: string;
}

export interface UsedObjects {
  /** key → object, manifests included. */
  objects: Map<string, UsedObject>;
  /** Directory outputs whose manifest the cache lacks: their files are unknown. */
  unreadManifests: OutRef[];
}

/** A cached DVC 3 output's ref; a DVC 2 (md5-dos2unix) output is skipped with a warning. */
export function outRefOf(out: PointerOut, io: OpIo): OutRef | undefined {
  if (!out.hash || !out.cache) return undefined;
  if (out.hashName !== 'md5') {
    io.reporter.warn(`'${out.repoPath}' was saved by DVC 2 (md5-dos2unix): trove does not transfer those objects; run \`trove commit -f ${out.repoPath}\` to re-save it in DVC 3's format`);
    return undefined;
  }
  return { path: out.repoPath, md5: out.hash.md5 };
}

function add(objects: Map<string, UsedObject>, key: string, name: string, dirKey?: string): void {
  const o = objects.get(key);
  if (o) {
    if (!o.names.includes(name)) o.names.push(name);
  } else objects.set(key, dirKey ? { key, names: [name], dirKey } : { key, names: [name] });
}

function within(entry: TreeEntry, inner: string | undefined): boolean {
  return inner === undefined || entry.relpath === inner || entry.relpath.startsWith(`${inner}/`);
}

/** Expands outputs into objects, reading directory manifests from the cache (or `trees`, oid → entries). */
export function usedObjects(cache: LocalCache, refs: readonly OutRef[], trees?: ReadonlyMap<string, TreeEntry[]>): UsedObjects {
  const objects = new Map<string, UsedObject>();
  const unreadManifests: OutRef[] = [];
  for (const ref of refs) {
    const key = keyOf(ref.md5);
    add(objects, key, ref.path);
    if (!ref.md5.endsWith('.dir')) continue;
    const entries = trees?.get(ref.md5) ?? cache.tryReadTree(ref.md5);
    if (!entries) {
      unreadManifests.push(ref);
      continue;
    }
    for (const e of entries) if (within(e, ref.inner)) add(objects, keyOf(e.md5), `${ref.path}/${e.relpath}`, key);
  }
  return { objects, unreadManifests };
}
