import { createHash, randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterEach, describe, expect, inject, it, onTestFinished, vi } from 'vitest';
import { TroveError } from '../../../src/errors.js';
import { RemoteAuthError, RemoteError, RemoteObjectMissingError, RemoteUnavailableError, type Remote } from '../../../src/remote/remote.js';
import { openS3Remote } from '../../../src/remote/s3-remote.js';
import { S3_BUCKET, S3_CREDENTIALS, freePort } from '../../servers/test-servers.js';
import { useTempDirs } from '../helpers.js';

const tempDir = useTempDirs('trove-s3-');
const opened: Remote[] = [];
afterEach(async () => {
  for (const r of opened.splice(0)) await r.close?.();
});

async function open(options: Record<string, string> = {}, url = `s3://${S3_BUCKET}/unit-${randomUUID()}`): Promise<Remote> {
  const remote = await openS3Remote({
    name: 'storage',
    url,
    options: {
      endpointurl: inject('s3Endpoint'),
      access_key_id: S3_CREDENTIALS.accessKeyId,
      secret_access_key: S3_CREDENTIALS.secretAccessKey,
      ...options,
    },
  });
  opened.push(remote);
  return remote;
}

function keyOf(data: Buffer): string {
  const md5 = createHash('md5').update(data).digest('hex');
  return `${md5.slice(0, 2)}/${md5.slice(2)}`;
}

/** Writes `data` to a temp file and returns its path and its key. */
function stage(dir: string, data: Buffer): { file: string; key: string } {
  const key = keyOf(data);
  const file = path.join(dir, key.replace('/', ''));
  fs.writeFileSync(file, data);
  return { file, key };
}

async function readAll(stream: AsyncIterable<Buffer>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c);
  return Buffer.concat(chunks);
}

async function sdkClient() {
  const { S3Client } = await import('@aws-sdk/client-s3');
  return new S3Client({ endpoint: inject('s3Endpoint'), forcePathStyle: true, region: 'us-east-1', credentials: S3_CREDENTIALS });
}

describe('S3 remote against s3rver', () => {
  it('puts, finds and gets a small object at <prefix>/files/md5/<key>', async () => {
    const prefix = `unit-${randomUUID()}`;
    const remote = await open({}, `s3://${S3_BUCKET}/${prefix}`);
    expect(remote.displayUrl).toBe(`s3://${S3_BUCKET}/${prefix}`);
    expect(remote.defaultJobs).toBe(16);
    expect(remote.verify).toBe(false);
    const data = randomBytes(70_000);
    const { file, key } = stage(tempDir(), data);
    expect(await remote.exists(key)).toBe(false);
    await remote.put(key, file, data.length);
    expect(await remote.exists(key)).toBe(true);
    expect((await readAll(await remote.get(key))).equals(data)).toBe(true);

    const { HeadObjectCommand } = await import('@aws-sdk/client-s3');
    const client = await sdkClient();
    const head = await client.send(new HeadObjectCommand({ Bucket: S3_BUCKET, Key: `${prefix}/files/md5/${key}` }));
    expect(head.ContentLength).toBe(data.length);
    client.destroy();
  });

  it('keeps objects at files/md5/<key> when the url names only the bucket', async () => {
    const remote = await open({}, `s3://${S3_BUCKET}`);
    const data = Buffer.from(`root ${randomUUID()}\n`);
    const { file, key } = stage(tempDir(), data);
    await remote.put(key, file, data.length);
    const { HeadObjectCommand } = await import('@aws-sdk/client-s3');
    const client = await sdkClient();
    await expect(client.send(new HeadObjectCommand({ Bucket: S3_BUCKET, Key: `files/md5/${key}` }))).resolves.toBeTruthy();
    client.destroy();
    await remote.delete(key);
    expect(await remote.exists(key)).toBe(false);
  });

  it('round-trips a 20 MiB file through a multipart upload, byte for byte', async () => {
    const remote = await open();
    const data = randomBytes(20 * 1024 * 1024);
    const { file, key } = stage(tempDir(), data);
    await remote.put(`${key}.dir`, file, data.length);
    expect(await remote.exists(`${key}.dir`)).toBe(true);
    const back = await readAll(await remote.get(`${key}.dir`));
    expect(back.length).toBe(data.length);
    expect(back.equals(data)).toBe(true);
  });

  it('lists more than 1000 keys across pages, and narrows by prefix', async () => {
    const remote = await open();
    const dir = tempDir();
    const staged = Array.from({ length: 1100 }, (_, i) => stage(dir, Buffer.from(`object ${i}\n`)));
    let next = 0;
    const worker = async () => {
      while (next < staged.length) {
        const { file, key } = staged[next++]!;
        await remote.put(key, file, fs.statSync(file).size);
      }
    };
    await Promise.all(Array.from({ length: 32 }, worker));

    const pages: string[][] = [];
    for await (const page of remote.list()) pages.push(page);
    expect(pages.length).toBeGreaterThan(1);
    expect(pages.flat().sort()).toEqual(staged.map((s) => s.key).sort());

    const shard = staged[0]!.key.slice(0, 3);
    const narrowed: string[] = [];
    for await (const page of remote.list(shard)) narrowed.push(...page);
    expect(narrowed.sort()).toEqual(staged.map((s) => s.key).filter((k) => k.startsWith(shard)).sort());
  }, 120_000);

  it('rejects a get of a missing key with RemoteObjectMissingError, and deletes a missing key quietly', async () => {
    const remote = await open();
    const key = keyOf(Buffer.from('never uploaded'));
    await expect(remote.get(key)).rejects.toBeInstanceOf(RemoteObjectMissingError);
    await expect(remote.delete(key)).resolves.toBeUndefined();
  });

  it('reports wrong credentials as RemoteAuthError without the secret', async () => {
    const remote = await open({ access_key_id: 'AKIAWRONGKEY0000', secret_access_key: 'wrong-secret-value-123' });
    const err = await remote.exists(keyOf(Buffer.from('x'))).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RemoteAuthError);
    const text = `${(err as Error).message} ${(err as TroveError).hint}`;
    expect(text).not.toContain('AKIAWRONGKEY0000');
    expect(text).not.toContain('wrong-secret-value-123');
  });

  it('reads credentials from credentialpath for the named profile', async () => {
    const file = path.join(tempDir(), 'credentials');
    fs.writeFileSync(file, `[trove]\naws_access_key_id = ${S3_CREDENTIALS.accessKeyId}\naws_secret_access_key = ${S3_CREDENTIALS.secretAccessKey}\n`);
    const remote = await open({ access_key_id: '', secret_access_key: '', credentialpath: file, profile: 'trove' });
    expect(await remote.exists(keyOf(Buffer.from('x')))).toBe(false);
    const other = await open({ access_key_id: '', secret_access_key: '', credentialpath: file, profile: 'absent' });
    await expect(other.exists(keyOf(Buffer.from('x')))).rejects.toBeInstanceOf(RemoteAuthError);
  });

  it('reports a missing bucket as unreachable', async () => {
    const remote = await open({}, `s3://no-such-bucket-${randomUUID().slice(0, 8)}/p`);
    const list = async () => {
      for await (const page of remote.list()) void page;
    };
    await expect(list()).rejects.toThrow(/bucket 'no-such-bucket-.*' does not exist/);
  });
});

