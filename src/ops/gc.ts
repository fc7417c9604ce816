/**
 * `gc`: plan what no output in the scope uses (in the cache, and with `cloud` on the remote),
 * ask, then delete object by object. Directory manifests go before files, so that an interrupted
 * gc never leaves a manifest whose files are gone; whatever it left is a cache that works.
 */
import fs from 'node:fs';
import path from 'node:path';
import { TroveError } from '../errors.js';
import type { HashKind } from '../hash/md5.js';
import { parseTree, type TreeEntry } from '../objects/tree.js';
import { RemoteObjectMissingError, type Remote } from '../remote/remote.js';
import { CorruptObjectError, deleteObjects, findMissing, keyOf, listAllSized, oidOf, readVerified } from '../remote/transfer.js';
import { resolveRemote } from '../repo/remotes.js';
import { Repo } from '../repo/repo.js';
import { isDirOid } from '../util/cache-layout.js';
import { forEachLimit } from '../util/pool.js';
import { commitsInScope, gcWarning, validateGcScope, type GcScope } from './gc-scope.js';
import { collectOutputs, keepSetOf, type KeepSet, type ManifestSources, type MissingManifest, type UsedOutput } from './gc-used.js';
import type { OpIo } from './io.js';
import { jobsFor, openRepoRemote } from './remote-session.js';

export interface GcOptions extends GcScope {
  force?: boolean;
  dry?: boolean;
  /** -c: also delete from the remote what the scope does not use. */
  cloud?: boolean;
  /** --not-in-remote: keep only what the scope uses and the remote lacks (free the cache of pushed data). */
  notInRemote?: boolean;
  /** -r: the remote for -c or --not-in-remote (default: core.remote). */
  remote?: string;
  /** -j: remote deletions (and manifest reads) at once. */
  jobs?: number;
  /** -p: other projects sharing the cache (or the remote), whose scopes are kept too. */
  projects?: string[];
}

export interface GcLayoutResult {
  /** 'local' is the DVC 3 layout (files/md5), 'legacy' DVC 2's. */
  name: 'local' | 'legacy';
  removed: string[];
  bytes: number;
}

export interface GcRemoteResult {
  name: string;
  /** Oids removed from the remote (with --dry: to be removed), sorted. */
  removed: string[];
  bytes: number;
  /** Objects the remote refused to delete, and why. */
  failed: { oid: string; error: string }[];
  /** Set when the remote failed as a whole (unreachable, denied) and deletion stopped. */
  error?: string;
}

export interface GcResult {
  dry: boolean;
  layouts: GcLayoutResult[];
  /** Objects kept in the cache because something in the scope references them. */
  kept: number;
  /** Set when the user declined. */
  aborted: boolean;
  /** Commits read (the workspaces come on top). */
  revisions: number;
  /** Other projects whose scopes were kept, as absolute roots. */
  projects: string[];
  /** Directory outputs whose manifest was found nowhere: their files could not be kept. */
  missingManifests: MissingManifest[];
  /** With -c: what happened on the remote. */
  remote: GcRemoteResult | null;
}

/** The warning for `gc -c` beside the scope's: what leaves a remote has no other copy. */
export function remoteWarning(remote: string): string {
  return `With -c, gc also deletes these objects from remote '${remote}': unless another remote or a backup holds them, they are gone for good.`;
}

interface Plan {
  local: { name: 'local' | 'legacy'; kind: HashKind; oids: string[] }[];
  remote?: { keys: string[]; sizes: Map<string, number | undefined> };
  kept: number;
}

