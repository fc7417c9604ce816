import { TroveError, throwCollected } from '../errors.js';
import type { Repo } from '../repo/repo.js';
import { autostage } from './autostage.js';
import type { OpIo } from './io.js';
import { currentState, hashOf, missingFromCache } from './output-state.js';
import { recordPointerOutput } from './record-pointer-output.js';
import { selectOutputs } from './targets.js';

export interface CommitOptions {
  targets?: string[];
  /** Commit changed outputs without asking. */
  force?: boolean;
}

export interface CommitResult {
  committed: { path: string; pointerFile: string; md5: string }[];
  unchanged: string[];
  gitFiles: string[];
  staged: boolean;
}

/** Records the workspace state of tracked outputs in their pointer files (and the cache). */
export async function commit(repo: Repo, opts: CommitOptions, io: OpIo): Promise<CommitResult> {
  repo.lock('commit');
  repo.cache.sweepTemps();
  const selected = selectOutputs(repo, opts.targets);
  const result: CommitResult = { committed: [], unchanged: [], gitFiles: [], staged: false };
  const linker = repo.linker((type) => io.reporter.debug(`Using '${type}' links`));
  const errors: TroveError[] = [];
  for (const { pointer, index, out } of selected) {
    try {
      const current = await currentState(repo, out, io);
      if (!current) {
        throw new TroveError('NO_SUCH_FILE', `output '${repo.display(out.repoPath)}' does not exist`, { hint: `restore it with \`trove checkout ${repo.display(pointer.relPath)}\`, or stop tracking it with \`trove remove\`` });
      }
      const same = out.hash?.md5 === hashOf(current) && out.hashName === 'md5';
      if (same && (!out.cache || !missingFromCache(repo, out))) {
        result.unchanged.push(out.repoPath);
        continue;
      }
      if (!same && out.hash && !opts.force) {
        const question = `Output '${repo.display(out.repoPath)}' has changed. Are you sure you want to commit it?`;
        const ok = io.confirm ? await io.confirm(question) : false;
        if (!ok) {
          throw new TroveError('COMMIT_REFUSED', `unable to commit changed '${repo.display(pointer.relPath)}'`, { hint: 'use `-f|--force` to commit without asking' });
        }
      }
      const { hash, gitFiles } = await recordPointerOutput(repo, pointer, index, current, linker, io);
      result.committed.push({ path: out.repoPath, pointerFile: pointer.relPath, md5: hash.md5 });
      result.gitFiles.push(...gitFiles);
    } catch (e) {
      if (!(e instanceof TroveError)) throw e;
      errors.push(e);
    }
  }
  const staged = autostage(repo, result.gitFiles);
  result.gitFiles = staged.files;
  result.staged = staged.staged;
  throwCollected(errors, 'COMMIT_FAILED', (n) => `${n} outputs could not be committed`);
  return result;
}
