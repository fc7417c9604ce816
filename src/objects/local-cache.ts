import { isAscii } from 'node:buffer';
import fs from 'node:fs';
import path from 'node:path';
import { TroveError } from '../errors.js';
import { writeFileAtomic } from '../fs/atomic-write.js';
import type { HashKind } from '../hash/md5.js';
import { filesRootOf, isDirOid, objectPath } from '../util/cache-layout.js';
import { CompleteTrees } from './complete-trees.js';
import { parseTree, serializeTree, treeOid, type TreeEntry } from './tree.js';

export class ObjectMissingError extends TroveError {
  constructor(readonly oid: string) {
    super('OBJECT_MISSING', `object ${oid} is not in the cache`, {
      hint: 'fetch it from a remote, or re-add the data it belongs to',
    });
  }
}

/**
 * The local object database: content-addressed files under `<cache>/files/md5/`, plus DVC 2's
 * legacy layout `<cache>/xx/rest`, which is read (never written) for `md5-dos2unix` entries.
 */
export class LocalCache {
  readonly filesRoot: string;
  private readonly treeMemo = new Map<string, TreeEntry[]>();

  private readonly completeTrees: CompleteTrees | undefined;

  /** `memoFile`: where to remember directory objects found complete (see CompleteTrees). */
  constructor(
    readonly dir: string,
    memoFile?: string,
  ) {
    this.filesRoot = filesRootOf(dir);
    this.completeTrees = memoFile ? new CompleteTrees(this.filesRoot, memoFile) : undefined;
  }

  /** Whether every file object of a directory object is in the cache (DVC 3 layout). */
  isTreeComplete(oid: string, entries: readonly TreeEntry[], kind: HashKind = 'md5'): boolean {
    const stamp = kind === 'md5' ? this.completeTrees?.stamp() : undefined;
    if (stamp && this.completeTrees!.known(oid, stamp)) return true;
    const wanted = new Set<string>();
    for (const e of entries) wanted.add(e.md5);
    const complete = this.presentSet(wanted, kind).size === wanted.size;
    if (complete && stamp) this.completeTrees!.remember(oid, stamp);
    return complete;
  }

  pathOf(oid: string, kind: HashKind = 'md5'): string {
    return kind === 'md5' ? objectPath(this.filesRoot, oid) : objectPath(this.dir, oid);
  }

  /** The path of an existing copy of `oid`, preferring the layout that `kind` names. */
  locate(oid: string, kind: HashKind = 'md5'): string | undefined {
    const first = this.pathOf(oid, kind);
    if (fs.existsSync(first)) return first;
    const second = this.pathOf(oid, kind === 'md5' ? 'md5-dos2unix' : 'md5');
    return fs.existsSync(second) ? second : undefined;
  }

  has(oid: string, kind: HashKind = 'md5'): boolean {
    return this.locate(oid, kind) !== undefined;
  }

  /**
   * The path of object `oid` when it is the very inode `st` describes (a workspace file linked to
   * it), else undefined: how an edit made through a hardlink or symlink is recognised.
   */
  objectWithInode(oid: string, kind: HashKind, st: { ino: number; dev: number }): string | undefined {
    const obj = this.pathOf(oid, kind);
    const objStat = fs.statSync(obj, { throwIfNoEntry: false });
    return objStat && objStat.ino === st.ino && objStat.dev === st.dev ? obj : undefined;
  }

  /** Writes a directory manifest object; returns its oid. */
  writeTree(entries: readonly TreeEntry[]): { oid: string; manifest: string } {
    const manifest = serializeTree(entries);
    const oid = treeOid(manifest);
    const dest = this.pathOf(oid);
    if (!fs.existsSync(dest)) writeFileAtomic(dest, manifest, 0o444);
    this.treeMemo.set(oid, entries as TreeEntry[]);
    return { oid, manifest };
  }

  /** Reads a directory manifest, from either layout. Throws ObjectMissingError when absent. */
  readTree(oid: string, kind: HashKind = 'md5'): TreeEntry[] {
    const memo = this.treeMemo.get(oid);
    if (memo) return memo;
    if (!isDirOid(oid)) throw new TroveError('NOT_A_TREE', `object ${oid} is not a directory object`);
    const p = this.locate(oid, kind);
    if (!p) throw new ObjectMissingError(oid);
    const entries = parseTree(fs.readFileSync(p, 'utf8'), path.relative(process.cwd(), p) || p);
    this.treeMemo.set(oid, entries);
    return entries;
  }

