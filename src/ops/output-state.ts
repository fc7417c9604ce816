import { buildOutput, type BuiltOutput } from '../objects/build-output.js';
import type { TreeEntry } from '../objects/tree.js';
import type { HashInfo, PointerOut } from '../repo/pointer-file.js';
import type { Repo } from '../repo/repo.js';
import { isDirOid } from '../util/cache-layout.js';
import type { OpIo } from './io.js';

export type OutStatus = 'not in cache' | 'deleted' | 'modified' | 'new';

/** The workspace's current hash of an output (undefined when it does not exist). */
export async function currentState(repo: Repo, out: PointerOut, io?: OpIo): Promise<BuiltOutput | undefined> {
  const abs = repo.abs(out.repoPath);
  return buildOutput(abs, {
    index: repo.index,
    kind: out.hashName,
    filter: repo.dvcignore.prepare(abs),
    reporter: io?.reporter,
    label: `Computing hashes of ${repo.display(out.repoPath)}`,
  });
}

export function hashOf(built: BuiltOutput): string {
  return built.type === 'dir' ? built.oid : built.md5;
}

/**
 * Whether the cache lacks the recorded object, or (for a directory) any file of it. `known` are the
 * directory's entries when the caller already has them (the workspace matches the record).
 */
export function missingFromCache(repo: Repo, out: PointerOut, known?: readonly TreeEntry[]): boolean {
  const md5 = out.hash?.md5;
  if (!md5) return false;
  if (!isDirOid(md5)) return !repo.cache.has(md5, out.hashName);
  if (!repo.cache.has(md5, out.hashName)) return true;
  const entries = known ?? repo.cache.tryReadTree(md5, out.hashName);
  if (!entries) return true;
  return !repo.cache.isTreeComplete(md5, entries, out.hashName);
}

/** DVC's output status: 'not in cache' first, then the workspace against the pointer file. */
export async function outputStatus(repo: Repo, out: PointerOut, io?: OpIo): Promise<OutStatus | undefined> {
  const built = await currentState(repo, out, io);
  const same = built !== undefined && out.hash !== undefined && hashOf(built) === out.hash.md5;
  const entries = same && built.type === 'dir' ? built.entries : undefined;
  if (out.hash && out.cache && missingFromCache(repo, out, entries)) return 'not in cache';
  if (!built) return 'deleted';
  if (!out.hash) return 'new';
  if (!same) return 'modified';
  return undefined;
}

/** The pointer-file fields for a saved output: md5, size, nfiles for directories, isexec for executables. */
export function hashInfoOf(built: BuiltOutput): HashInfo {
  if (built.type === 'dir') return { md5: built.oid, size: built.size, nfiles: built.nfiles };
  return { md5: built.md5, size: built.size, ...((built.file.stat.mode & 0o100) !== 0 ? { isexec: true } : {}) };
}
