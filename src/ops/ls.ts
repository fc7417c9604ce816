import path from 'node:path';
import { TroveError } from '../errors.js';
import type { OpIo } from './io.js';
import { withSource } from './source-data.js';
import { PathMissingError } from './source-tree.js';

export interface LsOptions {
  /** A local path or a git url. */
  url: string;
  /** A path inside the repository (default: its root). */
  path?: string;
  rev?: string;
  recursive?: boolean;
  dvcOnly?: boolean;
  cwd?: string;
}

/** One entry, with DVC's `dvc ls --json` keys in DVC's order. */
export interface LsEntry {
  isout: boolean;
  isdir: boolean;
  isexec: boolean;
  /** Bytes; null where the records do not say (files inside a tracked directory, plain directories). */
  size: number | null;
  /** Relative to the listed path (for a file: its name). */
  path: string;
}

/**
 * Lists a repository at a revision: what git tracks and what trove/DVC tracks, directory outputs
 * opened through their manifests, sorted by path. Only the manifests the listing needs are read.
 */
export async function ls(opts: LsOptions, io: OpIo): Promise<LsEntry[]> {
  void io;
  const target = normalizeInside(opts.path ?? '');
  return withSource({ url: opts.url, rev: opts.rev, cwd: opts.cwd ?? process.cwd() }, `failed to list '${opts.url}'`, async (tree) => {
    const node = await tree.find(target);
    if (!node || (opts.dvcOnly && !node.dvc && target !== '')) throw new PathMissingError(opts.path ?? '', opts.url, Boolean(opts.dvcOnly));
    const entry = (n: typeof node, name: string): LsEntry => ({ isout: n.isout, isdir: n.isdir, isexec: n.isexec, size: n.size, path: name });
    if (!node.isdir) return [entry(node, path.posix.basename(target))];
    if (node.isout) await tree.open(node);
    if (opts.recursive) await tree.openBelow(target);
    return tree
      .below(target, { recursive: Boolean(opts.recursive) })
      .filter((n) => !opts.dvcOnly || n.dvc)
      .map((n) => entry(n, target === '' ? n.path : n.path.slice(target.length + 1)));
  });
}

/** A path inside another repository: posix, relative, without `..` leading out. */
export function normalizeInside(p: string): string {
  const norm = path.posix.normalize(p.replace(/\\/g, '/')).replace(/\/+$/, '');
  if (norm === '.' || norm === '') return '';
  if (path.posix.isAbsolute(norm) || norm === '..' || norm.startsWith('../')) {
    throw new TroveError('PATH_OUTSIDE_REPO', `'${p}' is outside of the source repository`, { hint: 'give a path relative to the root of the source repository' });
  }
  return norm;
}
