import type { Repo } from '../repo/repo.js';
import type { OpIo } from './io.js';
import { outputStatus, type OutStatus } from './output-state.js';
import { selectOutputs } from './targets.js';

export interface StatusOptions {
  targets?: string[];
}

/** DVC's `status --json` shape: stage (pointer file) -> [{ "changed outs": { out: status } }]. */
export type StatusResult = Record<string, { 'changed outs': Record<string, OutStatus> }[]>;

export async function status(repo: Repo, opts: StatusOptions, io: OpIo): Promise<StatusResult> {
  const result: StatusResult = {};
  const selected = selectOutputs(repo, opts.targets);
  for (const { pointer, out } of selected) {
    const st = await outputStatus(repo, out, io);
    if (!st) continue;
    const stage = repo.display(pointer.relPath);
    const entry = (result[stage] ??= [{ 'changed outs': {} }]);
    entry[0]!['changed outs'][repo.display(out.repoPath)] = st;
  }
  return sortStatus(result);
}

function sortStatus(r: StatusResult): StatusResult {
  const out: StatusResult = {};
  for (const stage of Object.keys(r).sort()) {
    out[stage] = r[stage]!.map((group) => {
      const sorted: Record<string, OutStatus> = {};
      for (const k of Object.keys(group['changed outs']).sort()) sorted[k] = group['changed outs'][k]!;
      return { 'changed outs': sorted };
    });
  }
  return out;
}
