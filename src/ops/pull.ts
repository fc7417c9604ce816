import type { Repo } from '../repo/repo.js';
import { checkout, type CheckoutResult } from './checkout.js';
import { fetch, type FetchResult } from './fetch.js';
import type { OpIo } from './io.js';

export interface PullOptions {
  targets?: string[];
  /** `-d`, `-R`: as for fetch and checkout (see targets.ts). */
  withDeps?: boolean;
  recursive?: boolean;
  remote?: string;
  jobs?: number;
  /** Passed to checkout: overwrite workspace changes that are not in the cache. */
  force?: boolean;
  /** Passed to fetch: also download the run-cache entries. The checkout is of the targets only. */
  runCache?: boolean;
  /** Passed to fetch (`-a`, `-T`, `-A`): the data of other revisions too; the checkout is of the workspace. */
  allBranches?: boolean;
  allTags?: boolean;
  allCommits?: boolean;
}

export interface PullResult {
  fetch: FetchResult;
  checkout: CheckoutResult;
}

/** fetch, then checkout of the same targets: whatever arrived is linked into the workspace. */
export async function pull(repo: Repo, opts: PullOptions, io: OpIo): Promise<PullResult> {
  const scope = { targets: opts.targets, withDeps: opts.withDeps, recursive: opts.recursive };
  const fetched = await fetch(repo, { ...scope, remote: opts.remote, jobs: opts.jobs, runCache: opts.runCache, allBranches: opts.allBranches, allTags: opts.allTags, allCommits: opts.allCommits }, io);
  const checkedOut = await checkout(repo, { ...scope, force: opts.force }, io);
  return { fetch: fetched, checkout: checkedOut };
}
