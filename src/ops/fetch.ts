import { RemoteObjectMissingError, type Remote } from '../remote/remote.js';
import { downloadObjects, keyOf, oidOf, type TransferFailure, type TransferResult } from '../remote/transfer.js';
import type { Repo } from '../repo/repo.js';
import type { OpIo } from './io.js';
import { jobsFor, withRemote } from './remote-session.js';
import { refsInScope, type ScopeOptions } from './scope.js';
import { usedObjects, type OutRef } from './used-objects.js';

export interface FetchOptions extends Pick<ScopeOptions, 'targets' | 'withDeps' | 'recursive'> {
  remote?: string;
  jobs?: number;
}

export interface FetchResult {
  remote: string;
  /** Objects downloaded now, manifests included. */
  fetched: number;
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
  const refs = refsInScope(repo, { targets: opts.targets, withDeps: opts.withDeps, recursive: opts.recursive }, io);
  return withRemote(repo, opts.remote, (remote) => fetchRefs(repo, remote, refs, jobsFor(remote, opts.jobs), io));
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
  return { remote: remote.name, fetched: 0, bytes: 0, failed: [], missing: [] };
}

/** Downloads the manifests of directory outputs that the cache lacks. */
export async function fetchManifests(repo: Repo, remote: Remote, refs: readonly OutRef[], jobs: number, io: OpIo, result = emptyResult(remote)): Promise<FetchResult> {
  const manifests = [...new Set(refs.filter((r) => r.md5.endsWith('.dir') && !repo.cache.has(r.md5)).map((r) => keyOf(r.md5)))];
  if (manifests.length === 0) return result;
  const r = await downloadObjects(remote, repo.cache.filesRoot, manifests.map((key) => ({ key })), { jobs, reporter: io.reporter, task: 'Fetching manifests' });
  absorber(result)(r, (key) => refs.filter((ref) => keyOf(ref.md5) === key).map((ref) => ref.path));
  return result;
}

export async function fetchRefs(repo: Repo, remote: Remote, refs: readonly OutRef[], jobs: number, io: OpIo): Promise<FetchResult> {
  const result = await fetchManifests(repo, remote, refs, jobs, io);
  const { objects } = usedObjects(repo.cache, refs);
  const local = repo.cache.presentSet([...objects.keys()].map(oidOf));
  const wanted = [...objects.keys()].filter((k) => !local.has(oidOf(k)) && !k.endsWith('.dir')).sort();
  const r = await downloadObjects(remote, repo.cache.filesRoot, wanted.map((key) => ({ key })), { jobs, reporter: io.reporter, task: 'Fetching' });
  absorber(result)(r, (key) => objects.get(key)?.names ?? [key]);
  result.missing.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return result;
}
