import type { LocalCache } from '../objects/local-cache.js';
import { RemoteObjectMissingError, type Remote } from '../remote/remote.js';
import { downloadObjects, keyOf, oidOf, type TransferFailure, type TransferResult } from '../remote/transfer.js';
import type { Repo } from '../repo/repo.js';
import type { OpIo } from './io.js';
import { jobsFor, withRemote } from './remote-session.js';
import { fetchRunCache } from './run-cache-sync.js';
import { refsInScope, type ScopeOptions } from './scope.js';
import { usedObjects, type OutRef } from './used-objects.js';

export interface FetchOptions extends Pick<ScopeOptions, 'targets' | 'withDeps' | 'recursive' | 'allBranches' | 'allTags' | 'allCommits'> {
  remote?: string;
  jobs?: number;
  /**
   * Also download the run-cache entries whose keys the cache has none under (whatever the
   * targets). Only the entries: as in DVC, the outputs they record come with `repro --pull`.
   */
  runCache?: boolean;
}

export interface FetchResult {
  remote: string;
  /** Objects downloaded now, manifests included. */
  fetched: number;
  /** `--run-cache`: entries saved now (DVC leaves them out of the files fetched). */
  runCacheFetched: number;
  bytes: number;
  /** Objects that could not be downloaded for another reason than being absent from the remote. */
  failed: TransferFailure[];
  /** Names whose objects are neither in the cache nor on the remote. */
  missing: { name: string; md5: string }[];
}

/**
 * Downloads what the selected outputs need and the cache lacks. Manifests come first, since only
 * they say which files a directory holds; a granular target inside a directory fetches the
 * manifest and just the files under that path.
 */
export async function fetch(repo: Repo, opts: FetchOptions, io: OpIo): Promise<FetchResult> {
  repo.lock('fetch');
  const refs = refsInScope(
    repo,
    { targets: opts.targets, withDeps: opts.withDeps, recursive: opts.recursive, allBranches: opts.allBranches, allTags: opts.allTags, allCommits: opts.allCommits, withImports: true },
    io,
  );
  const own = refs.filter((r) => !r.source);
  const imported = refs.filter((r) => r.source);
  // A repository whose only data is imported needs no remote of its own (unless it asks for the run-cache).
  const result =
    own.length > 0 || imported.length === 0 || opts.runCache
      ? await withRemote(repo, opts.remote, async (remote) => {
          const jobs = jobsFor(remote, opts.jobs);
          // As DVC: the run-cache first, then the data.
          const runs = opts.runCache ? await fetchRunCache(repo, remote.at('runs'), { jobs, reporter: io.reporter }) : undefined;
          const fetched = await fetchRefs(repo.cache, remote, own, jobs, io);
          if (runs) {
            fetched.runCacheFetched = runs.done.length;
            fetched.failed = [...runs.failed, ...fetched.failed];
          }
          return fetched;
        })
      : { remote: imported[0]!.source!.url, fetched: 0, runCacheFetched: 0, bytes: 0, failed: [], missing: [] };
  if (imported.length > 0) {
    const { fetchImports } = await import('./fetch-imports.js');
    await fetchImports(repo, imported, opts.jobs, io, result);
  }
  return result;
}

type Absorb = (r: TransferResult, names: (key: string) => string[]) => void;

function absorber(result: FetchResult): Absorb {
  return (r, names) => {
    if (r.aborted) throw r.aborted;
    result.fetched += r.done.length;
    result.bytes += r.bytes;
    for (const f of r.failed) {
      if (f.error instanceof RemoteObjectMissingError) for (const name of names(f.key)) result.missing.push({ name, md5: oidOf(f.key) });
      else result.failed.push(f);
    }
  };
}

function emptyResult(remote: Remote): FetchResult {
  return { remote: remote.name, fetched: 0, runCacheFetched: 0, bytes: 0, failed: [], missing: [] };
}

/** Downloads the manifests of directory outputs that the cache lacks. */
export async function fetchManifests(cache: LocalCache, remote: Remote, refs: readonly OutRef[], jobs: number, io: OpIo, result = emptyResult(remote)): Promise<FetchResult> {
  const manifests = [...new Set(refs.filter((r) => r.md5.endsWith('.dir') && !cache.has(r.md5)).map((r) => keyOf(r.md5)))];
  if (manifests.length === 0) return result;
  const r = await downloadObjects(remote, cache.filesRoot, manifests.map((key) => ({ key })), { jobs, reporter: io.reporter, task: 'Fetching manifests' });
  absorber(result)(r, (key) => refs.filter((ref) => keyOf(ref.md5) === key).map((ref) => ref.path));
  return result;
}

/** Downloads what `refs` need and `cache` lacks: manifests first, then the files they list. */
export async function fetchRefs(cache: LocalCache, remote: Remote, refs: readonly OutRef[], jobs: number, io: OpIo): Promise<FetchResult> {
  const result = await fetchManifests(cache, remote, refs, jobs, io);
  const { objects } = usedObjects(cache, refs);
  const local = cache.presentSet([...objects.keys()].map(oidOf));
  const wanted = [...objects.keys()].filter((k) => !local.has(oidOf(k)) && !k.endsWith('.dir')).sort();
  const r = await downloadObjects(remote, cache.filesRoot, wanted.map((key) => ({ key })), { jobs, reporter: io.reporter, task: 'Fetching' });
  absorber(result)(r, (key) => objects.get(key)?.names ?? [key]);
  result.missing.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return result;
}
