/**
 * A remote in Google Cloud Storage: objects at `gs://bucket/<prefix>/files/md5/<key>`, run-cache
 * entries at `gs://bucket/<prefix>/runs/<key>`.
 * @google-cloud/storage (and google-auth-library) are imported inside openGcsRemote, never earlier.
 */
import fs from 'node:fs';
import { PassThrough, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Bucket, File, StorageOptions } from '@google-cloud/storage';
import { readGcsSettings, type GcsSettings } from './gcs-settings.js';
import { areaBase, md5Base64Of } from './keys.js';
import { isTransientNetworkFailure, statusKind, unreachableError } from './network-errors.js';
import { displayUrl } from './options.js';
import { RemoteAuthError, RemoteError, RemoteObjectMissingError, RemoteUnavailableError, type Remote, type RemoteArea, type RemoteSpec, type SizedKey } from './remote.js';

const RESUMABLE_ABOVE = 8 * 1024 * 1024;
const PAGE_SIZE = 1000;
const SCOPES = ['https://www.googleapis.com/auth/devstorage.full_control'];
/** As long as the SDK waits for a response before it gives up on a request. */
const STALL_MS = 60_000;

export class GcsRemote implements Remote {
  readonly displayUrl: string;
  /** `<prefix>/<area folder>/`, or `<area folder>/` at the bucket's root: what keys are relative to. */
  private readonly root: string;

  constructor(
    readonly name: string,
    private readonly url: string,
    private readonly bucket: Bucket,
    /** The url's path in the bucket ('' for its root). */
    private readonly prefix: string,
    private readonly endpoint: string,
    readonly defaultJobs: number,
    readonly verify: boolean,
    private readonly stallMs: number,
    readonly area: RemoteArea = 'objects',
  ) {
    this.displayUrl = displayUrl(url);
    this.root = areaBase(prefix, area);
  }

  at(area: RemoteArea): Remote {
    if (area === this.area) return this;
    return new GcsRemote(this.name, this.url, this.bucket, this.prefix, this.endpoint, this.defaultJobs, this.verify, this.stallMs, area);
  }

  private file(key: string): File {
    return this.bucket.file(`${this.root}${key}`);
  }

  async *list(prefix?: string): AsyncIterable<string[]> {
    for await (const page of this.listPages(prefix, false)) yield page.map((k) => k.key);
  }

  listSized(prefix?: string): AsyncIterable<SizedKey[]> {
    return this.listPages(prefix, true);
  }

  private async *listPages(prefix: string | undefined, sized: boolean): AsyncIterable<SizedKey[]> {
    let pageToken: string | undefined;
    do {
      // With `fields`, the SDK hands back the listed items themselves, not File objects.
      let listed: unknown[];
      let next: { pageToken?: string } | null | undefined;
      try {
        [listed, next] = await this.bucket.getFiles({
          prefix: `${this.root}${prefix ?? ''}`,
          autoPaginate: false,
          maxResults: PAGE_SIZE,
          pageToken,
          fields: sized ? 'items(name,size),nextPageToken' : 'items(name),nextPageToken',
        });
      } catch (e) {
        throw this.classify(e, 'list');
      }
      const files = listed as { name: string; size?: string | number }[];
      const page = files.filter((f) => f.name.startsWith(this.root)).map((f) => ({ key: f.name.slice(this.root.length), size: Number(f.size ?? 0) }));
      if (page.length > 0) yield page;
      pageToken = next?.pageToken;
    } while (pageToken);
  }

  async exists(key: string): Promise<boolean> {
    try {
      // file.exists() would also answer false for a missing bucket; the error tells them apart.
      await this.file(key).getMetadata({ fields: 'name' });
      return true;
    } catch (e) {
      if (isObjectNotFound(e)) return false;
      throw this.classify(e, 'exists');
    }
  }

  async put(key: string, localPath: string, size: number): Promise<void> {
    // Opened first, so that a local problem surfaces as itself and not as a remote failure.
    const fh = await fs.promises.open(localPath, 'r');
    const md5Hash = md5Base64Of(key);
    try {
      // Validation is the server's: it rejects an upload whose bytes do not match md5Hash, and
      // neither kind of upload makes an object visible before it completes.
      const upload = this.file(key).createWriteStream({
        resumable: size > RESUMABLE_ABOVE,
        validation: false,
        contentType: 'application/octet-stream',
        metadata: md5Hash ? { md5Hash } : {},
      });
      await pipeline(fh.createReadStream({ highWaterMark: 1 << 20 }), upload);
    } catch (e) {
      throw this.classify(e, 'put', key);
    } finally {
      await fh.close().catch(() => {});
    }
  }

