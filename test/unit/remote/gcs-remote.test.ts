import { createHash, randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { Storage } from '@google-cloud/storage';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { TroveError } from '../../../src/errors.js';
import { openGcsRemote } from '../../../src/remote/gcs-remote.js';
import { RemoteAuthError, RemoteObjectMissingError, RemoteUnavailableError, type Remote } from '../../../src/remote/remote.js';
import { forEachLimit } from '../../../src/util/pool.js';
import { freePort, GCS_BUCKET, GCS_PROJECT } from '../../servers/test-servers.js';

const endpoint = inject('gcsEndpoint');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'trove-gcs-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function open(url = `gs://${GCS_BUCKET}/unit-${randomUUID()}`, options: Record<string, string> = {}): Promise<Remote> {
  return openGcsRemote({ name: 'gcs', url, options: { endpointurl: endpoint, projectname: GCS_PROJECT, ...options } });
}

/** Writes `data` to a temp file; returns its path and its key (`xx/rest` of its md5). */
function object(data: Buffer): { key: string; file: string } {
  const md5 = createHash('md5').update(data).digest('hex');
  const file = path.join(tmp, md5);
  fs.writeFileSync(file, data);
  return { key: `${md5.slice(0, 2)}/${md5.slice(2)}`, file };
}

