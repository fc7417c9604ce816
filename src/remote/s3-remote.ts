/**
 * S3 and S3-compatible stores (MinIO, Ceph, R2, s3rver) through the AWS SDK v3. The SDK is
 * imported inside openS3Remote, never at module load: commands without an S3 remote never pay
 * for it. Objects live at `<prefix>/files/md5/<key>` in the bucket and run-cache entries at
 * `<prefix>/runs/<key>`, as DVC 3 puts them.
 */
import fs from 'node:fs';
import https from 'node:https';
import { Readable } from 'node:stream';
import type { S3Client, S3ClientConfig } from '@aws-sdk/client-s3';
import { TroveError, isNodeError } from '../errors.js';
import { areaBase, md5Base64Of, oidOf } from './keys.js';
import { isTransientNetworkFailure, statusKind, unreachableError } from './network-errors.js';
import { displayUrl } from './options.js';
import { RemoteAuthError, RemoteError, RemoteObjectMissingError, RemoteUnavailableError, type Remote, type RemoteArea, type RemoteSpec, type SizedKey } from './remote.js';
import { readS3Settings, type S3Settings } from './s3-settings.js';

type Sdk = typeof import('@aws-sdk/client-s3');

const MiB = 1024 * 1024;
/** Below this a file is sent in one PutObject from memory, with its md5 for the server to check. */
const SINGLE_PUT_LIMIT = 8 * MiB;
const PART_SIZE = 16 * MiB;
const PARTS_IN_FLIGHT = 4;
/**
 * A multipart upload holds up to PARTS_IN_FLIGHT + 1 parts in memory; uploads at once share this
 * budget. Measured: one 1 GiB upload peaks near 210 MB RSS, three of 512 MiB beside twelve of
 * 20 MiB near 225 MB.
 */
const MULTIPART_MEMORY = 6 * PART_SIZE;

/** The region from the SDK's chain (AWS_REGION, the profile in ~/.aws/config), else us-east-1. */
async function sdkRegion(sdk: Sdk, profile: string | undefined): Promise<string> {
  const probe = new sdk.S3Client(profile ? { profile } : {});
  try {
    return await probe.config.region();
  } catch {
    return 'us-east-1';
  } finally {
    probe.destroy();
  }
}

async function clientConfig(sdk: Sdk, s: S3Settings): Promise<S3ClientConfig> {
  const credentials =
    s.credentials ??
    (s.credentialPath
      ? (await import('@aws-sdk/credential-provider-node')).defaultProvider({ profile: s.profile, filepath: s.credentialPath })
      : undefined);
  return {
    region: s.region ?? (await sdkRegion(sdk, s.profile)),
    ...(s.endpoint ? { endpoint: s.endpoint, forcePathStyle: true } : { followRegionRedirects: true }),
    ...(s.profile ? { profile: s.profile } : {}),
    ...(credentials ? { credentials } : {}),
    ...(s.requestChecksum ? { requestChecksumCalculation: s.requestChecksum } : {}),
    ...(s.responseChecksum ? { responseChecksumValidation: s.responseChecksum } : {}),
    tls: s.tls,
    maxAttempts: 1,
    requestHandler: {
      connectionTimeout: s.connectTimeoutMs,
      socketTimeout: s.readTimeoutMs,
      // An Agent instance, not options: the SDK makes its own agent for `Expect: 100-continue`
      // requests unless given one, and that one would drop the TLS settings.
      ...(s.httpsAgent ? { httpsAgent: new https.Agent({ keepAlive: true, maxSockets: 50, ...s.httpsAgent }) } : {}),
    },
  };
}

export async function openS3Remote(spec: RemoteSpec): Promise<Remote> {
  const settings = readS3Settings(spec);
  // The SDK warns on every run under Node < 22; trove supports Node 20, so the warning is noise.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const sdk = await import('@aws-sdk/client-s3');
  return new S3Remote(spec, settings, sdk, new sdk.S3Client(await clientConfig(sdk, settings)));
}

interface SdkError {
  name?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
  errors?: unknown[];
  hostname?: string;
  address?: string;
  port?: number;
}

const AUTH = new Set([
  'AccessDenied',
  'InvalidAccessKeyId',
  'SignatureDoesNotMatch',
  'ExpiredToken',
  'InvalidToken',
  'TokenRefreshRequired',
  'CredentialsProviderError',
]);
const TRANSIENT = new Set(['SlowDown', 'RequestTimeout', 'RequestTimeTooSkewed', 'InternalError', 'ServiceUnavailable', 'TimeoutError']);

