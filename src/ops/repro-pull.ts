/**
 * `repro --pull`: a stage (or data source) whose only change is missing data gets its outputs
 * from the remote instead of running, as DVC's `Stage.reproduce` does. The remote is opened on
 * first need and kept for the run.
 */
import { addIgnoreEntry } from '../git/gitignore.js';
import { checkoutOutput } from '../objects/checkout.js';
import type { Remote } from '../remote/remote.js';
import type { Repo } from '../repo/repo.js';
import { fetchRefs } from './fetch.js';
import type { OpIo } from './io.js';
import { jobsFor, openRepoRemote } from './remote-session.js';
import type { OutRef } from './used-objects.js';

export interface PulledOutput {
  /** Repo-relative path. */
  path: string;
  md5: string;
}

export class ReproPuller {
  private remote: Promise<Remote> | undefined;

  constructor(
    private readonly repo: Repo,
    private readonly opts: { remote?: string; jobs?: number },
    private readonly io: OpIo,
  ) {}

  /**
   * Downloads what the outputs need and checks them out. Returns false when anything could not be
   * fetched or checked out (the caller then runs the stage); remote-wide failures throw.
   */
  async pull(outs: readonly PulledOutput[], linker: ReturnType<Repo['linker']>, gitFiles: Set<string>): Promise<boolean> {
    if (outs.length === 0) return true;
    if (!(await this.fetch(outs))) return false;
    for (const o of outs) {
      const abs = this.repo.abs(o.path);
      const r = await checkoutOutput(
        { abs, display: this.repo.display(o.path), md5: o.md5, hashName: 'md5' },
        { cache: this.repo.cache, index: this.repo.index, linker, force: false, filter: this.repo.dvcignore.prepare(abs), reporter: this.io.reporter },
      );
      if (r.missing.length > 0 || r.refused.length > 0) return false;
      if (this.repo.scm) {
        const gi = addIgnoreEntry(this.repo.root, o.path, o.md5.endsWith('.dir'));
        if (gi) gitFiles.add(gi);
      }
    }
    return true;
  }

  /**
   * Downloads what the outputs need into the cache, leaving the workspace alone (a run-cache
   * restore checks them out itself). Returns false when anything could not be fetched.
   */
  async fetch(outs: readonly PulledOutput[]): Promise<boolean> {
    if (outs.length === 0) return true;
    const remote = await (this.remote ??= openRepoRemote(this.repo, this.opts.remote));
    const refs: OutRef[] = outs.map((o) => ({ path: o.path, md5: o.md5 }));
    const fetched = await fetchRefs(this.repo.cache, remote, refs, jobsFor(remote, this.opts.jobs), this.io);
    return fetched.missing.length === 0 && fetched.failed.length === 0;
  }

  async close(): Promise<void> {
    if (this.remote) await (await this.remote.catch(() => undefined))?.close?.();
  }
}
