import fs from 'node:fs';
import type { BuiltOutput } from '../objects/build-output.js';
import type { PointerOut } from '../repo/pointer-file.js';
import type { Repo } from '../repo/repo.js';
import { isDirOid } from '../util/cache-layout.js';
import type { OpIo } from './io.js';

/**
 * After an output was saved again: objects of its previous version that the workspace edited
 * through a hardlink or symlink (file modes do not stop root). Such a file had the object's own
 * inode when it was hashed, yet hashed to something else: the object no longer holds what its
 * name says. It is removed, so nothing ever checks out or pushes the wrong bytes under that name.
 * One stat per changed file; unchanged files cost nothing.
 */
export function dropObjectsEditedThroughLinks(repo: Repo, previous: PointerOut | undefined, built: BuiltOutput, io: OpIo): string[] {
  const old = previous?.hash?.md5;
  if (!previous || !old || !previous.cache) return [];
  const changed: { rel: string; oldMd5: string; ino: number; dev: number }[] = [];
  if (built.type === 'file') {
    if (!isDirOid(old) && old !== built.md5) changed.push({ rel: '', oldMd5: old, ino: built.file.stat.ino, dev: built.file.stat.dev });
  } else if (isDirOid(old) && old !== built.oid) {
    const entries = repo.cache.tryReadTree(old, previous.hashName);
    if (!entries) return [];
    const before = new Map<string, string>();
    for (const e of entries) before.set(e.relpath, e.md5);
    for (const f of built.files) {
      const m = before.get(f.rel);
      if (m !== undefined && m !== f.md5) changed.push({ rel: f.rel, oldMd5: m, ino: f.stat.ino, dev: f.stat.dev });
    }
  }
  const dropped: string[] = [];
  for (const c of changed) {
    const obj = repo.cache.objectWithInode(c.oldMd5, previous.hashName, c);
    if (!obj) continue;
    fs.rmSync(obj, { force: true });
    dropped.push(c.oldMd5);
    const shown = repo.display(c.rel ? `${previous.repoPath}/${c.rel}` : previous.repoPath);
    io.reporter.warn(
      `'${shown}' was edited in place through a link into the cache, which changed cache object ${c.oldMd5}. ` +
        'The damaged object was removed from the cache: fetch that version from a remote if you need it.',
    );
  }
  return dropped;
}
