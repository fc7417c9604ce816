/**
 * Fetching imported data, as DVC does: from the repository each import came from, at the commit
 * it records (`rev_lock`), through that repository's own storage; never from this one's remote.
 */
import { TroveError } from '../errors.js';
import { keyOf } from '../remote/transfer.js';
import type { Repo } from '../repo/repo.js';
import type { FetchResult } from './fetch.js';
import { fetchImportData } from './import.js';
import type { OpIo } from './io.js';
import { withSource } from './source-data.js';
import type { OutRef } from './used-objects.js';

export async function fetchImports(repo: Repo, refs: readonly OutRef[], jobs: number | undefined, io: OpIo, result: FetchResult): Promise<void> {
  for (const ref of refs) {
    const source = ref.source!;
    const present = (): number => {
      if (!ref.md5.endsWith('.dir')) return repo.cache.has(ref.md5) ? 1 : 0;
      const entries = repo.cache.tryReadTree(ref.md5);
      return entries ? 1 + repo.cache.presentSet(new Set(entries.map((e) => e.md5))).size : 0;
    };
    const entries = ref.md5.endsWith('.dir') ? repo.cache.tryReadTree(ref.md5) : undefined;
    const complete = entries ? repo.cache.isTreeComplete(ref.md5, entries) : !ref.md5.endsWith('.dir') && repo.cache.has(ref.md5);
    if (complete) continue;
    try {
      const before = present();
      await withSource({ url: source.url, rev: source.revLock ?? source.rev, cwd: repo.root }, `failed to fetch '${ref.path}' from '${source.url}'`, async (tree) => {
        const hash = await fetchImportData(tree, source.path, repo.cache, jobs, io);
        if (hash.md5 !== ref.md5) {
          throw new TroveError('IMPORT_SOURCE_CHANGED', `'${source.path}' in '${source.url}' at ${source.revLock ?? source.rev} hashes to ${hash.md5}, not the recorded ${ref.md5}`, {
            hint: `run \`trove update\` on the import's pointer file to take the source's data as it is now`,
          });
        }
      });
      result.fetched += Math.max(0, present() - before);
    } catch (e) {
      if (!(e instanceof TroveError)) throw e;
      result.failed.push({ key: keyOf(ref.md5), error: e });
    }
  }
}