function codeOf(e: SdkError & { code?: unknown }): string {
  if (typeof e.code === 'string') return e.code;
  // Node's happy-eyeballs connect reports an AggregateError whose parts carry the errno.
  const inner = e.errors?.[0] as { code?: unknown } | undefined;
  if (typeof inner?.code === 'string') return inner.code;
  return e.name ?? 'Error';
}

function isMissing(e: unknown): boolean {
  const err = (e ?? {}) as SdkError;
  if (err.name === 'NoSuchBucket') return false;
  return err.name === 'NoSuchKey' || err.name === 'NotFound' || statusKind(err.$metadata?.httpStatusCode) === 'missing';
}

/** Bytes handed out first come, first served; a request waits until it fits. */
class Budget {
  private waiting: { bytes: number; go: () => void }[] = [];
  constructor(private free: number) {}
  async take(bytes: number): Promise<void> {
    if (this.waiting.length === 0 && bytes <= this.free) this.free -= bytes;
    else await new Promise<void>((go) => this.waiting.push({ bytes, go }));
  }
  give(bytes: number): void {
    this.free += bytes;
    for (let next = this.waiting[0]; next && next.bytes <= this.free; next = this.waiting[0]) {
      this.waiting.shift();
      this.free -= next.bytes;
      next.go();
    }
  }
}

export class S3Remote implements Remote {
  readonly name: string;
  readonly displayUrl: string;
  readonly defaultJobs: number;
  readonly verify: boolean;
  private readonly bucket: string;
  /** `<prefix>/<area folder>/`: what keys are relative to. */
  private readonly base: string;
  private readonly secrets: string[];

  constructor(
    private readonly spec: RemoteSpec,
    private readonly settings: S3Settings,
    private readonly sdk: Sdk,
    private readonly client: S3Client,
    readonly area: RemoteArea = 'objects',
    /** Shared by every handle of one remote, like the client. */
    private readonly multipartMemory = new Budget(MULTIPART_MEMORY),
    /** Whether this handle owns the client (a handle from `at()` does not). */
    private readonly owner = true,
  ) {
    this.name = spec.name;
    this.displayUrl = displayUrl(spec.url);
    this.defaultJobs = settings.jobs;
    this.verify = settings.verify;
    this.bucket = settings.bucket;
    this.base = areaBase(settings.prefix, area);
    const c = settings.credentials;
    this.secrets = [c?.accessKeyId, c?.secretAccessKey, c?.sessionToken].filter((v): v is string => !!v && v.length >= 4);
  }

  at(area: RemoteArea): Remote {
    return area === this.area ? this : new S3Remote(this.spec, this.settings, this.sdk, this.client, area, this.multipartMemory, false);
  }

  async *list(prefix = ''): AsyncIterable<string[]> {
    for await (const page of this.listSized(prefix)) yield page.map((k) => k.key);
  }

