/**
 * Stages that run side by side (`repro -j`) add their `.gitignore` lines as they finish. Each line
 * is written at once (an interrupted run keeps them), and at the end the lines this run added are
 * put in plan order, so the files end as a serial run leaves them.
 */
import { readFileIfExists, writeFileAtomic } from '../fs/atomic-write.js';
import { ignoreEntryFor } from '../git/gitignore.js';

export class IgnoreOrder {
  private readonly rank = new Map<string, Map<string, number>>();
  private readonly before = new Map<string, Set<string>>();

  /** `outs`: the repo paths of every output the run may write, in plan order. */
  constructor(
    private readonly root: string,
    outs: readonly string[],
  ) {
    outs.forEach((p, i) => {
      const { gitignore, entry } = ignoreEntryFor(p);
      let ranks = this.rank.get(gitignore);
      if (!ranks) {
        this.rank.set(gitignore, (ranks = new Map()));
        this.before.set(gitignore, new Set(this.lines(gitignore)));
      }
      if (!ranks.has(entry)) ranks.set(entry, i);
    });
  }

  private lines(gitignore: string): string[] {
    return (readFileIfExists(`${this.root}/${gitignore}`) ?? '').split('\n');
  }

  /** Reorders the lines added since construction; returns nothing (the files were already reported when they changed). */
  finish(): void {
    for (const [gitignore, ranks] of this.rank) {
      const before = this.before.get(gitignore)!;
      const lines = this.lines(gitignore);
      const slots: number[] = [];
      lines.forEach((l, i) => {
        if (!before.has(l) && ranks.has(l)) slots.push(i);
      });
      if (slots.length < 2) continue;
      const added = slots.map((i) => lines[i]!).sort((a, b) => ranks.get(a)! - ranks.get(b)!);
      const next = [...lines];
      slots.forEach((slot, k) => (next[slot] = added[k]!));
      if (next.some((l, i) => l !== lines[i])) writeFileAtomic(`${this.root}/${gitignore}`, next.join('\n'));
    }
  }
}
