import fs from 'node:fs';
import { isStaleTempName } from './atomic-write.js';

/**
 * The few stat fields trove needs. Keeping these instead of fs.Stats matters: on Node 20 each
 * Stats carries four Date objects, and holding 100k of them makes garbage collection dominate.
 */
export interface FileStat {
  ino: number;
  dev: number;
  mtimeMs: number;
  size: number;
  mode: number;
}

export function fileStatOf(s: fs.Stats): FileStat {
  return { ino: s.ino, dev: s.dev, mtimeMs: s.mtimeMs, size: s.size, mode: s.mode };
}

export interface WalkEntry {
  /** Path relative to the walk root, posix. */
  rel: string;
  /** Stat of the file (symlinks followed). */
  stat: FileStat;
}

/** Decides which entries a walk skips; implemented by `.dvcignore` handling in the repo layer. */
export interface WalkFilter {
  /** Called once per directory with its entry names, before any `ignored` call for it. */
  enterDir?(absDir: string, names: readonly string[]): void;
  ignored(absPath: string, isDir: boolean): boolean;
}

/** Names that DVC never descends into or tracks, wherever they appear. */
const ALWAYS_SKIPPED = new Set(['.git', '.hg', '.dvc']);

export interface WalkResult {
  files: WalkEntry[];
  /** Relative paths of directories that could not be read, with the reason. */
  errors: { rel: string; error: NodeJS.ErrnoException }[];
  /** Temp files of killed trove processes (see isStaleTempName): not listed in `files`. */
  staleTemps: string[];
}

/**
 * Lists every file under `root` with its stat, synchronously: one readdir per directory and one
 * stat per file. Symlinks to files are followed; symlinks to directories are not descended.
 */
export function walkFiles(root: string, filter?: WalkFilter): WalkResult {
  const files: WalkEntry[] = [];
  const errors: WalkResult['errors'] = [];
  const staleTemps: string[] = [];
  const stack: string[] = [''];
  while (stack.length > 0) {
    const relDir = stack.pop()!;
    const absDir = relDir === '' ? root : `${root}/${relDir}`;
    let dirents: fs.Dirent[];
    try {
      dirents = fs.readdirSync(absDir, { withFileTypes: true });
    } catch (e) {
      errors.push({ rel: relDir, error: e as NodeJS.ErrnoException });
      continue;
    }
    if (filter?.enterDir) filter.enterDir(absDir, dirents.map((d) => d.name));
    for (const d of dirents) {
      const name = d.name;
      if (ALWAYS_SKIPPED.has(name)) continue;
      const rel = relDir === '' ? name : `${relDir}/${name}`;
      const abs = `${absDir}/${name}`;
      if (d.isDirectory()) {
        if (filter && filter.ignored(abs, true)) continue;
        stack.push(rel);
        continue;
      }
      if (filter && filter.ignored(abs, false)) continue;
      if (name.endsWith('.tmp') && isStaleTempName(name)) {
        staleTemps.push(rel);
        continue;
      }
      let stat: fs.Stats | undefined;
      try {
        stat = fs.statSync(abs, { throwIfNoEntry: false });
      } catch (e) {
        errors.push({ rel, error: e as NodeJS.ErrnoException });
        continue;
      }
      // A dangling symlink, or one that points at a directory: nothing to hash.
      if (!stat || !stat.isFile()) continue;
      files.push({ rel, stat: fileStatOf(stat) });
    }
  }
  return { files, errors, staleTemps };
}