  async *listSized(prefix = ''): AsyncIterable<SizedKey[]> {
    let token: string | undefined;
    do {
      const command = new this.sdk.ListObjectsV2Command({ Bucket: this.bucket, Prefix: this.base + prefix, MaxKeys: 1000, ContinuationToken: token });
      const page = await this.client.send(command).catch((e: unknown) => {
        throw this.fail(e, 'list');
      });
      const keys = (page.Contents ?? []).flatMap((o) => (o.Key?.startsWith(this.base) ? [{ key: o.Key.slice(this.base.length), size: o.Size ?? 0 }] : []));
      if (keys.length > 0) yield keys;
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }

  async exists(key: string): Promise<boolean> {
    try {
      await this.client.send(new this.sdk.HeadObjectCommand({ Bucket: this.bucket, Key: this.base + key }));
      return true;
    } catch (e) {
      if (isMissing(e)) return false;
      throw this.fail(e, `exists ${key}`);
    }
  }

  async put(key: string, localPath: string, size: number): Promise<void> {
    if (size >= SINGLE_PUT_LIMIT) return this.putMultipart(key, localPath, size);
    const body = await fs.promises.readFile(localPath);
    const params = { ...this.settings.uploadExtras, Bucket: this.bucket, Key: this.base + key, Body: body, ContentMD5: md5Base64Of(key) };
    try {
      await this.client.send(new this.sdk.PutObjectCommand(params));
    } catch (e) {
      if ((e as SdkError).name === 'BadDigest') {
        // Not a remote failure: the file's bytes do not hash to the key, so no retry will help.
        throw new TroveError('REMOTE_BAD_DIGEST', `'${localPath}' does not match its md5 ${oidOf(key)}; it was not uploaded to remote '${this.name}'`, {
          hint: 'the cache object is corrupt or was edited in place: delete it from the cache and `trove commit` the data again',
        });
      }
      throw this.fail(e, `put ${key}`);
    }
  }

  private async putMultipart(key: string, localPath: string, size: number): Promise<void> {
    const { Upload } = await import('@aws-sdk/lib-storage');
    const memory = Math.min(Math.ceil(size / PART_SIZE) + 1, PARTS_IN_FLIGHT + 2) * PART_SIZE;
    await this.multipartMemory.take(memory);
    // On any failure lib-storage stops reading the file, lets the parts in flight finish and
    // aborts the multipart upload, so no object appears.
    try {
      const params = { ...this.settings.uploadExtras, Bucket: this.bucket, Key: this.base + key, Body: fs.createReadStream(localPath, { highWaterMark: MiB }) };
      await new Upload({ client: this.client, params, partSize: PART_SIZE, queueSize: PARTS_IN_FLIGHT }).done();
    } catch (e) {
      throw this.fail(e, `put ${key}`);
    } finally {
      this.multipartMemory.give(memory);
    }
  }

  async get(key: string): Promise<Readable> {
    let body: Readable;
    try {
      const res = await this.client.send(new this.sdk.GetObjectCommand({ Bucket: this.bucket, Key: this.base + key }));
      body = res.Body as Readable;
    } catch (e) {
      if (isMissing(e)) throw new RemoteObjectMissingError(this.name, key);
      throw this.fail(e, `get ${key}`);
    }
    const classify = (e: unknown) => this.fail(e, `get ${key}`);
    // A connection that breaks mid-download must reach the engine classified, as transient.
    return Readable.from(
      (async function* () {
        try {
          yield* body;
        } catch (e) {
          throw classify(e);
        }
      })(),
      { objectMode: false },
    );
  }

  async delete(key: string): Promise<void> {
    try {
      await this.client.send(new this.sdk.DeleteObjectCommand({ Bucket: this.bucket, Key: this.base + key }));
    } catch (e) {
      if (isMissing(e)) return;
      throw this.fail(e, `delete ${key}`);
    }
  }

  close(): void {
    if (this.owner) this.client.destroy();
  }

  private redact(text: string): string {
    return this.secrets.reduce((t, secret) => t.split(secret).join('***'), text);
  }

  /** Where the remote was dialled, for "not reachable" messages. */
  private where(e: SdkError): string {
    if (this.settings.endpoint) return displayUrl(this.settings.endpoint);
    if (e.hostname) return e.hostname;
    return e.address ? `${e.address}${e.port ? `:${e.port}` : ''}` : 'the S3 endpoint';
  }

  /** Maps an SDK or network error to the error classes the transfer engine acts on. */
  private fail(e: unknown, what: string): Error {
    if (e instanceof TroveError) return e;
    // Errors reading the local file are not the remote's: pass them on as they are.
    if (isNodeError(e) && e.path !== undefined) return e;
    const err = (e ?? {}) as SdkError;
    const status = err.$metadata?.httpStatusCode;
    const code = codeOf(err);
    const message = this.redact(err.message || String(e));
    const unreachable = unreachableError(this, code, () => this.where(err), e);
    if (unreachable) return unreachable;
    if (code === 'NoSuchBucket') return new RemoteUnavailableError(this.name, this.displayUrl, `bucket '${this.bucket}' does not exist`, e);
    const detail =
      code === 'CredentialsProviderError'
        ? `no credentials found (${message}); set access_key_id and secret_access_key, profile, or AWS_* variables`
        : `${status ? `HTTP ${status} ` : ''}${code}${message && message !== code ? `: ${message}` : ''}`;
    // Narrower than statusKind: from S3, a 401 and a 408 have always been plain fatal errors.
    const kind = status === 401 || status === 408 ? undefined : statusKind(status);
    // No cause: the SDK's auth errors carry the access key id.
    if (kind === 'denied' || AUTH.has(code)) return new RemoteAuthError(this.name, this.displayUrl, detail);
    const transient = kind === 'transient' || TRANSIENT.has(code) || isTransientNetworkFailure(code, message);
    const prefix = `remote '${this.name}' (${this.displayUrl}): ${what} failed: `;
    if (transient) return new RemoteError('REMOTE_IO', prefix + detail, 'transient', { cause: e });
    return new RemoteError('REMOTE_ERROR', prefix + detail, 'fatal', { cause: e });
  }
}
