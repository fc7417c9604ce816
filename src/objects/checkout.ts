import fs from 'node:fs';
import path from 'node:path';
import { TroveError } from '../errors.js';
import { replaceWithPrivateCopy, writableFileMode, type Linker, type LinkType } from '../fs/links.js';
import { runHashTasks } from '../hash/worker-pool.js';
import { isStaleTempName } from '../fs/atomic-write.js';
import { removeFile } from '../fs/remove.js';
import { walkFiles, type WalkFilter, type FileStat } from '../fs/walk.js';
import type { HashIndex } from '../hash/hash-index.js';
import type { HashKind } from '../hash/md5.js';
import type { Reporter } from '../progress.js';
import { isDirOid } from '../util/cache-layout.js';
import type { LocalCache } from './local-cache.js';
import { md5sOf } from './workspace-state.js';

export interface CheckoutTarget {
  /** Absolute workspace path of the output. */
  abs: string;
  /** For messages: the output's path as shown to the user. */
  display: string;
  md5: string;
  hashName: HashKind;
  isexec?: boolean;
  /** Restore only this path inside a directory output (and what lies below it). */
  only?: string;
}

export interface CheckoutOptions {
  cache: LocalCache;
  index: HashIndex;
  linker: Linker;
  /** Overwrite or delete workspace files whose content is not in the cache. */
  force?: boolean;
  /** Re-create links even for files that already have the right content. */
  relink?: boolean;
  filter?: WalkFilter;
  reporter?: Reporter;
  /** Only plan: change nothing. */
  dryRun?: boolean;
}

export type CheckoutStatus = 'added' | 'modified' | 'unchanged' | 'refused' | 'missing';

export interface CheckoutResult {
  status: CheckoutStatus;
  /** Workspace files (display paths) with uncommitted content that were left alone. */
  refused: string[];
  /** Objects the cache lacks (oids). */
  missing: string[];
  linked: number;
  removed: number;
}

interface Plan {
  /** `absent`: the workspace has nothing at that path (so no temp file is needed). */
  link: { rel: string; md5: string; absent?: boolean }[];
  remove: string[];
  refused: string[];
  missing: string[];
  existed: boolean;
  /** The workspace holds a file where a directory must go, or the reverse. */
  replaceWhole: boolean;
}

/**
 * Restores one output from the cache. Workspace content is only replaced or deleted when it is
 * already safe in the cache (or with `force`); otherwise the output is left untouched and the
 * files are reported as refused.
 */
export async function checkoutOutput(t: CheckoutTarget, opts: CheckoutOptions): Promise<CheckoutResult> {
  const plan = isDirOid(t.md5) ? await planDir(t, opts) : await planFile(t, opts);
  const result: CheckoutResult = { status: 'unchanged', refused: plan.refused, missing: plan.missing, linked: 0, removed: 0 };
  if (plan.refused.length > 0 && !opts.force) {
    result.status = 'refused';
    return result;
  }
  if (plan.missing.length > 0 && !isDirOid(t.md5)) {
    result.status = 'missing';
    return result;
  }
  if (plan.link.length === 0 && plan.remove.length === 0 && !plan.replaceWhole) {
    result.status = plan.missing.length > 0 ? 'missing' : 'unchanged';
    return result;
  }
  result.status = plan.existed ? 'modified' : 'added';
  if (opts.dryRun) return result;
  await apply(t, plan, opts, result);
  if (plan.missing.length > 0) result.status = 'missing';
  return result;
}

/**
 * lstat of an output's path. A file where one of its parent directories must be is not trove's
 * to delete (it is no output): that is an error naming it, not a crash.
 */
function lstatOutput(t: CheckoutTarget): fs.Stats | undefined {
  try {
    return fs.lstatSync(t.abs, { throwIfNoEntry: false });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOTDIR') throw e;
    // Climb to the first ancestor that exists and is not a directory (stat says ENOTDIR above it).
    const notAFile = (p: string) => {
      try {
        return fs.statSync(p, { throwIfNoEntry: false })?.isDirectory() ?? true;
      } catch {
        return true;
      }
    };
    let d = path.dirname(t.abs);
    while (d !== path.dirname(d) && notAFile(d)) d = path.dirname(d);
    const blocker = t.display.slice(0, Math.max(0, t.display.length - (t.abs.length - d.length))) || d;
    throw new TroveError('PATH_BLOCKED', `'${blocker}' is a file where a directory must be`, {
      hint: 'move or delete that file, then run the checkout again',
    });
  }
}