  async get(key: string): Promise<Readable> {
    const src = this.file(key).createReadStream({ validation: false });
    const body = new PassThrough({ highWaterMark: 1 << 20 });
    // The caller may await other work before it reads; an error meanwhile must not crash the
    // process. Readers still see it: a destroyed stream stays errored.
    body.on('error', () => {});
    return new Promise((resolve, reject) => {
      let settled = false;
      src.on('error', (e) => {
        if (settled) return void body.destroy(this.classify(e, 'get', key));
        settled = true;
        reject(isObjectNotFound(e) ? new RemoteObjectMissingError(this.name, key) : this.classify(e, 'get', key));
      });
      // An error status is followed by an 'error' event that carries the server's message.
      src.on('response', (res: { statusCode?: number }) => {
        if (settled || res.statusCode === undefined || res.statusCode >= 300) return;
        settled = true;
        body.on('close', () => src.readableEnded || src.destroy());
        this.watchStalls(src, body, key);
        resolve(src.pipe(body));
      });
      src.read(0); // the SDK sends its request on the first read
    });
  }

  /**
   * node-fetch 2, under the SDK, neither ends nor errors a body whose connection closed before
   * its Content-Length: without this, such a download would wait forever.
   */
  private watchStalls(src: Readable, body: PassThrough, key: string): void {
    let last = Date.now();
    const touch = () => (last = Date.now());
    src.on('data', touch);
    src.on('resume', touch);
    const timer = setInterval(() => {
      // A paused source is waiting for a slow reader, not for the server.
      if (src.readableFlowing === false || Date.now() - last < this.stallMs) return;
      body.destroy(
        new RemoteError('REMOTE_IO', `remote '${this.name}' (${this.displayUrl}): get '${key}' failed: no data for ${this.stallMs / 1000} s`, 'transient'),
      );
    }, Math.min(this.stallMs, 5000));
    body.on('close', () => clearInterval(timer));
  }

  async delete(key: string): Promise<void> {
    try {
      await this.file(key).delete({ ignoreNotFound: true });
    } catch (e) {
      throw this.classify(e, 'delete', key);
    }
  }

  private classify(e: unknown, op: string, key?: string): RemoteError {
    if (e instanceof RemoteError) return e;
    const status = httpStatusOf(e);
    const errno = errnoCodeOf(e);
    const detail = messageOf(e);
    const cause = safeCause(e);
    const what = `${op}${key ? ` '${key}'` : ''}`;
    const unreachable = unreachableError(this, errno, () => originOf(e) ?? this.endpoint, cause);
    if (unreachable) return unreachable;
    // Listings and uploads name no object that could be missing: a 404 there is the bucket's.
    if (status === 404 && (op === 'list' || op === 'put' || /bucket does not exist/i.test(detail))) {
      return new RemoteUnavailableError(this.name, this.displayUrl, `bucket '${this.bucket.name}' does not exist`, cause);
    }
    if (statusKind(status) === 'denied') return new RemoteAuthError(this.name, this.displayUrl, detail, cause);
    if (/could not load the default credentials/i.test(detail)) {
      return new RemoteAuthError(
        this.name,
        this.displayUrl,
        'no Google credentials found (set credentialpath, GOOGLE_APPLICATION_CREDENTIALS, or run `gcloud auth application-default login`)',
        cause,
      );
    }
    if (status === 400 && /md5/i.test(detail)) {
      // Per object, and worth a retry: the bytes may have been damaged on the way.
      return new RemoteError('REMOTE_UPLOAD_CORRUPT', `remote '${this.name}': ${what}: the server's md5 of the upload does not match the key (${detail})`, 'transient', {
        hint: 'if it persists, the cache object is corrupt: remove it from the cache and add the data again',
        cause,
      });
    }
    const transient =
      statusKind(status) === 'transient' || isTransientNetworkFailure(errno, detail) || errno === 'ESOCKETTIMEDOUT' || /timed? ?out/i.test(detail);
    return new RemoteError(
      transient ? 'REMOTE_IO' : 'REMOTE_FAILED',
      `remote '${this.name}' (${this.displayUrl}): ${what} failed${status ? ` (HTTP ${status})` : ''}: ${detail}`,
      transient ? 'transient' : 'fatal',
      { cause },
    );
  }
}