/** Plans, asks (unless forced or dry), then removes every object no output in the scope uses. */
export async function gc(repo: Repo, opts: GcOptions, io: OpIo): Promise<GcResult> {
  validateGcScope(opts);
  if (opts.remote !== undefined && !opts.cloud && !opts.notInRemote) {
    throw new TroveError('USAGE', '`--remote` requires `--cloud` or `--not-in-remote`', {
      hint: 'add -c to delete from that remote too, or --not-in-remote to drop from the cache what it holds; without either gc only looks at the cache',
      exitCode: 2,
    });
  }
  if (opts.notInRemote && opts.cloud) {
    throw new TroveError('USAGE', '`--not-in-remote` and `--cloud` are mutually exclusive', {
      hint: '--not-in-remote frees the cache of what the remote holds; -c deletes from the remote: run them one after the other',
      exitCode: 2,
    });
  }
  const projects = openProjects(repo, opts.projects ?? []);
  let remote: Remote | undefined;
  try {
    repo.lock('gc');
    for (const p of projects) p.repo.lock('gc');
    const outputs = new Map<string, UsedOutput>();
    const blobCache = new Map<string, string>();
    let revisions = 0;
    for (const { repo: r, label } of [{ repo, label: undefined }, ...projects]) {
      const commits = inProject(label, () => commitsInScope(r, opts));
      revisions += commits.length;
      inProject(label, () => collectOutputs(r, commits, outputs, blobCache, label));
    }
    if (opts.cloud || opts.notInRemote) remote = await openRepoRemote(repo, opts.remote);
    const jobs = remote ? jobsFor(remote, opts.jobs) : opts.jobs ?? 8;
    const keep = await keepSetOf(outputs.values(), manifestSources(repo, projects, remote, jobs, io));
    for (const m of keep.missingManifests) io.reporter.warn(missingManifestWarning(m));
    if (opts.notInRemote) keep.oids = await notOnRemote(remote!, keep, jobs);

    const plan = await planRemoval(repo, keep.oids, opts.cloud ? remote : undefined);
    const result: GcResult = {
      dry: Boolean(opts.dry),
      layouts: [],
      kept: plan.kept,
      aborted: false,
      revisions,
      projects: projects.map((p) => p.repo.root),
      missingManifests: keep.missingManifests,
      remote: null,
    };
    const total = plan.local.reduce((n, l) => n + l.oids.length, 0) + (plan.remote?.keys.length ?? 0);
    if (!opts.dry) {
      io.reporter.warn(gcWarning(opts, result.projects, remote?.name));
      if (!opts.force && total > 0) {
        if (remote && plan.remote!.keys.length > 0) io.reporter.warn(remoteWarning(remote.name));
        const ok = io.confirm ? await io.confirm('Are you sure you want to proceed?') : false;
        if (!ok) {
          if (!io.confirm) {
            throw new TroveError('CONFIRMATION_REQUIRED', 'gc needs confirmation, and there is no terminal to ask', {
              hint: 'add -f to remove without asking, or --dry to see what would go',
            });
          }
          result.aborted = true;
          return result;
        }
      }
    }
    for (const p of plan.local) result.layouts.push(removeLocal(repo, p.oids, p.kind, Boolean(opts.dry), p.name));
    if (remote && plan.remote) result.remote = await removeRemote(remote, plan.remote, jobs, Boolean(opts.dry), io);
    if (!opts.dry) repo.cache.sweepTemps();
    return result;
  } finally {
    await remote?.close?.();
    for (const p of projects) p.repo.close();
  }
}

/**
 * What --not-in-remote keeps: the used objects the remote lacks (one listing or a few existence
 * checks). Objects that DVC 2 outputs name stay whatever the remote holds: a remote has DVC 3
 * objects only, and the same name there may hold other bytes (line endings normalised).
 */
async function notOnRemote(remote: Remote, keep: KeepSet, jobs: number): Promise<Set<string>> {
  const candidates = [...keep.oids].filter((o) => !keep.legacy.has(o)).map(keyOf);
  const { missing } = await findMissing(remote, candidates, jobs);
  return new Set([...keep.oids].filter((o) => keep.legacy.has(o) || missing.has(keyOf(o))));
}

interface Project {
  repo: Repo;
  /** As the user gave it. */
  label: string;
}

