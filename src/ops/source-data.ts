/**
 * Reading another repository's data: where its objects come from (a local source's own cache,
 * then its default remote, as DVC reads them), and fetching them, md5-verified, into a cache.
 */
import path from 'node:path';
import { TroveError } from '../errors.js';
import type { LocalCache } from '../objects/local-cache.js';
import { ChainRemote } from '../remote/chain-remote.js';
import { openRemote } from '../remote/registry.js';
import { RemoteError, type Remote } from '../remote/remote.js';
import { resolveRemote } from '../repo/remotes.js';
import { SourceRepo, type SourceRepoOptions } from '../repo/source-repo.js';
import { fetchRefs, type FetchResult } from './fetch.js';
import type { OpIo } from './io.js';
import { SourceTree, sourceDataMissing } from './source-tree.js';
import type { OutRef } from './used-objects.js';

/** The source's objects: its local cache (a local path only), then its default remote. */
export async function openSourceStorage(src: SourceRepo): Promise<Remote> {
  const stores: Remote[] = [];
  const cacheDir = src.localCacheDir();
  if (cacheDir) stores.push(await openRemote({ name: `${path.basename(src.root)} cache`, url: cacheDir, options: {} }));
  try {
    stores.push(await openRemote(resolveRemote(src.config(), src.dvcDir)));
  } catch (e) {
    if (!(e instanceof TroveError) || e.code !== 'NO_REMOTE' || stores.length === 0) {
      if (e instanceof TroveError && e.code === 'NO_REMOTE') {
        throw new TroveError('SOURCE_NO_REMOTE', `'${src.url}' has no default remote to download data from`, {
          hint: 'the source repository needs a default remote (`trove remote add -d <name> <url>` there, committed)',
        });
      }
      throw e;
    }
  }
  return new ChainRemote(stores);
}

/**
 * A source repository and its tree, open for the length of `body`; a temporary clone and the
 * storage's connections are released afterwards, whatever happens. `verb` and `what` name the
 * failing operation in errors (`failed to get 'data' from '../registry': ...`).
 */
export async function withSource<T>(opts: SourceRepoOptions, failure: string, body: (tree: SourceTree) => Promise<T>): Promise<T> {
  let storage: Promise<Remote> | undefined;
  let src: SourceRepo | undefined;
  try {
    src = SourceRepo.open(opts);
    const opened = src;
    const tree = new SourceTree(opened, () => (storage ??= openSourceStorage(opened)));
    return await body(tree);
  } catch (e) {
    if (e instanceof RemoteError) throw new TroveError(e.code, `${failure}: ${e.message}`, { hint: e.hint, cause: e });
    throw e;
  } finally {
    if (storage) await storage.then((s) => s.close?.()).catch(() => {});
    src?.close();
  }
}

/** Fetches what `refs` need from the source's storage into `cache`; names every object it lacks. */
export async function fetchFromSource(tree: SourceTree, cache: LocalCache, refs: readonly OutRef[], jobs: number | undefined, io: OpIo): Promise<FetchResult> {
  const remote = await tree.storage();
  const r = await fetchRefs(cache, remote, refs, jobs && jobs > 0 ? jobs : remote.defaultJobs, io);
  if (r.failed.length > 0) throw r.failed[0]!.error instanceof TroveError ? r.failed[0]!.error : new TroveError('SOURCE_FETCH_FAILED', String(r.failed[0]!.error.message));
  if (r.missing.length > 0) throw sourceDataMissing(tree.source.url, remote, [...new Set(r.missing.map((m) => m.name))]);
  return r;
}
