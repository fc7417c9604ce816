import fs from 'node:fs';
import type { Ignore } from 'ignore';
import { ignore } from '../util/lazy-ignore.js';
import type { WalkFilter } from '../fs/walk.js';

export const DVCIGNORE = '.dvcignore';

/**
 * `.dvcignore` files, with gitignore semantics, each applying below the directory it sits in.
 * When no file has a rule (the default `.dvcignore` is only comments), checks cost nothing.
 */
export class DvcIgnore implements WalkFilter {
  /** absolute dir -> its rules (null: looked, nothing there). */
  private readonly rules = new Map<string, Ignore | null>();
  private active = 0;

  constructor(private readonly root: string) {
    this.load(root);
  }

  private load(dir: string): void {
    if (this.rules.has(dir)) return;
    let text: string;
    try {
      text = fs.readFileSync(`${dir}/${DVCIGNORE}`, 'utf8');
    } catch {
      this.rules.set(dir, null);
      return;
    }
    const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '' && !l.trim().startsWith('#'));
    if (lines.length === 0) {
      this.rules.set(dir, null);
      return;
    }
    this.rules.set(dir, ignore().add(lines));
    this.active++;
  }

  /** Loads the `.dvcignore` files of every directory from the repo root down to `absDir`. */
  prepare(absDir: string): this {
    let d = this.root;
    this.load(d);
    const rel = absDir.slice(this.root.length + 1);
    if (absDir.length > this.root.length && rel) {
      for (const part of rel.split('/')) {
        d = `${d}/${part}`;
        this.load(d);
      }
    }
    return this;
  }

  enterDir(absDir: string, names: readonly string[]): void {
    if (!this.rules.has(absDir)) {
      if (names.includes(DVCIGNORE)) this.load(absDir);
      else this.rules.set(absDir, null);
    }
  }

  ignored(absPath: string, isDir: boolean): boolean {
    if (this.active === 0) return false;
    let verdict = false;
    let dir = this.root;
    const rel = absPath.slice(this.root.length + 1);
    const parts = rel.split('/');
    for (let i = 0; i < parts.length; i++) {
      const ig = this.rules.get(dir);
      if (ig) {
        const sub = parts.slice(i).join('/') + (isDir ? '/' : '');
        const r = ig.test(sub);
        if (r.ignored) verdict = true;
        else if (r.unignored) verdict = false;
      }
      dir = `${dir}/${parts[i]}`;
    }
    return verdict;
  }

  /** Whether a repo path (or any of its parents) is ignored. */
  isPathIgnored(absPath: string, isDir: boolean): boolean {
    const rel = absPath.slice(this.root.length + 1);
    if (!rel) return false;
    const parts = rel.split('/');
    let d = this.root;
    for (let i = 0; i < parts.length; i++) {
      const abs = `${d}/${parts[i]}`;
      this.load(d);
      if (this.ignored(abs, i < parts.length - 1 || isDir)) return true;
      d = abs;
    }
    return false;
  }
}