/** Opens the `-p` projects (each once, the current one left out). */
function openProjects(repo: Repo, paths: readonly string[]): Project[] {
  const out: Project[] = [];
  const seen = new Set([repo.root]);
  try {
    for (const p of paths) {
      const abs = path.resolve(repo.cwd, p);
      if (!fs.existsSync(abs)) throw new TroveError('NO_SUCH_PROJECT', `project '${p}' does not exist`, { hint: 'give -p the path of another DVC project (a directory with a .dvc/ in it or above it)' });
      let other: Repo;
      try {
        other = Repo.open({ cwd: abs });
      } catch (e) {
        if (e instanceof TroveError && e.code === 'NOT_A_REPO') {
          throw new TroveError('NOT_A_REPO', `project '${p}' is not a DVC project (no .dvc/ at ${abs} or above it)`, { hint: 'give -p the path of another DVC project' });
        }
        throw e;
      }
      if (seen.has(other.root)) continue;
      seen.add(other.root);
      out.push({ repo: other, label: p });
    }
  } catch (e) {
    for (const p of out) p.repo.close();
    throw e;
  }
  return out;
}

/** Runs `body`, naming the project in the message of a TroveError it throws. */
function inProject<T>(label: string | undefined, body: () => T): T {
  if (label === undefined) return body();
  try {
    return body();
  } catch (e) {
    if (!(e instanceof TroveError)) throw e;
    throw new TroveError(e.code, `in project '${label}': ${e.message}`, { hint: e.hint, cause: e, exitCode: e.exitCode });
  }
}

function missingManifestWarning(m: MissingManifest): string {
  const where = [m.rev ? `at ${m.rev.slice(0, 7)}` : '', m.project !== undefined ? `in project '${m.project}'` : ''].filter(Boolean).join(' ');
  return `Missing cache for directory '${m.path}'${where ? ` (${where})` : ''}. Cache for files inside will be lost: its manifest ${m.md5} is in no cache, so gc cannot tell which they are.`;
}

/**
 * Manifests come from this cache, then the other projects' caches, then a remote: the `-c` one,
 * else the default remote if there is one (as DVC does). A remote that cannot be read is reported
 * and gc goes on; with `-c` it fails, since that remote is about to be cleaned.
 */
function manifestSources(repo: Repo, projects: readonly Project[], cloud: Remote | undefined, jobs: number, io: OpIo): ManifestSources {
  const caches = [repo.cache, ...projects.map((p) => p.repo.cache).filter((c) => c.dir !== repo.cache.dir)];
  return {
    local: (oid, kind) => {
      for (const c of caches) {
        const entries = c.tryReadTree(oid, kind);
        if (entries) return entries;
      }
      return undefined;
    },
    fetch: async (oids) => {
      if (oids.length === 0) return new Map();
      if (cloud) return readManifests(cloud, oids, jobs, io);
      let spec;
      try {
        spec = resolveRemote(repo.config, repo.dvcDir, undefined);
      } catch {
        return new Map();
      }
      try {
        const { openRemote } = await import('../remote/registry.js');
        const remote = await openRemote(spec);
        try {
          return await readManifests(remote, oids, jobsFor(remote, undefined), io);
        } finally {
          await remote.close?.();
        }
      } catch (e) {
        if (!(e instanceof TroveError)) throw e;
        io.reporter.warn(`could not read missing directory manifests from remote '${spec.name}': ${e.message}`);
        return new Map();
      }
    },
  };
}

