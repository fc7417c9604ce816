/**
 * Several object stores read as one, first to last: what the first lacks is asked of the next.
 * Another repository's data is read this way: its local cache (for a local path), then its
 * default remote. Read-only: nothing is ever written to another repository's storage.
 */
import type { Readable } from 'node:stream';
import { RemoteError, RemoteObjectMissingError, type Remote, type RemoteArea } from './remote.js';

export class ChainRemote implements Remote {
  readonly name: string;
  readonly displayUrl: string;
  readonly defaultJobs: number;
  readonly verify = true;
  readonly area: RemoteArea;

  constructor(private readonly stores: readonly Remote[]) {
    if (stores.length === 0) throw new Error('a chain needs at least one store');
    const last = stores[stores.length - 1]!;
    this.area = last.area;
    this.name = last.name;
    this.displayUrl = last.displayUrl;
    this.defaultJobs = Math.min(...stores.map((s) => s.defaultJobs));
  }

  async *list(prefix?: string): AsyncIterable<string[]> {
    for (const s of this.stores) yield* s.list(prefix);
  }

  async exists(key: string): Promise<boolean> {
    for (const s of this.stores) if (await s.exists(key)) return true;
    return false;
  }

  async get(key: string): Promise<Readable> {
    let missing: RemoteObjectMissingError | undefined;
    for (const s of this.stores) {
      try {
        return await s.get(key);
      } catch (e) {
        if (!(e instanceof RemoteObjectMissingError)) throw e;
        missing = e;
      }
    }
    throw missing ?? new RemoteObjectMissingError(this.name, key);
  }

  /** The same stores, each at another area. */
  at(area: RemoteArea): Remote {
    return area === this.area ? this : new ChainRemote(this.stores.map((s) => s.at(area)));
  }

  put(): Promise<void> {
    return Promise.reject(new RemoteError('REMOTE_READ_ONLY', `'${this.name}' belongs to another repository and is only read`, 'fatal'));
  }

  delete(): Promise<void> {
    return this.put();
  }

  async close(): Promise<void> {
    for (const s of this.stores) await s.close?.();
  }
}
