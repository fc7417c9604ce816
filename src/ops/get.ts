import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { TroveError } from '../errors.js';
import { copyFileAsync } from '../fs/links.js';
import { readBlobsById } from '../git/revisions.js';
import { LocalCache } from '../objects/local-cache.js';
import { isPointerFileName } from '../repo/pointer-files.js';
import type { OpIo } from './io.js';
import { normalizeInside } from './ls.js';
import { fetchFromSource, withSource } from './source-data.js';
import { PathMissingError, type SourceNode } from './source-tree.js';

export interface GetOptions {
  url: string;
  path: string;
  out?: string;
  rev?: string;
  force?: boolean;
  jobs?: number;
  cwd?: string;
}

export interface GetResult {
  /** Absolute path of what was written. */
  out: string;
  files: number;
  bytes: number;
}

/**
 * Where a download of `target` goes, by DVC's rules: its base name in the current directory by
 * default, inside `out` when that is an existing directory, else `out` itself; an existing file
 * or directory there is an error unless `force`.
 */
export function resolveOutput(cwd: string, target: string, out: string | undefined, force: boolean): string {
  const name = path.posix.basename(target);
  const given = out === undefined || out === '' ? undefined : path.resolve(cwd, out);
  const abs = given === undefined ? path.resolve(cwd, name) : fs.statSync(given, { throwIfNoEntry: false })?.isDirectory() ? path.join(given, name) : given;
  const st = fs.lstatSync(abs, { throwIfNoEntry: false });
  if (st && !force) {
    throw new TroveError('FILE_EXISTS', `the ${st.isDirectory() ? 'directory' : 'file'} '${path.relative(cwd, abs) || abs}' already exists locally`, {
      hint: 're-run with --force to overwrite it',
    });
  }
  return abs;
}

/**
 * Downloads a file or directory of another repository (tracked data, git-tracked files, or a
 * directory mixing both) to a path outside of any tracking: no pointer file, no cache. Objects
 * pass through a temporary cache beside the destination (verified by md5 there) that is removed
 * afterwards; the destination appears whole or not at all.
 */
export async function get(opts: GetOptions, io: OpIo): Promise<GetResult> {
  const cwd = opts.cwd ?? process.cwd();
  const target = normalizeInside(opts.path);
  if (target === '') throw new TroveError('BAD_TARGET', 'name a file or directory inside the source repository', { exitCode: 2 });
  const outAbs = resolveOutput(cwd, target, opts.out, Boolean(opts.force));
  if (isPointerFileName(path.basename(outAbs))) {
    throw new TroveError('GET_POINTER_FILE', 'the given path is a pointer (.dvc) file, you must specify a data file or a directory', {
      hint: `to get what '${path.basename(outAbs)}' tracks, name the data path without .dvc`,
    });
  }
  const parent = path.dirname(outAbs);
  fs.mkdirSync(parent, { recursive: true });
  // Beside the destination, so that the final moves are renames on one file system.
  const tmp = path.join(parent, `.trove-get-${crypto.randomBytes(6).toString('hex')}`);
  try {
    return await withSource({ url: opts.url, rev: opts.rev, cwd }, `failed to get '${opts.path}' from '${opts.url}'`, async (tree) => {
      const node = await tree.find(target);
      if (!node) throw new PathMissingError(opts.path, opts.url, false);
      let files: SourceNode[];
      if (node.isdir) {
        if (node.isout) await tree.open(node);
        await tree.openBelow(target);
        files = tree.below(target, { recursive: true });
      } else files = [node];
      const cache = new LocalCache(path.join(tmp, 'cache'));
      const fromStorage = files.filter((f) => !f.git && f.md5);
      if (fromStorage.length > 0) await fetchFromSource(tree, cache, fromStorage.map((f) => ({ path: f.path, md5: f.md5! })), opts.jobs, io);
      const blobs = readBlobsById(tree.source.root, files.flatMap((f) => (f.git ? [f.git.oid] : [])));
      const staged = path.join(tmp, 'out');
      const uses = new Map<string, number>();
      for (const f of fromStorage) uses.set(f.md5!, (uses.get(f.md5!) ?? 0) + 1);
      let bytes = 0;
      for (const f of files) {
        const dest = node.isdir ? path.join(staged, ...f.path.slice(target.length + 1).split('/')) : staged;
        fs.mkdirSync(path.dirname(dest), { recursive: true });
        if (f.git) {
          const data = blobs.get(f.git.oid)!;
          fs.writeFileSync(dest, data, { mode: f.isexec ? 0o755 : 0o644 });
          bytes += data.length;
        } else {
          const src = cache.pathOf(f.md5!);
          const left = uses.get(f.md5!)! - 1;
          uses.set(f.md5!, left);
          // The temporary cache goes away: its last use of an object moves it instead of copying.
          if (left === 0) fs.renameSync(src, dest);
          else await copyFileAsync(src, dest);
          fs.chmodSync(dest, f.isexec ? 0o755 : 0o644);
          bytes += fs.statSync(dest).size;
        }
      }
      if (node.isdir) fs.mkdirSync(staged, { recursive: true });
      if (opts.force) fs.rmSync(outAbs, { recursive: true, force: true });
      fs.renameSync(staged, outAbs);
      return { out: outAbs, files: files.length, bytes };
    });
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}