/** Manifests read from a remote (verified, in memory); absent or corrupt ones are left out. */
async function readManifests(remote: Remote, oids: readonly string[], jobs: number, io: OpIo): Promise<Map<string, TreeEntry[]>> {
  const found = new Map<string, TreeEntry[]>();
  let failure: unknown;
  await forEachLimit(
    oids,
    jobs,
    async (oid) => {
      try {
        found.set(oid, parseTree((await readVerified(remote, keyOf(oid))).toString('utf8'), `${remote.name}:${oid}`));
      } catch (e) {
        if (e instanceof RemoteObjectMissingError) return;
        if (e instanceof CorruptObjectError || (e instanceof TroveError && e.code === 'FILE_FORMAT')) {
          io.reporter.warn(`manifest ${oid} on remote '${remote.name}' cannot be used: ${e.message}`);
          return;
        }
        failure ??= e;
      }
    },
    { stopped: () => failure !== undefined },
  );
  if (failure !== undefined) throw failure;
  io.reporter.debug(`read ${found.size} of ${oids.length} missing manifests from remote '${remote.name}'`);
  return found;
}

async function planRemoval(repo: Repo, keep: ReadonlySet<string>, remote: Remote | undefined): Promise<Plan> {
  const { md5, legacy } = repo.cache.listByLayout();
  const local: Plan['local'] = [
    { name: 'local', kind: 'md5', oids: md5.filter((o) => !keep.has(o)) },
    { name: 'legacy', kind: 'md5-dos2unix', oids: legacy.filter((o) => !keep.has(o)) },
  ];
  const kept = md5.length + legacy.length - local[0]!.oids.length - local[1]!.oids.length;
  if (!remote) return { local, kept };
  const sizes = await listAllSized(remote);
  return { local, kept, remote: { keys: [...sizes.keys()].filter((k) => !keep.has(oidOf(k))), sizes } };
}

/** Manifests first, then files: a manifest never outlives the files it lists. */
function manifestsFirst<T>(items: readonly T[], oidOfItem: (item: T) => string): T[] {
  return [...items.filter((i) => isDirOid(oidOfItem(i))), ...items.filter((i) => !isDirOid(oidOfItem(i)))];
}

/** Test hook: dies by SIGKILL after this many cache deletions, to test an interrupted gc for real. */
const killAfter = Number(process.env.TROVE_FAULT_GC_KILL_AFTER ?? 0);
let removedInProcess = 0;

function removeLocal(repo: Repo, oids: readonly string[], kind: HashKind, dry: boolean, name: 'local' | 'legacy'): GcLayoutResult {
  let bytes = 0;
  for (const oid of manifestsFirst(oids, (o) => o)) {
    if (dry) {
      bytes += fs.statSync(repo.cache.pathOf(oid, kind), { throwIfNoEntry: false })?.size ?? 0;
      continue;
    }
    bytes += repo.cache.removeObject(oid, kind);
    if (killAfter > 0 && ++removedInProcess >= killAfter) process.kill(process.pid, 'SIGKILL');
  }
  return { name, removed: [...oids].sort(), bytes };
}

async function removeRemote(remote: Remote, plan: NonNullable<Plan['remote']>, jobs: number, dry: boolean, io: OpIo): Promise<GcRemoteResult> {
  const items = plan.keys.map((key) => ({ key, size: plan.sizes.get(key) }));
  const result: GcRemoteResult = { name: remote.name, removed: [], bytes: 0, failed: [] };
  if (dry) {
    result.removed = plan.keys.map(oidOf).sort();
    result.bytes = items.reduce((n, i) => n + (i.size ?? 0), 0);
    return result;
  }
  for (const batch of [items.filter((i) => isDirOid(oidOf(i.key))), items.filter((i) => !isDirOid(oidOf(i.key)))]) {
    if (batch.length === 0) continue;
    const r = await deleteObjects(remote, batch, { jobs, reporter: io.reporter, task: `Removing from '${remote.name}'` });
    result.removed.push(...r.done.map(oidOf));
    result.bytes += r.bytes;
    for (const f of r.failed) result.failed.push({ oid: oidOf(f.key), error: f.error.message });
    if (r.aborted) {
      result.error = r.aborted.message;
      break;
    }
  }
  result.removed.sort();
  result.failed.sort((a, b) => (a.oid < b.oid ? -1 : 1));
  return result;
}
