/**
 * One interface for every kind of remote storage. A remote holds DVC 3's layout under its root:
 * objects at `<root>/files/md5/xx/rest`, and the pipeline run-cache beside them at
 * `<root>/runs/<key[:2]>/<key>/<value>`. A Remote handle addresses one of those areas: its keys
 * are relative to `<root>/files/md5/` (`xx/rest`, `xx/rest.dir`) or to `<root>/runs/`
 * (`ab/<key>/<value>`); `at()` gives the other area of the same remote. The backend owns the
 * mapping to paths or object names.
 *
 * Backends are thin: no retries, no hashing, no concurrency. The transfer engine (transfer.ts)
 * does those once for all of them.
 */
import type { Readable } from 'node:stream';
import { TroveError } from '../errors.js';

/** What the config says about one remote, already merged across levels; values are raw strings. */
export interface RemoteSpec {
  name: string;
  /** The url as written in the config (a local path is made absolute by the caller). */
  url: string;
  /** Every other key of the `remote "name"` section. */
  options: Readonly<Record<string, string>>;
  /** Where each key was set, for error messages: `file:line`. */
  origins?: Readonly<Record<string, string>>;
}

/** The parts of a remote's root that trove reads and writes. */
export type RemoteArea = 'objects' | 'runs';

/** Each area's folder under the remote's root, as DVC 3 lays it out (its legacy odb is the root). */
export const AREA_DIRS: Readonly<Record<RemoteArea, string>> = { objects: 'files/md5', runs: 'runs' };
/** A listed key and the size of its object. */
export interface SizedKey {
  key: string;
  size: number;
}

export interface Remote {
  readonly name: string;
  /** Which folder under the remote's root this handle's keys are relative to. */
  readonly area: RemoteArea;
  /** The url with any credentials removed, for messages. */
  readonly displayUrl: string;
  /** Transfers to run at once when the user gives no -j and no `jobs` key. */
  readonly defaultJobs: number;
  /** Whether downloaded objects must be hashed (`verify`; the engine always hashes anyway). */
  readonly verify: boolean;

  /**
   * Every key under the area's folder, at any depth, page by page; `prefix` (a folder such as
   * `ab/`) narrows the listing. Keys of another shape (other tools' files) are passed through;
   * the caller filters.
   */
  list(prefix?: string): AsyncIterable<string[]>;
  /** `list` with each key's size in bytes, from the same listing calls (what `gc -c` reports). */
  listSized?(prefix?: string): AsyncIterable<SizedKey[]>;
  exists(key: string): Promise<boolean>;
  /** Uploads a local file. Must not leave a partial object visible under `key` if it fails. */
  put(key: string, localPath: string, size: number): Promise<void>;
  /** A stream of the object's bytes; rejects with RemoteObjectMissingError when absent. */
  get(key: string): Promise<Readable>;
  /** Removes the object; resolves when it is absent (missing is not an error). */
  delete(key: string): Promise<void>;
  /** For a remote on a mounted filesystem: where an object's file is, so that copies can use the kernel. */
  localPath?(key: string): string;
  /**
   * The same remote (same connection, settings and credentials) addressing another area. The
   * handle it returns shares this one's resources: closing it releases nothing; close this one.
   */
  at(area: RemoteArea): Remote;
  /** Releases sockets and the like. */
  close?(): Promise<void> | void;
}

/** The kind of a failure, which the engine uses to decide whether to retry. */
export type FailureKind = 'transient' | 'missing' | 'denied' | 'fatal';

export class RemoteError extends TroveError {
  constructor(
    code: string,
    message: string,
    readonly kind: FailureKind,
    opts: { hint?: string; cause?: unknown } = {},
  ) {
    super(code, message, opts);
  }
}

export class RemoteObjectMissingError extends RemoteError {
  constructor(
    readonly remoteName: string,
    readonly key: string,
  ) {
    super('REMOTE_OBJECT_MISSING', `'${key}' is not in remote '${remoteName}'`, 'missing');
  }
}

/** The remote cannot be reached at all (connection refused, DNS, no such bucket). */
export class RemoteUnavailableError extends RemoteError {
  constructor(remoteName: string, displayUrl: string, detail: string, cause?: unknown) {
    super('REMOTE_UNAVAILABLE', `remote '${remoteName}' (${displayUrl}) is not reachable: ${detail}`, 'fatal', {
      hint: 'check the url and endpointurl with `trove remote list`, your network, and that the server is running',
      cause,
    });
  }
}

export class RemoteAuthError extends RemoteError {
  constructor(remoteName: string, displayUrl: string, detail: string, cause?: unknown) {
    super('REMOTE_DENIED', `remote '${remoteName}' (${displayUrl}) refused access: ${detail}`, 'denied', {
      hint: 'check the credentials: `trove remote modify --local <name> <key> <value>` keeps secrets out of git',
      cause,
    });
  }
}

/** Builds one backend from its spec. Backends import their SDK inside this call, never earlier. */
export type RemoteFactory = (spec: RemoteSpec) => Promise<Remote>;
