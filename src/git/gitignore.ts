import fs from 'node:fs';
import type { Ignore } from 'ignore';
import { ignore } from '../util/lazy-ignore.js';
import { readFileIfExists, writeFileAtomic } from '../fs/atomic-write.js';
import { posixDirname } from '../util/posix-path.js';

/** The `.gitignore` (repo-relative) and line DVC uses for an output: `/<name>` beside it. */
export function ignoreEntryFor(outRepoPath: string): { gitignore: string; entry: string } {
  const dir = posixDirname(outRepoPath);
  const name = outRepoPath.slice(dir ? dir.length + 1 : 0);
  return { gitignore: dir ? `${dir}/.gitignore` : '.gitignore', entry: `/${escapeEntry(name)}` };
}

/** gitignore escaping for the characters that would otherwise be patterns. */
function escapeEntry(name: string): string {
  return name.replace(/([\\*?[\]!#])/g, '\\$1').replace(/^ | $/g, '\\ ');
}

/** Whether git would already ignore `outRepoPath` through `.git/info/exclude` or any `.gitignore`. */
export function isGitIgnored(root: string, outRepoPath: string, isDir: boolean): boolean {
  const parts = outRepoPath.split('/');
  const scopes: { dir: string; ig: Ignore }[] = [];
  const addScope = (dir: string, text: string | undefined) => {
    if (text && text.trim()) scopes.push({ dir, ig: ignore().add(text) });
  };
  addScope('', readFileIfExists(`${root}/.git/info/exclude`));
  for (let i = 0; i < parts.length; i++) {
    const dir = parts.slice(0, i).join('/');
    addScope(dir, readFileIfExists(`${root}/${dir ? `${dir}/` : ''}.gitignore`));
    const path = parts.slice(0, i + 1).join('/');
    const asDir = i < parts.length - 1 || isDir;
    let verdict = false;
    // Deeper files come later and win, as in git.
    for (const s of scopes) {
      const sub = (s.dir ? path.slice(s.dir.length + 1) : path) + (asDir ? '/' : '');
      const r = s.ig.test(sub);
      if (r.ignored) verdict = true;
      else if (r.unignored) verdict = false;
    }
    if (verdict) return true;
  }
  return false;
}

/**
 * Adds `/<name>` to the `.gitignore` beside an output, unless git already ignores it.
 * Returns the repo-relative `.gitignore` path when it changed.
 */
export function addIgnoreEntry(root: string, outRepoPath: string, isDir: boolean): string | undefined {
  const { gitignore, entry } = ignoreEntryFor(outRepoPath);
  const file = `${root}/${gitignore}`;
  const text = readFileIfExists(file) ?? '';
  if (text.split(/\r?\n/).includes(entry)) return undefined;
  if (isGitIgnored(root, outRepoPath, isDir)) return undefined;
  const prefix = text === '' || text.endsWith('\n') ? text : `${text}\n`;
  writeFileAtomic(file, `${prefix}${entry}\n`);
  return gitignore;
}

/** Removes an output's `/<name>` line; deletes the `.gitignore` when nothing is left. */
export function removeIgnoreEntry(root: string, outRepoPath: string): string | undefined {
  const { gitignore, entry } = ignoreEntryFor(outRepoPath);
  const file = `${root}/${gitignore}`;
  const text = readFileIfExists(file);
  if (text === undefined) return undefined;
  // Lines with their own line ends, as DVC's readlines()/writelines() keep them.
  const lines = text.match(/[^\n]*\n|[^\n]+$/g) ?? [];
  const kept = lines.filter((l) => l.replace(/\r?\n$/, '') !== entry);
  if (kept.length === lines.length) return undefined;
  const next = kept.join('');
  if (next.trim() === '') fs.rmSync(file, { force: true });
  else writeFileAtomic(file, next);
  return gitignore;
}
