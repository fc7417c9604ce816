/**
 * Temporary clones of other repositories (`trove ls/get/import <git-url>`): made without a
 * working tree, read through git's object store like any revision, and removed afterwards.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { TroveError } from '../errors.js';

export class CloneError extends TroveError {
  constructor(url: string, detail: string) {
    super('SOURCE_CLONE_FAILED', `failed to clone '${url}': ${detail}`, {
      hint: 'check the url (a path, file://, ssh or https git url) and that you can reach it with `git clone`',
    });
  }
}

/** Whether `dir` lies inside a git working tree (or is a git directory). */
export function isGitRepo(dir: string): boolean {
  const r = spawnSync('git', ['rev-parse', '--git-dir'], { cwd: dir, encoding: 'utf8' });
  return r.status === 0;
}

/**
 * Clones `url` into a new temporary directory, without checking anything out, and returns the
 * directory. The caller removes it (removeClone). Fetches every branch and tag, so that any
 * revision the source's history names can be read.
 */
export function cloneToTemp(url: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trove-source-'));
  const r = spawnSync('git', ['clone', '--quiet', '--no-checkout', '--', url, dir], {
    encoding: 'utf8',
    env: { ...process.env, GIT_TERMINAL_PROMPT: '0' },
  });
  if (r.error || r.status !== 0) {
    removeClone(dir);
    const detail = (r.error?.message ?? r.stderr ?? '').trim().split('\n').filter(Boolean).pop() ?? `git exited with ${r.status}`;
    throw new CloneError(url, detail.replace(/^fatal: /, ''));
  }
  return dir;
}

export function removeClone(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true });
}
