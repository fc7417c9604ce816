import fs from 'node:fs';
import { TroveError } from '../errors.js';
import { runGit } from '../git/git.js';
import { removeIgnoreEntry } from '../git/gitignore.js';
import { isPointerFileName, loadPointerFile, POINTER_SUFFIX } from '../repo/pointer-files.js';
import type { Repo } from '../repo/repo.js';
import { autostage } from './autostage.js';
import type { OpIo } from './io.js';

export interface RemoveOptions {
  targets: string[];
  /** Delete the outputs from the workspace too. */
  outs?: boolean;
}

export interface RemoveResult {
  removed: { pointerFile: string; outputs: string[] }[];
  gitFiles: string[];
}

/** Stops tracking: deletes pointer files and their .gitignore entries; keeps the data unless `outs`. */
export async function remove(repo: Repo, opts: RemoveOptions, _io: OpIo): Promise<RemoveResult> {
  if (opts.targets.length === 0) throw new TroveError('USAGE', 'name the pointer files to remove', { exitCode: 2 });
  repo.lock('remove');
  const result: RemoveResult = { removed: [], gitFiles: [] };
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
      if (opts.outs) fs.rmSync(repo.abs(out.repoPath), { recursive: true, force: true });
    }
    fs.rmSync(repo.abs(pf.relPath), { force: true });
    result.gitFiles.push(pf.relPath);
    result.removed.push({ pointerFile: pf.relPath, outputs: pf.outs.map((o) => o.repoPath) });
  }
  result.gitFiles = autostageRemoved(repo, result.gitFiles);
  return result;
}

function autostageRemoved(repo: Repo, files: string[]): string[] {
  const existing = files.filter((f) => fs.existsSync(repo.abs(f)));
  const deleted = files.filter((f) => !fs.existsSync(repo.abs(f)));
  const { staged } = autostage(repo, existing);
  if (staged || (repo.scm && existing.length === 0 && repo.config.getBool('core', 'autostage'))) {
    if (deleted.length > 0) runGit(repo.root, ['rm', '--cached', '-q', '--ignore-unmatch', '--', ...deleted]);
  }
  return [...new Set(files)].sort();
}
