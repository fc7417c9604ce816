/**
 * The three backends as the contract suite sees them: how to point a repo at a fresh, empty
 * remote, and raw access to the stored objects that bypasses trove (to corrupt or inspect them).
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { inject } from 'vitest';
import { freePort, GCS_BUCKET, GCS_PROJECT, S3_BUCKET, S3_CREDENTIALS } from './test-servers.js';

/** Where under the remote's url: DVC 3's objects (`files/md5/`), or the run-cache (`runs/`). */
export type Area = 'objects' | 'runs';
const AREA_DIR: Record<Area, string> = { objects: 'files/md5', runs: 'runs' };

export interface RemoteUnderTest {
  url: string;
  /** `trove remote modify` arguments beyond the url: [key, value, level][] */
  settings: [string, string, 'project' | 'local'][];
  /** Settings that make the same remote unreachable. */
  downSettings(): Promise<[string, string, 'project' | 'local'][]>;
  /** Keys stored under the area, sorted: `xx/rest` under `files/md5/`, `xx/<key>/<value>` under `runs/`. */
  keys(area?: Area): Promise<string[]>;
  /** The bytes stored at a key, bypassing trove. */
  read(key: string, area?: Area): Promise<Buffer>;
  /** Overwrites (or creates) a key with other bytes, bypassing trove. */
  overwrite(key: string, bytes: Buffer, area?: Area): Promise<void>;
  remove(key: string, area?: Area): Promise<void>;
}

/** The emulator drops a connection now and then under load: the tests' own raw calls retry. */
async function retried<T>(op: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await op();
    } catch (e) {
      if (attempt >= 4) throw e;
      await new Promise((r) => setTimeout(r, 200 * attempt));
    }
  }
}

export type BackendName = 'local' | 's3' | 'gcs';
export const BACKENDS: BackendName[] = ['local', 's3', 'gcs'];

export function remoteUnderTest(name: BackendName, scratch: string): RemoteUnderTest {
  if (name === 'local') return localRemote(path.join(scratch, 'remote'));
  const r = name === 's3' ? s3Remote(`t-${randomUUID()}`) : gcsRemote(`t-${randomUUID()}`);
  return {
    ...r,
    keys: (area) => retried(() => r.keys(area)),
    read: (key, area) => retried(() => r.read(key, area)),
    overwrite: (key, bytes, area) => retried(() => r.overwrite(key, bytes, area)),
    remove: (key, area) => retried(() => r.remove(key, area)),
  };
}

function localRemote(root: string): RemoteUnderTest {
  const base = (area: Area = 'objects') => path.join(root, AREA_DIR[area]);
  return {
    url: root,
    settings: [],
    async downSettings() {
      // A mount that went away: a plain file sits where the remote's directory should be.
      const gone = `${root}-gone`;
      fs.writeFileSync(gone, '');
      return [['url', path.join(gone, 'store'), 'project']];
    },
    async keys(area) {
      const dir = base(area);
      if (!fs.existsSync(dir)) return [];
      // Only stored files: a killed upload may leave a `.trove-tmp-*` file beside them.
      const files = fs.readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile() && !e.name.startsWith('.'));
      return files.map((e) => path.relative(dir, path.join(e.parentPath, e.name)).split(path.sep).join('/')).sort();
    },
    async read(key, area) {
      return fs.readFileSync(path.join(base(area), key));
    },
    async overwrite(key, bytes, area) {
      const p = path.join(base(area), key);
      fs.rmSync(p, { force: true });
      fs.mkdirSync(path.dirname(p), { recursive: true });
      fs.writeFileSync(p, bytes);
    },
    async remove(key, area) {
      fs.rmSync(path.join(base(area), key), { force: true });
    },
  };
}

async function s3Client(endpoint: string) {
  const { S3Client } = await import('@aws-sdk/client-s3');
  return new S3Client({
    endpoint,
    forcePathStyle: true,
    region: 'us-east-1',
    credentials: S3_CREDENTIALS,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

function s3Remote(prefix: string): RemoteUnderTest {
  const endpoint = inject('s3Endpoint');
  const base = (area: Area = 'objects') => `${prefix}/${AREA_DIR[area]}/`;
  return {
    url: `s3://${S3_BUCKET}/${prefix}`,
    settings: [
      ['endpointurl', endpoint, 'project'],
      ['access_key_id', S3_CREDENTIALS.accessKeyId, 'local'],
      ['secret_access_key', S3_CREDENTIALS.secretAccessKey, 'local'],
    ],
    async downSettings() {
      return [['endpointurl', `http://127.0.0.1:${await freePort()}`, 'project']];
    },
    async keys(area) {
      const { ListObjectsV2Command } = await import('@aws-sdk/client-s3');
      const client = await s3Client(endpoint);
      const keys: string[] = [];
      let token: string | undefined;
      do {
        const page = await client.send(new ListObjectsV2Command({ Bucket: S3_BUCKET, Prefix: base(area), ContinuationToken: token }));
        for (const o of page.Contents ?? []) keys.push(o.Key!.slice(base(area).length));
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token);
      client.destroy();
      return keys.sort();
    },
    async read(key, area) {
      const { GetObjectCommand } = await import('@aws-sdk/client-s3');
      const client = await s3Client(endpoint);
      const res = await client.send(new GetObjectCommand({ Bucket: S3_BUCKET, Key: base(area) + key }));
      const bytes = Buffer.from(await res.Body!.transformToByteArray());
      client.destroy();
      return bytes;
    },
    async overwrite(key, bytes, area) {
      const { PutObjectCommand } = await import('@aws-sdk/client-s3');
      const client = await s3Client(endpoint);
      await client.send(new PutObjectCommand({ Bucket: S3_BUCKET, Key: base(area) + key, Body: bytes }));
      client.destroy();
    },
    async remove(key, area) {
      const { DeleteObjectCommand } = await import('@aws-sdk/client-s3');
      const client = await s3Client(endpoint);
      await client.send(new DeleteObjectCommand({ Bucket: S3_BUCKET, Key: base(area) + key }));
      client.destroy();
    },
  };
}

async function gcsBucket(endpoint: string) {
  const { Storage } = await import('@google-cloud/storage');
  return new Storage({ projectId: GCS_PROJECT, apiEndpoint: endpoint }).bucket(GCS_BUCKET);
}

function gcsRemote(prefix: string): RemoteUnderTest {
  const endpoint = inject('gcsEndpoint');
  const base = (area: Area = 'objects') => `${prefix}/${AREA_DIR[area]}/`;
  return {
    url: `gs://${GCS_BUCKET}/${prefix}`,
    settings: [
      ['endpointurl', endpoint, 'project'],
      ['projectname', GCS_PROJECT, 'project'],
    ],
    async downSettings() {
      return [['endpointurl', `http://127.0.0.1:${await freePort()}`, 'project']];
    },
    async keys(area) {
      const [files] = await (await gcsBucket(endpoint)).getFiles({ prefix: base(area) });
      return files.map((f) => f.name.slice(base(area).length)).sort();
    },
    async read(key, area) {
      const [bytes] = await (await gcsBucket(endpoint)).file(base(area) + key).download({ validation: false });
      return bytes;
    },
    async overwrite(key, bytes, area) {
      await (await gcsBucket(endpoint)).file(base(area) + key).save(bytes, { resumable: false, validation: false });
    },
    async remove(key, area) {
      await (await gcsBucket(endpoint)).file(base(area) + key).delete({ ignoreNotFound: true });
    },
  };
}