describe('S3 remote areas', () => {
  const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
  const runKey = (k: string, v: string) => `${sha256(k).slice(0, 2)}/${sha256(k)}/${sha256(v)}`;

  async function listed(remote: Remote, prefix?: string): Promise<string[]> {
    const keys: string[] = [];
    for await (const page of remote.list(prefix)) keys.push(...page);
    return keys.sort();
  }

  it('puts run-cache entries at <prefix>/runs/<key>, beside files/md5/, on the same client', async () => {
    const prefix = `unit-${randomUUID()}`;
    const objects = await open({}, `s3://${S3_BUCKET}/${prefix}`);
    const runs = objects.at('runs');
    expect([objects.area, runs.area, runs.at('runs') === runs, runs.at('objects').area]).toEqual(['objects', 'runs', true, 'objects']);
    expect(runs.displayUrl).toBe(objects.displayUrl);

    const dir = tempDir();
    const obj = stage(dir, Buffer.from('an object\n'));
    await objects.put(obj.key, obj.file, 10);
    const entry = path.join(dir, 'entry');
    fs.writeFileSync(entry, 'cmd: echo\n');
    const keys = [runKey('a', '1'), runKey('a', '2'), runKey('b', '1')];
    for (const k of keys) await runs.put(k, entry, 10);

    const { ListObjectsV2Command } = await import('@aws-sdk/client-s3');
    const client = await sdkClient();
    const page = await client.send(new ListObjectsV2Command({ Bucket: S3_BUCKET, Prefix: `${prefix}/` }));
    client.destroy();
    expect((page.Contents ?? []).map((o) => o.Key).sort()).toEqual([`${prefix}/files/md5/${obj.key}`, ...keys.map((k) => `${prefix}/runs/${k}`)].sort());

    expect(await listed(runs)).toEqual([...keys].sort());
    expect(await listed(runs, `${sha256('a').slice(0, 2)}/${sha256('a')}/`)).toEqual([runKey('a', '1'), runKey('a', '2')].sort());
    expect(await listed(objects)).toEqual([obj.key]);
    expect(await runs.exists(keys[0]!)).toBe(true);
    expect(await objects.exists(keys[0]!)).toBe(false);
    expect((await readAll(await runs.get(keys[2]!))).toString()).toBe('cmd: echo\n');
    await runs.delete(keys[1]!);
    expect(await runs.exists(keys[1]!)).toBe(false);

    // A handle from at() shares the client: closing it leaves the remote usable.
    await runs.close?.();
    expect(await objects.exists(obj.key)).toBe(true);
  });

  it('uses runs/ at the bucket root when the url names only the bucket, and lists nothing when it is absent', async () => {
    const runs = (await open({}, `s3://${S3_BUCKET}`)).at('runs');
    const entry = path.join(tempDir(), 'entry');
    fs.writeFileSync(entry, 'x');
    const key = runKey(randomUUID(), 'v');
    await runs.put(key, entry, 1);
    const { HeadObjectCommand } = await import('@aws-sdk/client-s3');
    const client = await sdkClient();
    await expect(client.send(new HeadObjectCommand({ Bucket: S3_BUCKET, Key: `runs/${key}` }))).resolves.toBeTruthy();
    client.destroy();
    await runs.delete(key);
    expect(await listed((await open()).at('runs'))).toEqual([]);
  });
});

