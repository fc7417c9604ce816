import fs from 'node:fs';
import { gitAdd, runGit } from '../git/git.js';
import type { Repo } from '../repo/repo.js';

/**
 * Dedupes and sorts files for git; stages them when `core.autostage` is on. Returns whether it did.
 * Without git (`core.no_scm`) there is nothing to stage and nothing to suggest: no files.
 */
export function autostage(repo: Repo, files: string[]): { files: string[]; staged: boolean } {
  if (!repo.scm) return { files: [], staged: false };
  const sorted = [...new Set(files)].sort();
  if (sorted.length > 0 && repo.config.getBool('core', 'autostage')) {
    gitAdd(repo.root, sorted);
    return { files: sorted, staged: true };
  }
  return { files: sorted, staged: false };
}

/** Stages changed files with `git add` and deleted ones with `git rm --cached` (core.autostage). */
export function autostageChanges(repo: Repo, files: string[]): { gitFiles: string[]; staged: boolean } {
  if (!repo.scm) return { gitFiles: [], staged: false };
  const all = [...new Set(files)].sort();
  const existing = all.filter((f) => fs.existsSync(repo.abs(f)));
  const deleted = all.filter((f) => !fs.existsSync(repo.abs(f)));
  const { staged } = autostage(repo, existing);
  const auto = staged || (all.length > 0 && (repo.config.getBool('core', 'autostage') ?? false));
  if (auto && deleted.length > 0) runGit(repo.root, ['rm', '--cached', '-q', '--ignore-unmatch', '--', ...deleted]);
  return { gitFiles: all, staged: auto };
}
