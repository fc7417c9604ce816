import fs from 'node:fs';
import { findMissing, keyOf, oidOf, uploadObjects, type TransferFailure } from '../remote/transfer.js';
import type { Repo } from '../repo/repo.js';
import type { OpIo } from './io.js';
import { jobsFor, withRemote } from './remote-session.js';
import { entryOutRefs, planRunCachePush, uploadRunCache, type PlannedEntry } from './run-cache-sync.js';
import { refsInScope, type ScopeOptions } from './scope.js';
import { usedObjects, type OutRef } from './used-objects.js';

export interface PushOptions extends ScopeOptions {
  remote?: string;
  jobs?: number;
  /** Also push the run-cache entries the remote lacks (whatever the targets), and their outputs. */
  runCache?: boolean;
}

export interface PushResult {
  remote: string;
  /** Objects uploaded now. */
  pushed: number;
  bytes: number;
  /** Objects the remote had already. */
  present: number;
  /** `--run-cache`: entries uploaded now (DVC counts them among the files pushed). */
  runCachePushed: number;
  failed: TransferFailure[];
  /** Names of outputs or files whose objects are in neither the cache nor (as far as we know) the remote. */
  missingInCache: { name: string; md5: string }[];
}

/**
 * Uploads the objects the selected outputs need and the remote lacks. Files go first and a
 * directory's manifest last, only once all its files are there: a manifest on the remote means
 * the directory is complete.
 */
export async function push(repo: Repo, opts: PushOptions, io: OpIo): Promise<PushResult> {
  repo.lock('push');
  const refs = refsInScope(repo, opts, io);
  return withRemote(repo, opts.remote, async (remote) => {
    const jobs = jobsFor(remote, opts.jobs);
    const runs = opts.runCache ? remote.at('runs') : undefined;
    const plan = runs ? await planRunCachePush(repo, runs, io) : undefined;
    const entryRefs = new Map<PlannedEntry, OutRef[]>((plan?.entries ?? []).map((e) => [e, entryOutRefs(e, io)]));
    const { objects, unreadManifests } = usedObjects(repo.cache, [...refs, ...[...entryRefs.values()].flat()]);
    const local = repo.cache.presentSet([...objects.keys()].map(oidOf));
    const missingInCache: PushResult['missingInCache'] = [];
    for (const ref of unreadManifests) missingInCache.push({ name: ref.path, md5: ref.md5 });
    const candidates: string[] = [];
    for (const o of objects.values()) {
      if (local.has(oidOf(o.key))) candidates.push(o.key);
      else if (!unreadManifests.some((r) => oidOf(o.key) === r.md5)) for (const name of o.names) missingInCache.push({ name, md5: oidOf(o.key) });
    }
    io.reporter.debug(`${candidates.length} objects to check on remote '${remote.name}'`);
    const { missing, strategy } = await findMissing(remote, candidates, jobs);
    io.reporter.debug(`remote '${remote.name}' lacks ${missing.size} of them (found by ${strategy})`);
    const toSend = [...missing].sort();
    const itemOf = (key: string) => {
      const file = repo.cache.pathOf(oidOf(key));
      return { key, path: file, size: fs.statSync(file).size };
    };
    const files = toSend.filter((k) => !k.endsWith('.dir')).map(itemOf);
    const first = await uploadObjects(remote, files, { jobs, reporter: io.reporter, task: 'Pushing' });
    if (first.aborted) throw first.aborted;
    // A manifest goes up only when none of its files failed (now) or is missing from the cache.
    const incomplete = new Set<string>();
    for (const f of first.failed) {
      const dirKey = objects.get(f.key)?.dirKey;
      if (dirKey) incomplete.add(dirKey);
    }
    for (const m of missingInCache) {
      const dirKey = objects.get(`${m.md5.slice(0, 2)}/${m.md5.slice(2)}`)?.dirKey;
      if (dirKey) incomplete.add(dirKey);
    }
    const manifests = toSend.filter((k) => k.endsWith('.dir') && !incomplete.has(k)).map(itemOf);
    const second = await uploadObjects(remote, manifests, { jobs, reporter: io.reporter, task: 'Pushing manifests' });
    if (second.aborted) throw second.aborted;
    const failed = [...first.failed, ...second.failed];
    let runCachePushed = 0;
    if (runs && plan) {
      // An entry goes up after its outputs, and not when one of them failed now: an entry on the
      // remote is never sent again, so it must not arrive ahead of data that may never follow.
      const blocked = new Set([...failed.map((f) => f.key), ...incomplete]);
      const filesOf = new Map<string, string[]>();
      for (const o of objects.values()) if (o.dirKey) filesOf.set(o.dirKey, [...(filesOf.get(o.dirKey) ?? []), o.key]);
      const ready = plan.entries.filter((e) => !keysOf(entryRefs.get(e)!, filesOf).some((k) => blocked.has(k)));
      if (ready.length < plan.entries.length) io.reporter.debug(`run-cache: ${plan.entries.length - ready.length} entries held back until their outputs are on the remote`);
      const r = await uploadRunCache(runs, ready, { jobs, reporter: io.reporter });
      runCachePushed = r.done.length;
      failed.push(...plan.failed, ...r.failed);
    }
    return {
      remote: remote.name,
      pushed: first.done.length + second.done.length,
      bytes: first.bytes + second.bytes,
      present: candidates.length - missing.size,
      runCachePushed,
      failed,
      missingInCache: dedupe(missingInCache),
    };
  });
}

/** The object keys outputs stand for: each output's object and, for a directory, its files. */
function keysOf(refs: readonly OutRef[], filesOf: ReadonlyMap<string, string[]>): string[] {
  return refs.flatMap((r) => {
    const key = keyOf(r.md5);
    return [key, ...(filesOf.get(key) ?? [])];
  });
}

function dedupe(list: { name: string; md5: string }[]): { name: string; md5: string }[] {
  const seen = new Map<string, { name: string; md5: string }>();
  for (const m of list) seen.set(`${m.name}\0${m.md5}`, m);
  return [...seen.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
