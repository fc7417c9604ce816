import fs from 'node:fs';
import path from 'node:path';

function isDir(p: string): boolean {
  return fs.statSync(p, { throwIfNoEntry: false })?.isDirectory() ?? false;
}

/** The nearest directory at or above `start` that holds `.dvc/`. */
export function findRepoRoot(start: string): string | undefined {
  let d = path.resolve(start);
  for (;;) {
    if (isDir(path.join(d, '.dvc'))) return d;
    const up = path.dirname(d);
    if (up === d) return undefined;
    d = up;
  }
}

/** The nearest directory at or above `start` that holds `.git` (a directory, or a file for worktrees). */
export function findGitRoot(start: string): string | undefined {
  let d = path.resolve(start);
  for (;;) {
    if (fs.existsSync(path.join(d, '.git'))) return d;
    const up = path.dirname(d);
    if (up === d) return undefined;
    d = up;
  }
}
