import fs from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { runHashTask, type HashTask, type HashTaskResult } from './tasks.js';

/** Below this much work, starting threads costs more than it saves. */
const MIN_FILES_FOR_WORKERS = 48;
const MIN_BYTES_FOR_WORKERS = 32 * 1024 * 1024;
const BATCH_FILES = 64;
const BATCH_BYTES = 8 * 1024 * 1024;

function workerScript(): string {
  // Bundled: dist/hash-worker.js sits beside this chunk. From sources (tests): use the built one.
  const candidates = [new URL('./hash-worker.js', import.meta.url), new URL('../../dist/hash-worker.js', import.meta.url)];
  for (const c of candidates) {
    const p = fileURLToPath(c);
    if (fs.existsSync(p)) return p;
  }
  throw new Error('hash-worker.js not found: run `npm run build` first');
}

export function hashThreads(): number {
  const env = Number(process.env.TROVE_HASH_THREADS);
  if (Number.isInteger(env) && env > 0) return env;
  return Math.max(1, Math.min(os.availableParallelism(), 8));
}

/**
 * Runs hash tasks on all cores. Each worker reads files synchronously into one reused buffer:
 * per-file promises would cost more than the hashing of small files. Small jobs stay on the main
 * thread. Results come back in task order.
 */
export async function runHashTasks(
  tasks: HashTask[],
  sizes: number[],
  onDone?: (count: number, bytes: number) => void,
): Promise<HashTaskResult[]> {
  const results: HashTaskResult[] = new Array(tasks.length);
  const totalBytes = sizes.reduce((a, b) => a + b, 0);
  const threads = hashThreads();
  if (threads < 2 || (tasks.length < MIN_FILES_FOR_WORKERS && totalBytes < MIN_BYTES_FOR_WORKERS) || tasks.length < 2) {
    for (let i = 0; i < tasks.length; i++) {
      results[i] = runHashTask(tasks[i]!);
      onDone?.(1, sizes[i] ?? 0);
    }
    return results;
  }

  const batches: { start: number; end: number; bytes: number }[] = [];
  for (let start = 0; start < tasks.length; ) {
    let end = start;
    let bytes = 0;
    while (end < tasks.length && end - start < BATCH_FILES && (bytes < BATCH_BYTES || end === start)) {
      bytes += sizes[end] ?? 0;
      end++;
    }
    batches.push({ start, end, bytes });
    start = end;
  }

  const script = workerScript();
  const workerCount = Math.min(threads, batches.length);
  let next = 0;
  await new Promise<void>((resolve, reject) => {
    let running = 0;
    let failed = false;
    const workers: Worker[] = [];
    const finish = (err?: unknown) => {
      if (err && !failed) {
        failed = true;
        for (const w of workers) void w.terminate();
        reject(err);
        return;
      }
      if (--running === 0 && !failed) resolve();
    };
    for (let w = 0; w < workerCount; w++) {
      const worker = new Worker(script);
      workers.push(worker);
      running++;
      let current = -1;
      const dispatch = () => {
        if (next >= batches.length) {
          void worker.terminate().then(() => finish());
          return;
        }
        current = next++;
        const b = batches[current]!;
        worker.postMessage({ id: current, tasks: tasks.slice(b.start, b.end) });
      };
      worker.on('message', (msg: { id: number; results: HashTaskResult[] }) => {
        const b = batches[msg.id]!;
        for (let i = 0; i < msg.results.length; i++) results[b.start + i] = msg.results[i]!;
        onDone?.(b.end - b.start, b.bytes);
        dispatch();
      });
      worker.on('error', (e) => finish(e));
      dispatch();
    }
  });
  return results;
}
