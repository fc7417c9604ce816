import crypto from 'node:crypto';
import fs from 'node:fs';
import { writeFileAtomic } from '../fs/atomic-write.js';
import { RACY_WINDOW_MS } from '../hash/hash-index.js';

/** At most this many directory objects are remembered as complete. */
const MAX_ENTRIES = 256;

/**
 * Remembers which directory objects were found complete (every file object present), together
 * with a stamp of the cache's fan-out directories. Adding or deleting any object changes the
 * mtime of its `xx/` directory, hence the stamp, so a remembered answer is only reused while the
 * set of objects cannot have changed. The stamp costs one readdir and ~256 stats, against a
 * listing of every object.
 */
export class CompleteTrees {
  private memo: Record<string, string> | undefined;

  constructor(
    private readonly filesRoot: string,
    private readonly file: string,
  ) {}

  /**
   * A digest of the fan-out directories' names and mtimes; undefined if there is no cache yet, or
   * if a directory changed so recently that a further change could keep its mtime (the racy rule
   * of the hash index, for the same coarse clock).
   */
  stamp(): string | undefined {
    let names: string[];
    try {
      names = fs.readdirSync(this.filesRoot);
    } catch {
      return undefined;
    }
    const now = Date.now();
    const h = crypto.createHash('md5');
    let newest = fs.statSync(this.filesRoot).mtimeMs;
    h.update(String(newest));
    for (const n of names.sort()) {
      if (n.length !== 2) continue;
      const m = fs.statSync(`${this.filesRoot}/${n}`, { throwIfNoEntry: false })?.mtimeMs ?? 0;
      if (m > newest) newest = m;
      h.update(`${n}:${m};`);
    }
    return newest > now - RACY_WINDOW_MS ? undefined : h.digest('hex');
  }

  private load(): Record<string, string> {
    if (this.memo) return this.memo;
    try {
      this.memo = JSON.parse(fs.readFileSync(this.file, 'utf8')) as Record<string, string>;
    } catch {
      this.memo = {};
    }
    return this.memo;
  }

  known(oid: string, stamp: string): boolean {
    return this.load()[oid] === stamp;
  }

  remember(oid: string, stamp: string): void {
    const memo = this.load();
    delete memo[oid];
    memo[oid] = stamp;
    const keys = Object.keys(memo);
    for (const k of keys.slice(0, Math.max(0, keys.length - MAX_ENTRIES))) delete memo[k];
    try {
      writeFileAtomic(this.file, JSON.stringify(memo));
    } catch {
      /* an optimisation only */
    }
  }
}