async function planFile(t: CheckoutTarget, opts: CheckoutOptions): Promise<Plan> {
  const plan: Plan = { link: [], remove: [], refused: [], missing: [], existed: false, replaceWhole: false };
  if (!opts.cache.locate(t.md5, t.hashName)) plan.missing.push(t.md5);
  const lst = lstatOutput(t);
  if (!lst) {
    plan.link.push({ rel: '', md5: t.md5, absent: true });
    return plan;
  }
  plan.existed = true;
  const st = lst.isSymbolicLink() ? fs.statSync(t.abs, { throwIfNoEntry: false }) : lst;
  if (st?.isDirectory()) {
    plan.replaceWhole = true;
    await refuseUncached(t, opts, walkFiles(t.abs, opts.filter).files.map((f) => ({ rel: f.rel, stat: f.stat })), plan, t.abs);
    plan.link.push({ rel: '', md5: t.md5 });
    return plan;
  }
  if (!st) {
    // A dangling symlink: nothing of value is there.
    plan.link.push({ rel: '', md5: t.md5 });
    return plan;
  }
  const [current] = await md5sOf([{ abs: t.abs, stat: st }], opts.index, t.hashName);
  if (current === t.md5) {
    if (needsRelink(t, opts, lst)) plan.link.push({ rel: '', md5: t.md5 });
    return plan;
  }
  if (dropIfCorrupted(t.abs, st, t.md5, t.hashName, t.display, opts)) plan.missing.push(t.md5);
  if (current === undefined || !opts.cache.has(current)) plan.refused.push(t.display);
  plan.link.push({ rel: '', md5: t.md5 });
  return plan;
}

/**
 * A workspace file that differs from its record yet is the very inode of the cache object was
 * edited through a hardlink or symlink (file modes do not stop root). The object no longer holds
 * what its name says: the edit is kept as a private copy in the workspace and the object leaves
 * the cache, so nothing ever links or pushes the wrong bytes under that name.
 */
function dropIfCorrupted(abs: string, st: FileStat, md5: string, kind: HashKind, display: string, opts: CheckoutOptions): boolean {
  const obj = opts.cache.objectWithInode(md5, kind, st);
  if (!obj) return false;
  if (opts.dryRun) return true;
  replaceWithPrivateCopy(abs);
  fs.rmSync(obj, { force: true });
  opts.reporter?.warn(
    `'${display}' was edited in place through a link into the cache, which changed cache object ${md5}. ` +
      'The edit is kept in the workspace; the damaged object was removed from the cache: fetch it from a remote or re-add the data.',
  );
  return true;
}

function needsRelink(t: CheckoutTarget, opts: CheckoutOptions, lst: fs.Stats): boolean {
  if (opts.relink) return true;
  return Boolean(t.isexec && !lst.isSymbolicLink() && (lst.mode & 0o100) === 0);
}

async function refuseUncached(
  t: CheckoutTarget,
  opts: CheckoutOptions,
  files: { rel: string; stat: FileStat }[],
  plan: Plan,
  base: string,
): Promise<void> {
  if (opts.force || files.length === 0) return;
  const md5s = await md5sOf(files.map((f) => ({ abs: f.rel ? `${base}/${f.rel}` : base, stat: f.stat })), opts.index);
  files.forEach((f, i) => {
    const m = md5s[i];
    if (m === undefined || !opts.cache.has(m)) plan.refused.push(f.rel ? `${t.display}/${f.rel}` : t.display);
  });
}