async function bytesOf(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

async function listAll(remote: Remote, prefix?: string): Promise<{ keys: string[]; pages: number }> {
  const keys: string[] = [];
  let pages = 0;
  for await (const page of remote.list(prefix)) {
    pages++;
    keys.push(...page);
  }
  return { keys: keys.sort(), pages };
}

describe('GcsRemote against the emulator', () => {
  it('puts, finds and gets a small file, under <prefix>/files/md5/', async () => {
    const prefix = `unit-${randomUUID()}`;
    const remote = await open(`gs://${GCS_BUCKET}/${prefix}`);
    const { key, file } = object(Buffer.from('hello trove\n'));
    expect(await remote.exists(key)).toBe(false);
    await remote.put(key, file, 12);
    expect(await remote.exists(key)).toBe(true);
    expect((await bytesOf(await remote.get(key))).toString()).toBe('hello trove\n');

    const raw = new Storage({ projectId: GCS_PROJECT, apiEndpoint: endpoint }).bucket(GCS_BUCKET);
    const [meta] = await raw.file(`${prefix}/files/md5/${key}`).getMetadata();
    expect(meta.md5Hash).toBe(createHash('md5').update('hello trove\n').digest('base64'));
  });

  it('keeps objects under files/md5/ when the url has no prefix', async () => {
    const remote = await open(`gs://${GCS_BUCKET}`);
    const { key, file } = object(randomBytes(64));
    await remote.put(key, file, 64);
    const raw = new Storage({ projectId: GCS_PROJECT, apiEndpoint: endpoint }).bucket(GCS_BUCKET);
    expect((await raw.file(`files/md5/${key}`).exists())[0]).toBe(true);
    await remote.delete(key);
    expect(await remote.exists(key)).toBe(false);
  });

  it('round-trips a file big enough for a resumable upload', async () => {
    const remote = await open();
    const data = randomBytes(20 * 1024 * 1024);
    const { key, file } = object(data);
    await remote.put(key, file, data.length);
    expect(await remote.exists(key)).toBe(true);
    expect((await bytesOf(await remote.get(key))).equals(data)).toBe(true);
  });

  it('round-trips an empty file and a .dir key', async () => {
    const remote = await open();
    const empty = object(Buffer.alloc(0));
    await remote.put(empty.key, empty.file, 0);
    expect((await bytesOf(await remote.get(empty.key))).length).toBe(0);
    const json = Buffer.from('[{"md5": "d41d8cd98f00b204e9800998ecf8427e", "relpath": "a"}]');
    const manifest = object(json);
    await remote.put(`${manifest.key}.dir`, manifest.file, json.length);
    expect(await remote.exists(`${manifest.key}.dir`)).toBe(true);
  });

  it('lists more than one page, and narrows by prefix', async () => {
    const remote = await open();
    const objects = Array.from({ length: 1100 }, (_, i) => object(Buffer.from(`object ${i}\n`)));
    await forEachLimit(objects, 32, (o) => remote.put(o.key, o.file, 16));
    const all = await listAll(remote);
    expect(all.pages).toBeGreaterThanOrEqual(2);
    expect(all.keys).toEqual(objects.map((o) => o.key).sort());

    const shard = objects[0]!.key.slice(0, 3);
    const some = await listAll(remote, shard);
    expect(some.keys).toEqual(objects.map((o) => o.key).filter((k) => k.startsWith(shard)).sort());
    expect(await listAll(remote, 'zz/')).toEqual({ keys: [], pages: 0 });
  });

  it('rejects get of a missing object, and deletes missing objects quietly', async () => {
    const remote = await open();
    const key = `ab/${'c'.repeat(30)}`;
    await expect(remote.get(key)).rejects.toBeInstanceOf(RemoteObjectMissingError);
    await expect(remote.delete(key)).resolves.toBeUndefined();
  });

  it('leaves no object when the local file cannot be read', async () => {
    const remote = await open();
    const key = `ab/${'d'.repeat(30)}`;
    await expect(remote.put(key, path.join(tmp, 'absent'), 10)).rejects.toMatchObject({ code: 'ENOENT' });
    expect(await remote.exists(key)).toBe(false);
  });

  it('reports a closed port as unreachable, quickly', async () => {
    const port = await freePort();
    const remote = await open(`gs://${GCS_BUCKET}/p`, { endpointurl: `http://127.0.0.1:${port}` });
    const { key, file } = object(Buffer.from('x'));
    const started = Date.now();
    for (const attempt of [() => remote.exists(key), () => remote.get(key), () => remote.put(key, file, 1), () => listAll(remote)]) {
      const e = await attempt().then(() => undefined, (err: unknown) => err);
      expect(e).toBeInstanceOf(RemoteUnavailableError);
      expect((e as Error).message).toBe(`remote 'gcs' (gs://${GCS_BUCKET}/p) is not reachable: connection refused at http://127.0.0.1:${port}`);
    }
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('refuses version_aware and worktree remotes', async () => {
    await expect(open(undefined, { version_aware: 'true' })).rejects.toThrow(/version_aware is not supported/);
    await expect(open(undefined, { worktree: 'true' })).rejects.toBeInstanceOf(TroveError);
  });

  it('reads jobs and verify from the config', async () => {
    expect(await open()).toMatchObject({ defaultJobs: 16, verify: false, displayUrl: expect.stringMatching(/^gs:\/\/trove-test\/unit-/) });
    expect(await open(undefined, { jobs: '4', verify: 'true' })).toMatchObject({ defaultJobs: 4, verify: true });
  });
});

describe('GcsRemote areas', () => {
  const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
  const runKey = (k: string, v: string) => `${sha256(k).slice(0, 2)}/${sha256(k)}/${sha256(v)}`;

  it('puts run-cache entries at <prefix>/runs/<key>, beside files/md5/', async () => {
    const prefix = `unit-${randomUUID()}`;
    const objects = await open(`gs://${GCS_BUCKET}/${prefix}`);
    const runs = objects.at('runs');
    expect([objects.area, runs.area, runs.at('runs') === runs, runs.at('objects').area]).toEqual(['objects', 'runs', true, 'objects']);
    expect(runs.displayUrl).toBe(objects.displayUrl);

    const obj = object(Buffer.from(`an object ${prefix}\n`));
    await objects.put(obj.key, obj.file, fs.statSync(obj.file).size);
    const entry = path.join(tmp, `entry-${prefix}`);
    fs.writeFileSync(entry, 'cmd: echo\n');
    const keys = [runKey('a', '1'), runKey('a', '2'), runKey('b', '1')];
    for (const k of keys) await runs.put(k, entry, 10);

    const raw = new Storage({ projectId: GCS_PROJECT, apiEndpoint: endpoint }).bucket(GCS_BUCKET);
    const [files] = await raw.getFiles({ prefix: `${prefix}/` });
    expect(files.map((f) => f.name).sort()).toEqual([`${prefix}/files/md5/${obj.key}`, ...keys.map((k) => `${prefix}/runs/${k}`)].sort());

    expect((await listAll(runs)).keys).toEqual([...keys].sort());
    expect((await listAll(runs, `${sha256('a').slice(0, 2)}/${sha256('a')}/`)).keys).toEqual([runKey('a', '1'), runKey('a', '2')].sort());
    expect((await listAll(objects)).keys).toEqual([obj.key]);
    expect(await runs.exists(keys[0]!)).toBe(true);
    expect(await objects.exists(keys[0]!)).toBe(false);
    expect((await bytesOf(await runs.get(keys[2]!))).toString()).toBe('cmd: echo\n');
    await runs.delete(keys[1]!);
    expect(await runs.exists(keys[1]!)).toBe(false);
  });

  it('uses runs/ at the bucket root when the url names only the bucket, and lists nothing when it is absent', async () => {
    const runs = (await open(`gs://${GCS_BUCKET}`)).at('runs');
    const entry = path.join(tmp, `entry-${randomUUID()}`);
    fs.writeFileSync(entry, 'x');
    const key = runKey(randomUUID(), 'v');
    await runs.put(key, entry, 1);
    const raw = new Storage({ projectId: GCS_PROJECT, apiEndpoint: endpoint }).bucket(GCS_BUCKET);
    expect((await raw.file(`runs/${key}`).exists())[0]).toBe(true);
    await runs.delete(key);
    expect(await listAll((await open()).at('runs'))).toEqual({ keys: [], pages: 0 });
  });
});

describe('GcsRemote against a misbehaving server', () => {
  async function withServer(handler: http.RequestListener, body: (endpointurl: string) => Promise<void>): Promise<void> {
    const server = http.createServer(handler);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      await body(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    } finally {
      server.closeAllConnections();
      server.close();
    }
  }

  it('classifies error answers for the transfer engine', async () => {
    const { key, file } = object(Buffer.from('y'));
    const cases = [
      [500, 'Backend Error', { code: 'REMOTE_IO', kind: 'transient' }],
      [429, 'Rate limit', { code: 'REMOTE_IO', kind: 'transient' }],
      [403, 'Forbidden', { code: 'REMOTE_DENIED', kind: 'denied' }],
      [404, 'The specified bucket does not exist.', { code: 'REMOTE_UNAVAILABLE', kind: 'fatal' }],
      [400, 'Invalid argument', { code: 'REMOTE_FAILED', kind: 'fatal' }],
    ] as const;
    for (const [status, message, want] of cases) {
      const answer: http.RequestListener = (req, res) => {
        req.resume();
        res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { code: status, message } }));
      };
      await withServer(answer, async (endpointurl) => {
        const remote = await open(`gs://${GCS_BUCKET}/p`, { endpointurl });
        for (const attempt of [() => remote.exists(key), () => remote.get(key), () => remote.put(key, file, 1), () => listAll(remote)]) {
          const e = await attempt().then(() => undefined, (err: unknown) => err);
          expect(e, `HTTP ${status}`).toMatchObject({ ...want, message: expect.stringContaining(status === 404 ? `bucket '${GCS_BUCKET}'` : message) });
        }
      });
    }
    await withServer((req, res) => res.writeHead(403).end('{"error":{"message":"no"}}'), async (endpointurl) => {
      await expect((await open(undefined, { endpointurl })).exists(key)).rejects.toBeInstanceOf(RemoteAuthError);
    });
  });

  it('fails a download whose connection closes early instead of waiting forever', async () => {
    const truncate: http.RequestListener = (req, res) => {
      res.writeHead(200, { 'content-length': '1000' }).write('x'.repeat(100));
      setTimeout(() => req.socket.destroy(), 20);
    };
    await withServer(truncate, async (endpointurl) => {
      const remote = await openGcsRemote({ name: 'gcs', url: `gs://${GCS_BUCKET}/p`, options: { endpointurl } }, { stallMs: 300 });
      const body = await remote.get(`ab/${'e'.repeat(30)}`);
      await expect(bytesOf(body)).rejects.toMatchObject({ code: 'REMOTE_IO', kind: 'transient' });
    });
  });
});
