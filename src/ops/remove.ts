import fs from 'node:fs';
import { TroveError } from '../errors.js';
import { removeIgnoreEntry } from '../git/gitignore.js';
import { isPointerFileName, loadPointerFile, POINTER_SUFFIX } from '../repo/pointer-files.js';
import type { Repo } from '../repo/repo.js';
import { autostageChanges } from './autostage.js';
import type { OpIo } from './io.js';
import { unprotectPath } from './unprotect.js';

export interface RemoveOptions {
  targets: string[];
  /** Delete the outputs from the workspace too. */
  outs?: boolean;
}

export interface RemoveResult {
  removed: { pointerFile: string; outputs: string[] }[];
  /** Files to stage with git (deleted pointer files, changed .gitignore files); empty without git. */
  gitFiles: string[];
  /** Whether they were staged already (core.autostage). */
  staged: boolean;
}

/** Stops tracking: deletes pointer files and their .gitignore entries; keeps the data unless `outs`. */
export async function remove(repo: Repo, opts: RemoveOptions, _io: OpIo): Promise<RemoveResult> {
  if (opts.targets.length === 0) throw new TroveError('USAGE', 'name the pointer files to remove', { exitCode: 2 });
  repo.lock('remove');
  const result: RemoveResult = { removed: [], gitFiles: [], staged: false };
  const pointers = opts.targets.map((t) => {
    let rel = repo.toRepoPath(t);
    if (!isPointerFileName(rel) && fs.existsSync(repo.abs(`${rel}${POINTER_SUFFIX}`))) rel = `${rel}${POINTER_SUFFIX}`;
    if (!isPointerFileName(rel)) {
      throw new TroveError('BAD_TARGET', `'${t}' is not a pointer file`, { hint: `pointer files end in ${POINTER_SUFFIX}, e.g. \`trove remove data.dvc\`` });
    }
    return loadPointerFile(repo, rel);
  });
  for (const pf of pointers) {
    for (const out of pf.outs) {
      const gi = removeIgnoreEntry(repo.root, out.repoPath);
      if (gi) result.gitFiles.push(gi);
      // Kept data must not stay a read-only link into a cache that gc may empty: make it a plain copy.
      if (opts.outs) fs.rmSync(repo.abs(out.repoPath), { recursive: true, force: true });
      else unprotectPath(repo, repo.abs(out.repoPath));
    }
    fs.rmSync(repo.abs(pf.relPath), { force: true });
    result.gitFiles.push(pf.relPath);
    result.removed.push({ pointerFile: pf.relPath, outputs: pf.outs.map((o) => o.repoPath) });
  }
  Object.assign(result, autostageChanges(repo, result.gitFiles));
  return result;
}