  /**
   * A directory manifest's text as stored, undefined when absent; read as latin1 when it is ASCII
   * (as DVC writes them), which is several times faster to decode than UTF-8.
   */
  readTreeText(oid: string, kind: HashKind = 'md5'): string | undefined {
    const p = this.locate(oid, kind);
    if (!p) return undefined;
    const bytes = fs.readFileSync(p);
    return isAscii(bytes) ? bytes.toString('latin1') : bytes.toString('utf8');
  }

  tryReadTree(oid: string, kind: HashKind = 'md5'): TreeEntry[] | undefined {
    try {
      return this.readTree(oid, kind);
    } catch (e) {
      if (e instanceof ObjectMissingError) return undefined;
      throw e;
    }
  }

  /**
   * Which of `oids` are present. For many oids, listing the cache's 256 fan-out directories is
   * cheaper than one stat per object.
   */
  presentSet(oids: Iterable<string>, kind: HashKind = 'md5'): Set<string> {
    const list = [...oids];
    const present = new Set<string>();
    if (list.length < 2048) {
      for (const oid of list) if (this.has(oid, kind)) present.add(oid);
      return present;
    }
    const all = this.listOids();
    for (const oid of list) if (all.has(oid)) present.add(oid);
    return present;
  }

  /** Every object in the cache, both layouts. Stray temp files are not objects. */
  listOids(): Set<string> {
    const out = new Set<string>();
    for (const oid of this.listByLayout().md5) out.add(oid);
    for (const oid of this.listByLayout().legacy) out.add(oid);
    return out;
  }

  /** Objects per layout, for gc. */
  listByLayout(): { md5: string[]; legacy: string[] } {
    return { md5: listObjects(this.filesRoot), legacy: listObjects(this.dir) };
  }

  removeObject(oid: string, kind: HashKind): number {
    const p = this.pathOf(oid, kind);
    const st = fs.statSync(p, { throwIfNoEntry: false });
    if (!st) return 0;
    fs.rmSync(p, { force: true });
    try {
      fs.rmdirSync(path.dirname(p));
    } catch {
      /* not empty */
    }
    return st.size;
  }

  /** Deletes temp and probe files that a killed process left behind in the cache. */
  sweepTemps(maxAgeMs = 60 * 60 * 1000): number {
    let n = 0;
    let names: string[];
    try {
      names = fs.readdirSync(this.filesRoot);
    } catch {
      return 0;
    }
    const now = Date.now();
    for (const name of names) {
      if (!name.startsWith('.trove-tmp-') && !name.startsWith('.trove-probe-')) continue;
      const pid = Number(name.split('-')[2]);
      const p = `${this.filesRoot}/${name}`;
      const st = fs.statSync(p, { throwIfNoEntry: false });
      if (!st) continue;
      let alive = true;
      if (pid !== process.pid) {
        try {
          process.kill(pid, 0);
        } catch (e) {
          alive = (e as NodeJS.ErrnoException).code === 'EPERM';
        }
      }
      if (!alive || now - st.mtimeMs > maxAgeMs) {
        fs.rmSync(p, { force: true });
        n++;
      }
    }
    return n;
  }
}

function isHexByte(name: string): boolean {
  if (name.length !== 2) return false;
  for (let i = 0; i < 2; i++) {
    const c = name.charCodeAt(i);
    if (!((c >= 48 && c <= 57) || (c >= 97 && c <= 102))) return false;
  }
  return true;
}

/** Object ids under one fan-out root (`xx/rest`); names of any other shape are skipped. */
function listObjects(root: string): string[] {
  const out: string[] = [];
  let dirs: string[];
  try {
    dirs = fs.readdirSync(root);
  } catch {
    return out;
  }
  for (const d of dirs) {
    if (!isHexByte(d)) continue;
    let names: string[];
    try {
      names = fs.readdirSync(`${root}/${d}`);
    } catch {
      continue;
    }
    for (const n of names) {
      if (n.length === 30 || (n.length === 34 && n.endsWith('.dir'))) out.push(d + n);
    }
  }
  return out;
}
