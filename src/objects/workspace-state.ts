import fs from 'node:fs';
import type { FileStat } from '../fs/walk.js';
import type { HashIndex } from '../hash/hash-index.js';
import type { HashKind } from '../hash/md5.js';
import type { HashTask } from '../hash/tasks.js';
import { runHashTasks } from '../hash/worker-pool.js';

/**
 * md5s for existing workspace files, from the hash index where it knows them, else hashed (on
 * all cores). Files that vanish or cannot be read come back undefined.
 */
export async function md5sOf(
  files: { abs: string; stat: FileStat }[],
  index: HashIndex,
  kind: HashKind = 'md5',
): Promise<(string | undefined)[]> {
  const out: (string | undefined)[] = new Array(files.length);
  const todo: number[] = [];
  for (let i = 0; i < files.length; i++) {
    const m = index.get(files[i]!.stat, kind);
    if (m) out[i] = m;
    else todo.push(i);
  }
  if (todo.length === 0) return out;
  const tasks: HashTask[] = todo.map((i) => ({ op: 'hash', path: files[i]!.abs, kind }));
  const results = await runHashTasks(tasks, todo.map((i) => files[i]!.stat.size));
  results.forEach((r, j) => {
    const i = todo[j]!;
    if (!r.ok) return;
    out[i] = r.md5;
    const st = files[i]!.stat;
    if (r.ino === st.ino && r.mtimeMs === st.mtimeMs && r.size === st.size) index.setIfSettled(st, r.md5, kind, r.readAt);
  });
  return out;
}
