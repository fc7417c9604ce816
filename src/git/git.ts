import { spawnSync } from 'node:child_process';
import { TroveError } from '../errors.js';

/** Runs git in `cwd`; the only place trove starts git processes. */
export function runGit(cwd: string, args: string[], input?: string): string {
  const r = spawnSync('git', args, { cwd, encoding: 'utf8', input, maxBuffer: 256 * 1024 * 1024 });
  if (r.error) {
    throw new TroveError('GIT_FAILED', `cannot run git: ${r.error.message}`, { hint: 'install git, or use --no-scm' });
  }
  if (r.status !== 0) {
    throw new TroveError('GIT_FAILED', `git ${args[0]} failed: ${(r.stderr || r.stdout).trim()}`);
  }
  return r.stdout;
}

/** Stages files (repo-relative paths), as `dvc init` and `core.autostage` do. */
export function gitAdd(root: string, files: string[]): void {
  if (files.length > 0) runGit(root, ['add', '--', ...files]);
}
