import fs from 'node:fs';
import path from 'node:path';
import { TroveError } from '../errors.js';
import { writeFileAtomic } from '../fs/atomic-write.js';
import { gitAdd } from '../git/git.js';
import { findGitRoot } from '../repo/find-root.js';

export interface InitOptions {
  cwd: string;
  noScm?: boolean;
  force?: boolean;
  /** Allow initialising in a subdirectory of a git repository (a monorepo project). */
  subdir?: boolean;
}

export interface InitResult {
  root: string;
  scm: boolean;
  staged: string[];
}

export const DVC_GITIGNORE = '/config.local\n/tmp\n/cache\n';
export const DVCIGNORE_TEXT =
  '# Add patterns of files dvc should ignore, which could improve\n# the performance. Learn more at\n# https://dvc.org/doc/user-guide/dvcignore\n';

/** Creates `.dvc/` (config, .gitignore, tmp/) and `.dvcignore` exactly as `dvc init` does. */
export function init(opts: InitOptions): InitResult {
  const root = path.resolve(opts.cwd);
  const gitRoot = opts.noScm ? undefined : findGitRoot(root);
  if (!opts.noScm) {
    if (!gitRoot) {
      throw new TroveError('NO_SCM', `'${root}' is not tracked by any supported SCM tool (e.g. Git)`, {
        hint: 'run `git init` first, or use `--no-scm` to use trove without git',
      });
    }
    if (gitRoot !== root && !opts.subdir) {
      throw new TroveError('NOT_SCM_ROOT', `'${root}' is not the root of the git repository '${gitRoot}'`, {
        hint: 'run `trove init` at the git root, or pass `--subdir` to keep a separate project here',
      });
    }
  }
  const dvcDir = path.join(root, '.dvc');
  if (fs.existsSync(dvcDir)) {
    if (!opts.force) throw new TroveError('ALREADY_INITIALIZED', `'.dvc' exists`, { hint: 'use `-f` to re-initialise (the cache is kept only if you move it aside)' });
    fs.rmSync(dvcDir, { recursive: true, force: true });
  }
  fs.mkdirSync(path.join(dvcDir, 'tmp'), { recursive: true });
  const config = opts.noScm ? '[core]\n    no_scm = True\n' : opts.subdir ? '' : '';
  writeFileAtomic(path.join(dvcDir, 'config'), config);
  writeFileAtomic(path.join(dvcDir, '.gitignore'), DVC_GITIGNORE);
  const dvcignore = path.join(root, '.dvcignore');
  if (!fs.existsSync(dvcignore)) writeFileAtomic(dvcignore, DVCIGNORE_TEXT);
  const staged: string[] = [];
  if (gitRoot) {
    const files = ['.dvc/config', '.dvc/.gitignore', '.dvcignore'];
    gitAdd(root, files);
    staged.push(...files);
  }
  return { root, scm: Boolean(gitRoot), staged };
}
