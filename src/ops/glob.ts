import path from 'node:path';
import { TroveError } from '../errors.js';
import type { Repo } from '../repo/repo.js';

/** Expands wildcard targets relative to the working directory (fast-glob, loaded on demand). */
export async function expandGlobs(repo: Repo, patterns: string[]): Promise<string[]> {
  const fg = (await import('fast-glob')).default;
  const out: string[] = [];
  for (const p of patterns) {
    const matches = await fg(p, { cwd: repo.cwd, onlyFiles: false, dot: false, ignore: ['**/.git/**', '**/.dvc/**'] });
    if (matches.length === 0) {
      throw new TroveError('NO_MATCH', `'${p}' matches nothing`, { hint: 'check the pattern; quote it so that your shell leaves it to trove' });
    }
    out.push(...matches.filter((m) => !m.endsWith('.dvc')).sort().map((m) => path.normalize(m)));
  }
  return [...new Set(out)];
}
