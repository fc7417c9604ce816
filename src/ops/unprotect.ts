import fs from 'node:fs';
import { TroveError } from '../errors.js';
import { replaceWithPrivateCopy } from '../fs/links.js';
import { walkFiles } from '../fs/walk.js';
import type { Repo } from '../repo/repo.js';
import type { OpIo } from './io.js';
import { selectOutputs } from './targets.js';

export interface UnprotectOptions {
  targets: string[];
}

export interface UnprotectResult {
  /** Files turned into private writable copies. */
  unprotected: string[];
}

/** Replaces a hardlink or symlink into the cache with a writable copy that is safe to edit. */
function unprotectFile(abs: string): boolean {
  const lst = fs.lstatSync(abs, { throwIfNoEntry: false });
  if (!lst) return false;
  const shared = lst.isSymbolicLink() || lst.nlink > 1 || (lst.mode & 0o200) === 0;
  if (!shared) return false;
  replaceWithPrivateCopy(abs, fs.statSync(abs).mode & 0o111);
  return true;
}

/** Unprotects every file of an output (a file or a directory); returns the files it copied. */
export function unprotectPath(repo: Repo, abs: string): string[] {
  const st = fs.statSync(abs, { throwIfNoEntry: false });
  if (!st) return [];
  const files = st.isDirectory() ? walkFiles(abs, repo.dvcignore.prepare(abs)).files.map((f) => `${abs}/${f.rel}`) : [abs];
  return files.filter(unprotectFile).map((f) => f.slice(repo.root.length + 1));
}

export async function unprotect(repo: Repo, opts: UnprotectOptions, _io: OpIo): Promise<UnprotectResult> {
  if (opts.targets.length === 0) throw new TroveError('USAGE', 'name the outputs to unprotect', { exitCode: 2 });
  repo.lock('unprotect');
  const result: UnprotectResult = { unprotected: [] };
  for (const { out, inner } of selectOutputs(repo, opts.targets)) {
    const base = repo.abs(inner ? `${out.repoPath}/${inner}` : out.repoPath);
    if (!fs.existsSync(base)) throw new TroveError('NO_SUCH_FILE', `'${repo.display(out.repoPath)}' does not exist`, { hint: 'restore it with `trove checkout` first' });
    result.unprotected.push(...unprotectPath(repo, base));
  }
  return result;
}
