import fs from 'node:fs';
import path from 'node:path';
import { TroveError, throwCollected } from '../errors.js';
import type { Linker, LinkType } from '../fs/links.js';
import type { WalkFilter } from '../fs/walk.js';
import type { HashIndex } from '../hash/hash-index.js';
import { insertFileSync } from '../hash/md5.js';
import type { Reporter } from '../progress.js';
import { buildOutput, type BuildOptions, type BuiltOutput, type FileRecord } from './build-output.js';
import type { LocalCache } from './local-cache.js';

export interface SaveOptions {
  cache: LocalCache;
  index: HashIndex;
  linker: Linker;
  filter?: WalkFilter;
  reporter?: Reporter;
  label?: string;
  /** For a directory: its files from a walk just made (see BuildOptions.walked). */
  walked?: BuildOptions['walked'];
}

export class FileChangedError extends TroveError {
  constructor(readonly file: string) {
    super('FILE_CHANGED', `'${file}' changed while it was being saved`, { hint: 'wait for whatever writes it to finish, then run the command again' });
  }
}

/**
 * Saves a workspace output into the cache and links it back as `cache.type` says.
 * - copy / reflink: each file is copied in while it is hashed; the workspace file stays as it is.
 * - hardlink / symlink: each file is hashed, then its inode is linked into the cache (no copy), and
 *   the workspace gets a hardlink or symlink to the read-only object.
 * Returns the output's hash, or undefined when the path does not exist.
 */
export async function saveOutput(abs: string, opts: SaveOptions): Promise<BuiltOutput | undefined> {
  const probeDir = fs.statSync(abs, { throwIfNoEntry: false })?.isDirectory() ? abs : path.dirname(abs);
  const type = opts.linker.probe(opts.cache.filesRoot, probeDir);
  const moveIn = type === 'hardlink' || type === 'symlink';
  const built = await buildOutput(abs, {
    index: opts.index,
    filter: opts.filter,
    insertInto: moveIn ? undefined : opts.cache,
    reporter: opts.reporter,
    label: opts.label,
    walked: opts.walked,
  });
  if (!built) return undefined;
  const files: FileRecord[] = built.type === 'file' ? [built.file] : built.files;
  if (moveIn) linkIntoCache(abs, files, type, opts);
  if (built.type === 'dir') opts.cache.writeTree(built.entries);
  return built;
}

function linkIntoCache(root: string, files: FileRecord[], type: LinkType, opts: SaveOptions): void {
  const { cache, index, linker } = opts;
  const errors: TroveError[] = [];
  for (const f of files) {
    const ws = f.rel ? `${root}/${f.rel}` : root;
    const obj = cache.pathOf(f.md5);
    try {
      let objStat = fs.statSync(obj, { throwIfNoEntry: false });
      if (!objStat) {
        // Adopt the workspace inode only when it is a plain file of its own. A symlink would be
        // hardlinked as a symlink (the object would be a link to some other object), and an
        // inode shared with another name (an older cache object, edited through a hardlink)
        // must not get a second name: copy those.
        const wsL = fs.lstatSync(ws);
        const own = wsL.isFile() && wsL.nlink === 1;
        objStat = (own ? adoptByLink(ws, obj, f) : undefined) ?? copyIn(ws, f, cache);
      }
      const wsStat = fs.lstatSync(ws);
      // A symlink counts only when it points at this very object (not at an older version).
      const linked = type === 'hardlink' ? wsStat.ino === objStat.ino && wsStat.dev === objStat.dev : wsStat.isSymbolicLink() && fs.readlinkSync(ws) === obj;
      if (!linked) linker.link(obj, ws);
      index.set(fs.statSync(ws), f.md5);
    } catch (e) {
      if (e instanceof TroveError) errors.push(e);
      else throw e;
    }
  }
  throwCollected(errors, 'SAVE_FAILED', (n) => `${n} files could not be saved`);
}

/** Hardlinks the workspace file itself into the cache (no copy), then makes it read-only. */
function adoptByLink(ws: string, obj: string, f: FileRecord): fs.Stats | undefined {
  try {
    fs.linkSync(ws, obj);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      fs.mkdirSync(path.dirname(obj), { recursive: true });
      return adoptByLink(ws, obj, f);
    }
    if (code === 'EEXIST') return fs.statSync(obj);
    return undefined; // EXDEV, EPERM...: fall back to a copy
  }
  fs.chmodSync(obj, 0o444);
  const st = fs.statSync(obj);
  if (st.mtimeMs !== f.stat.mtimeMs || st.size !== f.stat.size || st.ino !== f.stat.ino) {
    fs.rmSync(obj, { force: true });
    throw new FileChangedError(ws);
  }
  return st;
}

function copyIn(ws: string, f: FileRecord, cache: LocalCache): fs.Stats {
  const r = insertFileSync(ws, cache.filesRoot);
  if (r.md5 !== f.md5) throw new FileChangedError(ws);
  return fs.statSync(cache.pathOf(f.md5));
}
