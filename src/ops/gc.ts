import fs from 'node:fs';
import { TroveError } from '../errors.js';
import type { HashKind } from '../hash/md5.js';
import type { Repo } from '../repo/repo.js';
import { isDirOid } from '../util/cache-layout.js';
import type { OpIo } from './io.js';
import { collectPointerFiles } from '../repo/pointer-files.js';
import { readLockedOutputs } from '../repo/lock-file.js';

export interface GcOptions {
  workspace?: boolean;
  force?: boolean;
  dry?: boolean;
}

export interface GcLayoutResult {
  /** 'local' is the DVC 3 layout (files/md5), 'legacy' DVC 2's. */
  name: 'local' | 'legacy';
  removed: string[];
  bytes: number;
}

export interface GcResult {
  dry: boolean;
  layouts: GcLayoutResult[];
  /** Objects kept because something references them. */
  kept: number;
  /** Set when the user declined. */
  aborted: boolean;
}

export const GC_WARNING = 'This will remove all cache except items used in the workspace of the current repo.';

/** Objects referenced by the workspace's pointer files and `dvc.lock` files, per layout. */
function usedObjects(repo: Repo): Record<HashKind, Set<string>> {
  const used: Record<HashKind, Set<string>> = { md5: new Set(), 'md5-dos2unix': new Set() };
  const keep = (md5: string, kind: HashKind) => {
    const set = used[kind];
    set.add(md5);
    if (isDirOid(md5)) for (const e of repo.cache.tryReadTree(md5, kind) ?? []) set.add(e.md5);
  };
  const lockFiles: string[] = [];
  for (const pf of collectPointerFiles(repo, lockFiles)) {
    for (const out of pf.outs) if (out.hash) keep(out.hash.md5, out.hashName);
  }
  for (const lock of lockFiles) for (const o of readLockedOutputs(repo, lock)) keep(o.md5, o.hashName);
  return used;
}

/** Plans, then (unless dry) removes every cache object the workspace does not reference. */
export async function gc(repo: Repo, opts: GcOptions, io: OpIo): Promise<GcResult> {
  if (!opts.workspace) {
    throw new TroveError('USAGE', 'choose what to keep: `-w/--workspace` keeps what the workspace uses', {
      hint: 'run `trove gc -w`; history scopes (-a, -T, -A) come with the history commands',
      exitCode: 2,
    });
  }
  repo.lock('gc');
  const used = usedObjects(repo);
  const { md5, legacy } = repo.cache.listByLayout();
  const plan: { name: 'local' | 'legacy'; kind: HashKind; oids: string[] }[] = [
    { name: 'local', kind: 'md5', oids: md5.filter((o) => !used.md5.has(o)) },
    { name: 'legacy', kind: 'md5-dos2unix', oids: legacy.filter((o) => !used['md5-dos2unix'].has(o)) },
  ];
  const kept = md5.length + legacy.length - plan[0]!.oids.length - plan[1]!.oids.length;
  const result: GcResult = { dry: Boolean(opts.dry), layouts: [], kept, aborted: false };
  const total = plan[0]!.oids.length + plan[1]!.oids.length;
  if (!opts.dry && !opts.force && total > 0) {
    io.reporter.warn(GC_WARNING);
    const ok = io.confirm ? await io.confirm('Are you sure you want to proceed?') : false;
    if (!ok) {
      if (!io.confirm) {
        throw new TroveError('CONFIRMATION_REQUIRED', 'gc needs confirmation, and there is no terminal to ask', { hint: 'run `trove gc -w -f` to remove without asking, or `--dry` to see what would go' });
      }
      result.aborted = true;
      return result;
    }
  } else if (!opts.dry) {
    io.reporter.warn(GC_WARNING);
  }
  for (const p of plan) {
    let bytes = 0;
    for (const oid of p.oids) {
      const file = repo.cache.pathOf(oid, p.kind);
      if (opts.dry) bytes += fs.statSync(file, { throwIfNoEntry: false })?.size ?? 0;
      else bytes += repo.cache.removeObject(oid, p.kind);
    }
    result.layouts.push({ name: p.name, removed: p.oids.sort(), bytes });
  }
  if (!opts.dry) repo.cache.sweepTemps();
  return result;
}