describe('S3 remote that cannot be reached', () => {
  it('rejects quickly with RemoteUnavailableError naming the endpoint and no secret', async () => {
    const port = await freePort();
    const secret = 'super-secret-access-key-xyz';
    const remote = await open({ endpointurl: `http://127.0.0.1:${port}`, access_key_id: 'AKIASECRETID9999', secret_access_key: secret, session_token: 'session-token-abc' });
    const started = Date.now();
    const err = await remote.exists(keyOf(Buffer.from('x'))).catch((e: unknown) => e);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(err).toBeInstanceOf(RemoteUnavailableError);
    const message = (err as Error).message;
    expect(message).toContain(`connection refused at http://127.0.0.1:${port}`);
    expect(message).toContain("remote 'storage'");
    for (const s of [secret, 'AKIASECRETID9999', 'session-token-abc']) {
      expect(`${message} ${(err as TroveError).hint} ${remote.displayUrl}`).not.toContain(s);
    }
  });
});

/** A loopback HTTP server answering every request with `handler`, for failures s3rver cannot stage. */
async function scripted(handler: http.RequestListener): Promise<string> {
  const server = http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  onTestFinished(() => {
    server.closeAllConnections();
    server.close();
  });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function s3Error(res: http.ServerResponse, status: number, code: string, message: string): void {
  res.writeHead(status, { 'content-type': 'application/xml' });
  res.end(`<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${message}</Message><RequestId>1</RequestId></Error>`);
}

describe('S3 remote errors, from a scripted server', () => {
  it('sends the md5 the key names, and reports a BadDigest as a per-file error, not a remote failure', async () => {
    let sent: string | undefined;
    const endpointurl = await scripted((req, res) => {
      sent = req.headers['content-md5'] as string | undefined;
      req.resume();
      req.on('end', () => s3Error(res, 400, 'BadDigest', 'The Content-MD5 you specified did not match what we received.'));
    });
    const remote = await open({ endpointurl });
    const data = Buffer.from('the real content');
    const file = stage(tempDir(), data).file;
    const wrongKey = keyOf(Buffer.from('other content'));
    const err = await remote.put(wrongKey, file, data.length).catch((e: unknown) => e);
    expect(sent).toBe(Buffer.from(wrongKey.replace('/', ''), 'hex').toString('base64'));
    expect(err).toMatchObject({ code: 'REMOTE_BAD_DIGEST' });
    expect(err).not.toBeInstanceOf(RemoteError);
  });

  it('stops a multipart upload at its first failed part and aborts it, never completing it', async () => {
    const seen: string[] = [];
    const endpointurl = await scripted((req, res) => {
      const url = new URL(req.url!, 'http://x');
      seen.push(`${req.method} ${url.searchParams.has('uploads') ? 'initiate' : url.searchParams.has('partNumber') ? 'part' : url.searchParams.has('uploadId') ? 'upload' : 'object'}`);
      req.resume();
      req.on('end', () => {
        if (url.searchParams.has('uploads')) {
          res.writeHead(200, { 'content-type': 'application/xml' });
          res.end('<?xml version="1.0" encoding="UTF-8"?><InitiateMultipartUploadResult><Bucket>b</Bucket><Key>k</Key><UploadId>u1</UploadId></InitiateMultipartUploadResult>');
        } else if (url.searchParams.get('partNumber') === '1') {
          s3Error(res, 500, 'InternalError', 'Part lost.');
        } else if (req.method === 'DELETE') {
          res.writeHead(204).end();
        } else {
          setTimeout(() => res.writeHead(200, { etag: '"e"' }).end(), 50);
        }
      });
    });
    const remote = await open({ endpointurl });
    const data = Buffer.alloc(100 * 1024 * 1024, 7);
    const { file, key } = stage(tempDir(), data);
    await expect(remote.put(key, file, data.length)).rejects.toMatchObject({ kind: 'transient', message: expect.stringContaining('Part lost.') });
    await vi.waitFor(() => expect(seen).toContain('DELETE upload'));
    expect(seen.filter((s) => s === 'PUT part').length).toBeLessThanOrEqual(4);
    expect(seen).not.toContain('POST upload');
  });

  it.each([
    [503, 'SlowDown', 'Please reduce your request rate.'],
    [500, 'InternalError', 'We encountered an internal error.'],
    [429, 'TooManyRequests', 'Slow down.'],
  ])('classifies HTTP %i %s as transient', async (status, code, message) => {
    const endpointurl = await scripted((req, res) => {
      req.resume();
      req.on('end', () => s3Error(res, status, code, message));
    });
    const remote = await open({ endpointurl });
    await expect(remote.get(keyOf(Buffer.from('x')))).rejects.toMatchObject({ kind: 'transient', message: expect.stringContaining(code) });
  });

  it('classifies a 403 without a body as denied, and an unknown 400 as fatal', async () => {
    const endpointurl = await scripted((req, res) => {
      req.resume();
      if (req.method === 'HEAD') res.writeHead(403).end();
      else s3Error(res, 400, 'InvalidArgument', 'Nope.');
    });
    const remote = await open({ endpointurl });
    await expect(remote.exists(keyOf(Buffer.from('x')))).rejects.toBeInstanceOf(RemoteAuthError);
    await expect(remote.get(keyOf(Buffer.from('x')))).rejects.toMatchObject({ kind: 'fatal', message: expect.stringContaining('InvalidArgument: Nope.') });
  });

  it('classifies a hung-up socket and a read timeout as transient', async () => {
    const endpointurl = await scripted((req) => {
      if (req.url?.includes('hang')) req.socket.destroy();
    });
    const remote = await open({ endpointurl, read_timeout: '0.3' }, `s3://${S3_BUCKET}/hang`);
    await expect(remote.exists(keyOf(Buffer.from('x')))).rejects.toMatchObject({ kind: 'transient' });
    const slow = await open({ endpointurl, read_timeout: '0.3' }, `s3://${S3_BUCKET}/slow`);
    await expect(slow.exists(keyOf(Buffer.from('x')))).rejects.toMatchObject({ kind: 'transient' });
  });

  it('turns a download cut short into a transient error on the stream', async () => {
    const endpointurl = await scripted((req, res) => {
      res.writeHead(200, { 'content-length': '1000' });
      res.write(Buffer.alloc(100));
      setTimeout(() => req.socket.destroy(), 20);
    });
    const remote = await open({ endpointurl });
    const body = await remote.get(keyOf(Buffer.from('x')));
    await expect(readAll(body)).rejects.toMatchObject({ kind: 'transient' });
  });
});

describe('S3 remote options', () => {
  it.each([
    ['jobs', 'many'],
    ['verify', 'maybe'],
    ['use_ssl', 'sometimes'],
    ['read_timeout', '-3'],
    ['connect_timeout', 'soon'],
    ['sse', 'rot13'],
    ['acl', 'everyone'],
    ['request_checksum_calculation', 'always'],
    ['response_checksum_validation', 'never'],
    ['ssl_verify', '/no/such/ca-bundle.pem'],
    ['endpointurl', 'ftp://example.com'],
  ])('rejects %s = %s, naming the key', async (key, value) => {
    const err = await open({ [key]: value }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TroveError);
    expect((err as Error).message).toContain(key);
  });

  it('rejects half a pair of static credentials and acl with grants', async () => {
    await expect(open({ secret_access_key: '' })).rejects.toThrow(/secret_access_key/);
    await expect(open({ acl: 'private', grant_read: 'id=abc' })).rejects.toThrow(/acl/);
  });

  it('refuses version_aware and worktree, and takes the keys it does not act on', async () => {
    await expect(open({ version_aware: 'true' })).rejects.toMatchObject({ code: 'REMOTE_UNSUPPORTED', message: expect.stringContaining('version_aware') });
    await expect(open({ worktree: 'true' })).rejects.toMatchObject({ code: 'REMOTE_UNSUPPORTED' });
    const remote = await open({ version_aware: 'false', listobjects: 'true', no_traverse: 'false', jobs: '4', verify: 'true' });
    expect(remote.defaultJobs).toBe(4);
    expect(remote.verify).toBe(true);
  });
});