function isObjectNotFound(e: unknown): boolean {
  return statusKind(httpStatusOf(e)) === 'missing' && !/bucket does not exist/i.test(messageOf(e));
}

type SdkError = { code?: unknown; status?: unknown; errno?: unknown; message?: unknown; response?: { status?: unknown; statusCode?: unknown; data?: unknown }; cause?: unknown };

function httpStatusOf(e: unknown): number | undefined {
  const err = e as SdkError | undefined;
  for (const v of [err?.code, err?.status, err?.response?.status, err?.response?.statusCode]) {
    if (typeof v === 'number' && v >= 100 && v < 600) return v;
  }
  return undefined;
}

function errnoCodeOf(e: unknown): string | undefined {
  for (let err = e as SdkError | undefined, depth = 0; err && depth < 5; err = err.cause as SdkError | undefined, depth++) {
    for (const v of [err.code, err.errno]) if (typeof v === 'string' && /^E[A-Z_]+$/.test(v)) return v;
  }
  return undefined;
}

function messageOf(e: unknown): string {
  const err = e as SdkError | undefined;
  const raw = typeof err?.message === 'string' ? err.message : String(e);
  // Downloads put the server's JSON error body in the message; resumable uploads keep it aside.
  const msg = (serverMessage(err?.response?.data) ?? serverMessage(raw) ?? raw).replace(/\s+/g, ' ').trim();
  return msg.length > 300 ? `${msg.slice(0, 300)}...` : msg;
}

/** Where a failed connection went: the storage endpoint, or the token endpoint of a credential. */
function originOf(e: unknown): string | undefined {
  const url = /request to (\S+) failed/.exec(String((e as SdkError)?.message))?.[1];
  if (!url) return undefined;
  try {
    return new URL(url).origin;
  } catch {
    return undefined;
  }
}

function serverMessage(body: unknown): string | undefined {
  if (typeof body === 'string') {
    try {
      body = JSON.parse(body);
    } catch {
      return undefined;
    }
  }
  const m = (body as { error?: { message?: unknown } } | undefined)?.error?.message;
  return typeof m === 'string' ? m : undefined;
}

/** The SDK's errors carry request options, auth headers included: keep only the message and stack. */
function safeCause(e: unknown): Error {
  const cause = new Error(messageOf(e));
  cause.name = e instanceof Error ? e.name : 'Error';
  if (e instanceof Error && e.stack) cause.stack = `${cause.name}: ${cause.message}\n${e.stack.split('\n').filter((l) => /^\s+at /.test(l)).join('\n')}`;
  return cause;
}

async function storageOptions(s: GcsSettings): Promise<StorageOptions> {
  return {
    projectId: s.projectId,
    keyFilename: s.keyFilename,
    apiEndpoint: s.apiEndpoint,
    // With a custom endpoint (an emulator) the SDK sends no credentials unless asked to.
    useAuthWithCustomEndpoint: s.keyFilename !== undefined,
    // The transfer engine retries, once for every backend.
    retryOptions: { autoRetry: false },
    ...(s.anonymousFallback ? { authClient: await defaultOrAnonymousAuth() } : {}),
  };
}

/** Application default credentials when there are any, else anonymous access (public buckets). */
async function defaultOrAnonymousAuth(): Promise<NonNullable<StorageOptions['authClient']>> {
  const { GoogleAuth, PassThroughClient } = await import('google-auth-library');
  const auth = new GoogleAuth({ scopes: SCOPES });
  try {
    await auth.getClient();
    return auth;
  } catch {
    return new PassThroughClient();
  }
}

/** `stallMs`: how long a download may go without a byte while its reader waits (tests shorten it). */
export async function openGcsRemote(spec: RemoteSpec, opts: { stallMs?: number } = {}): Promise<Remote> {
  const settings = readGcsSettings(spec);
  const { Storage } = await import('@google-cloud/storage');
  const storage = new Storage(await storageOptions(settings));
  const { bucket, prefix, endpoint, jobs, verify } = settings;
  return new GcsRemote(spec.name, spec.url, storage.bucket(bucket), prefix, endpoint, jobs, verify, opts.stallMs ?? STALL_MS);
}