async function planDir(t: CheckoutTarget, opts: CheckoutOptions): Promise<Plan> {
  const plan: Plan = { link: [], remove: [], refused: [], missing: [], existed: false, replaceWhole: false };
  let entries = opts.cache.tryReadTree(t.md5, t.hashName);
  if (!entries) {
    plan.missing.push(t.md5);
    return plan;
  }
  const lst = lstatOutput(t);
  let wsFiles: { rel: string; stat: FileStat }[] = [];
  if (lst) {
    plan.existed = true;
    const st = lst.isSymbolicLink() ? fs.statSync(t.abs, { throwIfNoEntry: false }) : lst;
    if (st?.isDirectory() && !lst.isSymbolicLink()) {
      const walked = walkFiles(t.abs, opts.filter);
      wsFiles = walked.files;
      // Debris of a killed checkout: deleted without asking, it was never the user's data.
      plan.remove.push(...walked.staleTemps);
    } else if (st) {
      plan.replaceWhole = true;
      await refuseUncached(t, opts, [{ rel: '', stat: st }], plan, t.abs);
    } else {
      plan.replaceWhole = true;
    }
  }
  if (t.only !== undefined) {
    const only = t.only;
    const inside = (rel: string) => rel === only || rel.startsWith(`${only}/`);
    entries = entries.filter((e) => inside(e.relpath));
    wsFiles = wsFiles.filter((f) => inside(f.rel));
    if (entries.length === 0 && wsFiles.length === 0) {
      throw new TroveError('NOT_TRACKED', `'${t.display}/${only}' is not in the recorded version of '${t.display}'`);
    }
  }
  const wanted = new Map<string, string>();
  for (const e of entries) wanted.set(e.relpath, e.md5);

  const wsByRel = new Map<string, FileStat>();
  for (const f of wsFiles) wsByRel.set(f.rel, f.stat);
  const known = wsFiles.map((f) => ({ abs: `${t.abs}/${f.rel}`, stat: f.stat }));
  const md5s = known.length > 0 ? await md5sOf(known, opts.index, t.hashName) : [];
  const wsMd5 = new Map<string, string | undefined>();
  wsFiles.forEach((f, i) => wsMd5.set(f.rel, md5s[i]));

  for (const e of entries) {
    const st = wsByRel.get(e.relpath);
    if (!st) {
      plan.link.push({ rel: e.relpath, md5: e.md5, absent: !plan.replaceWhole });
      continue;
    }
    const cur = wsMd5.get(e.relpath);
    if (cur === e.md5) {
      if (opts.relink) plan.link.push({ rel: e.relpath, md5: e.md5 });
      continue;
    }
    if (dropIfCorrupted(`${t.abs}/${e.relpath}`, st, e.md5, t.hashName, `${t.display}/${e.relpath}`, opts)) plan.missing.push(e.md5);
    if (cur === undefined || !opts.cache.has(cur)) plan.refused.push(`${t.display}/${e.relpath}`);
    plan.link.push({ rel: e.relpath, md5: e.md5 });
  }
  for (const f of wsFiles) {
    if (wanted.has(f.rel)) continue;
    const cur = wsMd5.get(f.rel);
    if (cur === undefined || !opts.cache.has(cur)) plan.refused.push(`${t.display}/${f.rel}`);
    plan.remove.push(f.rel);
  }
  return plan;
}

async function apply(t: CheckoutTarget, plan: Plan, opts: CheckoutOptions, result: CheckoutResult): Promise<void> {
  const { cache, index, linker } = opts;
  const isDir = isDirOid(t.md5);
  if (plan.replaceWhole) {
    const lst = fs.lstatSync(t.abs, { throwIfNoEntry: false });
    if (lst?.isDirectory()) fs.rmSync(t.abs, { recursive: true, force: true });
    else if (lst) removeFile(t.abs);
  }
  if (!isDir) removeStaleTempsBeside(t.abs);
  const task = `Checking out ${t.display}`;
  opts.reporter?.progress({ kind: 'start', task, total: plan.link.length + plan.remove.length, unit: 'files' });
  const touchedDirs = new Set<string>();
  for (const rel of plan.remove) {
    const abs = `${t.abs}/${rel}`;
    removeFile(abs);
    touchedDirs.add(path.dirname(abs));
    result.removed++;
    opts.reporter?.progress({ kind: 'advance', task, by: 1 });
  }
  // Deepest first, so emptied parents go after their children.
  for (const d of [...touchedDirs].sort((a, b) => b.length - a.length)) {
    let dir = d;
    while (dir.length > t.abs.length) {
      try {
        fs.rmdirSync(dir);
      } catch {
        break;
      }
      dir = path.dirname(dir);
    }
  }
  if (isDir) fs.mkdirSync(t.abs, { recursive: true });
  else fs.mkdirSync(path.dirname(t.abs), { recursive: true });
  const made = new Set<string>([t.abs]);
  const type = linker.probe(cache.filesRoot, isDir ? t.abs : path.dirname(t.abs));
  const copies: Copy[] = [];
  // Copies gain from more threads; links do not (the kernel serialises them on the journal).
  const parallel = type === 'copy' && plan.link.length >= PARALLEL_MIN;
  for (const item of plan.link) {
    const dst = item.rel ? `${t.abs}/${item.rel}` : t.abs;
    let src = cache.pathOf(item.md5, t.hashName);
    if (item.rel.includes('/')) {
      const parent = path.dirname(dst);
      if (!made.has(parent)) {
        ensureDir(parent, t.abs);
        made.add(parent);
      }
    }
    if (!item.absent) {
      const existing = fs.lstatSync(dst, { throwIfNoEntry: false });
      if (existing?.isDirectory()) fs.rmSync(dst, { recursive: true, force: true });
    }
    if (parallel) {
      copies.push({ dst, src, md5: item.md5 });
      continue;
    }
    let used: LinkType;
    try {
      used = linker.link(src, dst, item.absent);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      const found = cache.locate(item.md5, t.hashName);
      if (!found) {
        result.missing.push(item.md5);
        continue;
      }
      src = found;
      used = linker.link(src, dst);
    }
    if (!isDir && t.isexec && (used === 'copy' || used === 'reflink')) fs.chmodSync(dst, writableFileMode() | 0o111);
    index.set(fs.statSync(dst), item.md5, t.hashName);
    result.linked++;
    opts.reporter?.progress({ kind: 'advance', task, by: 1 });
  }
  if (copies.length > 0) {
    linker.announce();
    await copyInParallel(copies, t, opts, result, task);
  }
  opts.reporter?.progress({ kind: 'end', task });
  if (result.linked === 0 && result.removed === 0 && plan.link.length > 0 && result.missing.length > 0) {
    throw new TroveError('OBJECT_MISSING', `cannot check out '${t.display}': its data is not in the cache`);
  }
}

