/**
 * `trove diff --stat` (not in DVC): per top-level output, how many files were added, deleted,
 * modified and renamed, and how many bytes that adds, removes or changes. Only files count, as in
 * DVC's "files summary": a directory's own entry is not a file.
 */
import { compareCodePoints } from '../util/py-json.js';
import type { DiffResult } from './diff.js';

export interface SizeCount {
  files: number;
  /** Added or removed bytes; for modified files the net change (new - old). null: some size is unknown. */
  bytes: number | null;
}

export interface ChangeStat {
  added: SizeCount;
  deleted: SizeCount;
  modified: SizeCount;
  renamed: { files: number };
}

export interface OutputStat extends ChangeStat {
  /** As diff shows it: `images/`, `model.bin`. */
  output: string;
}

export interface DiffStat {
  /** Outputs with at least one changed file, sorted by path. */
  outputs: OutputStat[];
  total: ChangeStat;
}

function zero(): ChangeStat {
  return { added: { files: 0, bytes: 0 }, deleted: { files: 0, bytes: 0 }, modified: { files: 0, bytes: 0 }, renamed: { files: 0 } };
}

function count(c: SizeCount, bytes: number | undefined): void {
  c.files++;
  c.bytes = c.bytes === null || bytes === undefined ? null : c.bytes + bytes;
}

/** The summary of a diff made with `sizes: true`. */
export function diffStat(r: DiffResult): DiffStat {
  const byOutput = new Map<string, OutputStat>();
  const total = zero();
  const statOf = (output: string) => {
    let s = byOutput.get(output);
    if (!s) byOutput.set(output, (s = { output, ...zero() }));
    return s;
  };
  for (const f of r.added) if (!f.isDir) for (const s of [statOf(f.output), total]) count(s.added, f.size);
  for (const f of r.deleted) if (!f.isDir) for (const s of [statOf(f.output), total]) count(s.deleted, f.size);
  for (const f of r.modified) {
    if (f.isDir) continue;
    const delta = f.oldSize === undefined || f.newSize === undefined ? undefined : f.newSize - f.oldSize;
    for (const s of [statOf(f.output), total]) count(s.modified, delta);
  }
  for (const f of r.renamed) if (!f.isDir) for (const s of [statOf(f.output), total]) s.renamed.files++;
  const outputs = [...byOutput.values()].sort((a, b) => compareCodePoints(a.output, b.output));
  return { outputs, total };
}
