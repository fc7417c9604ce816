import { gitAdd } from '../git/git.js';
import type { Repo } from '../repo/repo.js';

/** Dedupes and sorts files for git; stages them when `core.autostage` is on. Returns whether it did. */
export function autostage(repo: Repo, files: string[]): { files: string[]; staged: boolean } {
  const sorted = [...new Set(files)].sort();
  if (repo.scm && sorted.length > 0 && repo.config.getBool('core', 'autostage')) {
    gitAdd(repo.root, sorted);
    return { files: sorted, staged: true };
  }
  return { files: sorted, staged: false };
}
