import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { HashTask, HashTaskResult } from '../../../src/hash/tasks.js';
import { hashThreads, runHashTasks } from '../../../src/hash/worker-pool.js';
import { listTree, useTempDirs, writeFile } from '../helpers.js';

const tmp = useTempDirs();
let dir: string;

beforeAll(() => {
  const worker = fileURLToPath(new URL('../../../dist/hash-worker.js', import.meta.url));
  if (!fs.existsSync(worker)) throw new Error('dist/hash-worker.js is missing: run `npm run build` before the unit tests');
});

beforeEach(() => {
  dir = tmp();
});
afterEach(() => {
  vi.unstubAllEnvs();
});

/** `n` small files with distinct content (some duplicates, some CRLF text), and their md5s. */
function makeFiles(n: number): { paths: string[]; sizes: number[]; md5s: string[] } {
  const paths: string[] = [];
  const sizes: number[] = [];
  const md5s: string[] = [];
  for (let i = 0; i < n; i++) {
    const data = i % 10 === 0 ? Buffer.from('duplicate\r\ncontent\r\n') : crypto.randomBytes(1 + ((i * 997) % 20000));
    const p = path.join(dir, 'ws', `d${i % 7}`, `f${i}`);
    writeFile(p, data);
    paths.push(p);
    sizes.push(data.length);
    md5s.push(crypto.createHash('md5').update(data).digest('hex'));
  }
  return { paths, sizes, md5s };
}

async function run(tasks: HashTask[], sizes: number[], threads: string) {
  vi.stubEnv('TROVE_HASH_THREADS', threads);
  expect(hashThreads()).toBe(Number(threads));
  const progress = { count: 0, bytes: 0 };
  const results = await runHashTasks(tasks, sizes, (count, bytes) => {
    progress.count += count;
    progress.bytes += bytes;
  });
  return { results, progress };
}

// readAt is when each read ended: it differs from run to run by design.
const strip = (r: HashTaskResult) => (r.ok ? { ...r, added: undefined, readAt: 0 } : { ok: false, code: r.code });

describe('runHashTasks', () => {
  it('with workers gives the same results as the main thread, in task order', async () => {
    const { paths, sizes, md5s } = makeFiles(300);
    const tasks: HashTask[] = paths.map((p, i) => ({ op: 'hash', path: p, kind: i % 2 ? 'md5' : 'md5-dos2unix' }));
    const main = await run(tasks, sizes, '1');
    const pooled = await run(tasks, sizes, '2');
    expect(pooled.results.map(strip)).toEqual(main.results.map(strip));
    for (const r of pooled.results) if (r.ok) expect(r.readAt).toBeGreaterThan(0);
    expect(pooled.results.filter((r, i) => r.ok && tasks[i]!.op === 'hash' && (tasks[i] as { kind: string }).kind === 'md5').map((r) => (r as { md5: string }).md5)).toEqual(
      md5s.filter((_, i) => i % 2 === 1),
    );
    const total = sizes.reduce((a, b) => a + b, 0);
    expect(pooled.progress).toEqual({ count: 300, bytes: total });
    expect(main.progress).toEqual({ count: 300, bytes: total });
  });

  it('reports a per-file error without failing the others', async () => {
    const { paths, sizes, md5s } = makeFiles(100);
    paths[17] = path.join(dir, 'ws', 'missing');
    fs.mkdirSync(path.join(dir, 'ws', 'a-dir'));
    paths[60] = path.join(dir, 'ws', 'a-dir');
    const tasks: HashTask[] = paths.map((p) => ({ op: 'hash', path: p, kind: 'md5' }));
    for (const threads of ['1', '2']) {
      const { results } = await run(tasks, sizes, threads);
      expect(results).toHaveLength(100);
      expect(results[17]).toMatchObject({ ok: false, code: 'ENOENT' });
      expect(results[60]).toMatchObject({ ok: false, code: 'EISDIR' });
      results.forEach((r, i) => {
        if (i === 17 || i === 60) return;
        expect(r).toMatchObject({ ok: true, md5: md5s[i] });
      });
    }
  });

  it('inserts into the cache from workers: same objects, read-only, no temp files', async () => {
    const { paths, sizes, md5s } = makeFiles(200);
    const root = path.join(dir, 'cache', 'files', 'md5');
    const tasks: HashTask[] = paths.map((p) => ({ op: 'insert', path: p, filesRoot: root }));
    const pooled = await run(tasks, sizes, '2');
    expect(pooled.results.map((r) => (r.ok ? r.md5 : r.code))).toEqual(md5s);
    // The duplicated content is added once.
    expect(pooled.results.filter((r) => r.ok && r.added).length).toBe(new Set(md5s).size);
    const files = listTree(root).filter((p) => !p.endsWith('/'));
    expect(files.sort()).toEqual([...new Set(md5s)].map((m) => `${m.slice(0, 2)}/${m.slice(2)}`).sort());
    for (const f of files) expect(fs.statSync(path.join(root, f)).mode & 0o777).toBe(0o444);

    const again = await run(tasks, sizes, '1');
    expect(again.results.map(strip)).toEqual(pooled.results.map(strip));
    expect(again.results.every((r) => r.ok && r.added === false)).toBe(true);
  });

  it('an empty task list is fine', async () => {
    expect((await run([], [], '2')).results).toEqual([]);
  });
});
