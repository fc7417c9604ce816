import { TroveError, throwCollected } from '../errors.js';
import { addIgnoreEntry } from '../git/gitignore.js';
import { saveOutput } from '../objects/save-output.js';
import { writePointerFile } from '../repo/pointer-files.js';
import type { Repo } from '../repo/repo.js';
import { autostage } from './autostage.js';
import { dropObjectsEditedThroughLinks } from './edited-links.js';
import type { OpIo } from './io.js';
import { currentState, hashInfoOf, hashOf, missingFromCache } from './output-state.js';
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
      // A `cache: false` output (DVC's metrics, plots) is hashed and recorded, never stored.
      const built = !out.cache
        ? out.hashName === 'md5'
          ? current
          : await currentState(repo, { ...out, hashName: 'md5' }, io)
        : await saveOutput(repo.abs(out.repoPath), {
            cache: repo.cache,
            index: repo.index,
            linker,
            filter: repo.dvcignore.prepare(repo.abs(out.repoPath)),
            reporter: io.reporter,
            label: `Committing ${repo.display(out.repoPath)}`,
            // The comparison above just walked the directory: save from that walk.
            walked: current.type === 'dir' ? current.files : undefined,
          });
      if (!built) throw new TroveError('NO_SUCH_FILE', `output '${out.repoPath}' disappeared while it was being committed`);
      const hash = hashInfoOf(built);
      dropObjectsEditedThroughLinks(repo, out, built, io);
      pointer.setHash(index, hash);
      writePointerFile(repo, pointer);
      result.committed.push({ path: out.repoPath, pointerFile: pointer.relPath, md5: hash.md5 });
      result.gitFiles.push(pointer.relPath);
      if (repo.scm && out.cache) {
        const gi = addIgnoreEntry(repo.root, out.repoPath, built.type === 'dir');
        if (gi) result.gitFiles.push(gi);
      }
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