/** Temp files a killed earlier checkout left beside a file output (`.name.<pid>.<n>.tmp`). */
function removeStaleTempsBeside(abs: string): void {
  const dir = path.dirname(abs);
  const prefix = `.${path.basename(abs)}.`;
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return;
  }
  for (const n of names) if (n.startsWith(prefix) && n.endsWith('.tmp') && isStaleTempName(n)) fs.rmSync(`${dir}/${n}`, { force: true });
}

/** Below this many files, copying on the main thread beats starting workers. */
const PARALLEL_MIN = 64;

interface Copy {
  dst: string;
  src: string;
  md5: string;
}

/**
 * Copies objects into the workspace on all cores (copies are I/O the kernel does per thread);
 * each copy is stat-ed for the hash index where it is made.
 */
async function copyInParallel(
  batch: Copy[],
  t: CheckoutTarget,
  opts: CheckoutOptions,
  result: CheckoutResult,
  task: string,
): Promise<void> {
  const mode = writableFileMode() | (t.isexec && !isDirOid(t.md5) ? 0o111 : 0);
  const results = await runHashTasks(
    batch.map((c) => ({ op: 'copy' as const, path: c.src, dst: c.dst, mode, md5: c.md5 })),
    batch.map(() => 0),
    (n) => opts.reporter?.progress({ kind: 'advance', task, by: n }),
  );
  const retry: Copy[] = [];
  results.forEach((r, i) => {
    const c = batch[i]!;
    if (r.ok) {
      opts.index.set({ ino: r.ino, mtimeMs: r.mtimeMs, size: r.size }, c.md5, t.hashName);
      result.linked++;
    } else retry.push(c);
  });
  // Objects missing here (or in the other cache layout), or odd failures: once more, on this thread.
  for (const c of retry) {
    const found = opts.cache.locate(c.md5, t.hashName);
    if (!found) {
      result.missing.push(c.md5);
      continue;
    }
    opts.linker.link(found, c.dst);
    opts.index.set(fs.statSync(c.dst), c.md5, t.hashName);
    result.linked++;
  }
}

/** mkdir -p inside an output, replacing a file that sits where a directory must go. */
function ensureDir(dir: string, top: string): void {
  try {
    fs.mkdirSync(dir, { recursive: true });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== 'EEXIST' && code !== 'ENOTDIR') throw e;
    let d = dir;
    while (d.length > top.length) {
      const st = fs.lstatSync(d, { throwIfNoEntry: false });
      if (st && !st.isDirectory()) {
        removeFile(d);
        break;
      }
      d = path.dirname(d);
    }
    fs.mkdirSync(dir, { recursive: true });
  }
}
