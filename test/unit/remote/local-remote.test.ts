import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { LocalRemote, openLocalRemote } from '../../../src/remote/local-remote.js';
import { RemoteObjectMissingError, type Remote } from '../../../src/remote/remote.js';
import { caught, listTree, useTempDirs, writeFile } from '../helpers.js';

const tempDir = useTempDirs('trove-local-remote-');

const md5 = (data: string | Buffer) => createHash('md5').update(data).digest('hex');
const sha256 = (data: string) => createHash('sha256').update(data).digest('hex');
const keyOf = (oid: string) => `${oid.slice(0, 2)}/${oid.slice(2)}`;

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

async function listed(remote: Remote, prefix?: string): Promise<string[]> {
  const out: string[] = [];
  for await (const page of remote.list(prefix)) out.push(...page);
  return out.sort();
}

/** Used through the Remote interface, as the transfer engine uses it. */
const openAt = (root: string): Remote => new LocalRemote('store', root);

/** A source file holding `data`, and the remote key it belongs under. */
function source(dir: string, name: string, data: string): { file: string; key: string } {
  const file = path.join(dir, name);
  writeFile(file, data);
  return { file, key: keyOf(md5(data)) };
}

describe('LocalRemote', () => {
  it('put, exists, get, list and delete round trip with DVC 3 layout', async () => {
    const work = tempDir();
    const root = path.join(tempDir(), 'remote');
    const remote = openAt(root);
    const a = source(work, 'a', 'alpha\n');
    const b = source(work, 'b', 'beta\n');
    const tree = { file: path.join(work, 'tree'), key: `${keyOf(md5('[]'))}.dir` };
    writeFile(tree.file, '[]');

    expect(await remote.exists(a.key)).toBe(false);
    for (const o of [a, b, tree]) await remote.put(o.key, o.file, fs.statSync(o.file).size);

    // Exactly `<root>/files/md5/xx/rest`, nothing else (no temp files left over).
    const expected = [a.key, b.key, tree.key].map((k) => `files/md5/${k}`);
    const files = listTree(root).filter((p) => !p.endsWith('/'));
    expect(files).toEqual([...expected].sort());
    for (const f of expected) expect(fs.statSync(path.join(root, f)).mode & 0o777).toBe(0o444);

    expect(await remote.exists(a.key)).toBe(true);
    expect(await remote.exists(tree.key)).toBe(true);
    expect((await readAll(await remote.get(a.key))).toString()).toBe('alpha\n');
    expect((await readAll(await remote.get(tree.key))).toString()).toBe('[]');

    expect(await listed(remote)).toEqual([a.key, b.key, tree.key].sort());
    const shard = a.key.slice(0, 2);
    expect(await listed(remote, `${shard}/`)).toEqual([a.key, b.key, tree.key].filter((k) => k.startsWith(shard)).sort());

    await remote.delete(a.key);
    expect(await remote.exists(a.key)).toBe(false);
    expect(await listed(remote)).toEqual([b.key, tree.key].sort());
    // Deleting what is absent is not an error.
    await remote.delete(a.key);
  });

  it('put replaces an existing (read-only) object', async () => {
    const work = tempDir();
    const remote = openAt(tempDir());
    const a = source(work, 'a', 'alpha\n');
    await remote.put(a.key, a.file, 6);
    await remote.put(a.key, a.file, 6);
    expect((await readAll(await remote.get(a.key))).toString()).toBe('alpha\n');
    expect(await listed(remote)).toEqual([a.key]);
  });

  it('put of a missing source rejects and leaves no temp file or object', async () => {
    const work = tempDir();
    const root = tempDir();
    const remote = openAt(root);
    // One object already there, so the shard directory exists and a temp file could stay in it.
    const a = source(work, 'a', 'alpha\n');
    await remote.put(a.key, a.file, 6);
    const sameShard = `${a.key.slice(0, 2)}/${'0'.repeat(30)}`;
    const err = await caught(() => remote.put(sameShard, path.join(work, 'nope'), 1));
    expect((err as NodeJS.ErrnoException).code).toBe('ENOENT');
    const otherShard = `${a.key.startsWith('ff') ? 'fe' : 'ff'}/${'0'.repeat(30)}`;
    await caught(() => remote.put(otherShard, path.join(work, 'nope'), 1));
    expect(listTree(root).filter((p) => !p.endsWith('/'))).toEqual([`files/md5/${a.key}`]);
  });

  it('list on a root that does not exist yields nothing', async () => {
    const remote = openAt(path.join(tempDir(), 'never-made'));
    expect(await listed(remote)).toEqual([]);
    expect(await listed(remote, 'ab/')).toEqual([]);
    expect(await remote.exists('ab/' + '0'.repeat(30))).toBe(false);
  });

  it('list is not broken by a stray file beside the shard directories', async () => {
    const work = tempDir();
    const root = tempDir();
    const remote = openAt(root);
    const a = source(work, 'a', 'alpha\n');
    await remote.put(a.key, a.file, 6);
    writeFile(path.join(root, 'files', 'md5', '.DS_Store'), 'x');
    expect(await listed(remote)).toContain(a.key);
  });

  it('get of a missing key rejects with RemoteObjectMissingError', async () => {
    const remote = openAt(tempDir());
    const key = `ab/${'c'.repeat(30)}`;
    const err = await caught(() => remote.get(key));
    expect(err).toBeInstanceOf(RemoteObjectMissingError);
    expect(err).toMatchObject({ kind: 'missing', key, remoteName: 'store', code: 'REMOTE_OBJECT_MISSING' });
  });

  it('openLocalRemote takes a path or a file:// url, and the jobs and verify options', async () => {
    const work = tempDir();
    const root = path.join(tempDir(), 'remote dir');
    const a = source(work, 'a', 'alpha\n');

    const byUrl = await openLocalRemote({ name: 'u', url: pathToFileURL(root).href, options: { jobs: '3', verify: 'true' } });
    expect(byUrl).toBeInstanceOf(LocalRemote);
    expect((byUrl as LocalRemote).root).toBe(root);
    expect(byUrl.defaultJobs).toBe(3);
    expect(byUrl.verify).toBe(true);
    await byUrl.put(a.key, a.file, 6);
    expect(fs.existsSync(path.join(root, 'files', 'md5', a.key))).toBe(true);

    const byPath = await openLocalRemote({ name: 'p', url: root, options: {} });
    expect(byPath.defaultJobs).toBeGreaterThan(0);
    expect(byPath.verify).toBe(false);
    expect(await byPath.exists(a.key)).toBe(true);
  });

  it('addresses the run-cache at <root>/runs/ beside the objects, through at()', async () => {
    const work = tempDir();
    const root = path.join(tempDir(), 'remote');
    const objects = openAt(root);
    const runs = objects.at('runs');
    expect(objects.area).toBe('objects');
    expect(runs.area).toBe('runs');
    expect(runs.at('runs')).toBe(runs);
    expect(runs.at('objects').area).toBe('objects');
    expect(runs.name).toBe(objects.name);
    expect(runs.displayUrl).toBe(objects.displayUrl);

    const key = sha256('key');
    const entry = { file: path.join(work, 'entry'), key: `${key.slice(0, 2)}/${key}/${sha256('value')}` };
    writeFile(entry.file, 'cmd: echo\n');
    const other = `${key.slice(0, 2)}/${key}/${sha256('other')}`;
    const elsewhere = `${sha256('k2').slice(0, 2)}/${sha256('k2')}/${sha256('v2')}`;
    const a = source(work, 'a', 'alpha\n');
    await objects.put(a.key, a.file, fs.statSync(a.file).size);
    for (const k of [entry.key, other, elsewhere]) await runs.put(k, entry.file, fs.statSync(entry.file).size);

    expect(listTree(root).filter((p) => !p.endsWith('/'))).toEqual([`files/md5/${a.key}`, ...[entry.key, other, elsewhere].map((k) => `runs/${k}`)].sort());
    expect(await listed(runs)).toEqual([entry.key, other, elsewhere].sort());
    expect(await listed(runs, `${key.slice(0, 2)}/${key}/`)).toEqual([entry.key, other].sort());
    expect(await listed(objects)).toEqual([a.key]);
    expect(await runs.exists(entry.key)).toBe(true);
    expect(await runs.exists(a.key)).toBe(false);
    expect(await objects.exists(entry.key)).toBe(false);
    expect((await readAll(await runs.get(entry.key))).toString()).toBe('cmd: echo\n');
    await runs.delete(other);
    expect(await listed(runs)).toEqual([entry.key, elsewhere].sort());
    expect(runs.localPath?.(entry.key)).toBe(path.join(root, 'runs', entry.key));
  });

  it('lists no runs when the remote has no runs/ folder', async () => {
    const root = path.join(tempDir(), 'remote');
    const runs = openAt(root).at('runs');
    expect(await listed(runs)).toEqual([]);
    fs.mkdirSync(path.join(root, 'files', 'md5'), { recursive: true });
    expect(await listed(runs)).toEqual([]);
  });
});
