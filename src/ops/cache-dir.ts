import fs from 'node:fs';
import path from 'node:path';
import { TroveError } from '../errors.js';
import { Config, configFiles, type ConfigLevel } from '../repo/config/config.js';
import { findRepoRoot } from '../repo/find-root.js';
import { Repo } from '../repo/repo.js';

export interface CacheDirOptions {
  cwd: string;
  /** New cache directory; relative paths are taken from the current directory. */
  value?: string;
  unset?: boolean;
  level?: ConfigLevel;
}

export interface CacheDirResult {
  dir?: string;
  changed?: boolean;
}

/** `trove cache dir`: prints the cache directory, or stores a new one (relative to the config file). */
export function cacheDir(opts: CacheDirOptions): CacheDirResult {
  const root = findRepoRoot(opts.cwd);
  const dvcDir = root ? path.join(root, '.dvc') : undefined;
  const level = opts.level ?? 'repo';
  if (opts.unset) {
    Config.write(dvcDir, level, 'cache', 'dir', undefined);
    return { changed: true };
  }
  if (opts.value === undefined) {
    return { dir: Repo.open({ cwd: opts.cwd }).cache.dir };
  }
  const file = configFiles(dvcDir)[level];
  if (!file) throw new TroveError('NOT_A_REPO', 'not inside a repository', { hint: 'use --global, or run `trove init`' });
  const abs = path.resolve(opts.cwd, opts.value);
  const st = fs.statSync(abs, { throwIfNoEntry: false });
  if (st && !st.isDirectory()) {
    throw new TroveError('CACHE_DIR_INVALID', `'${opts.value}' is not a directory`, { hint: 'name a directory (it is created when first needed)' });
  }
  const stored = path.isAbsolute(opts.value) ? opts.value : path.relative(path.dirname(file), abs) || '.';
  Config.write(dvcDir, level, 'cache', 'dir', stored.split(path.sep).join('/'));
  return { changed: true, dir: abs };
}
