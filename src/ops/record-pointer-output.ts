import { TroveError } from '../errors.js';
import { addIgnoreEntry } from '../git/gitignore.js';
import type { BuiltOutput } from '../objects/build-output.js';
import { saveOutput } from '../objects/save-output.js';
import type { HashInfo, PointerFile, PointerOut } from '../repo/pointer-file.js';
import { writePointerFile } from '../repo/pointer-files.js';
import type { Repo } from '../repo/repo.js';
import { dropObjectsEditedThroughLinks } from './edited-links.js';
import type { OpIo } from './io.js';
import { currentState, hashInfoOf } from './output-state.js';

/**
 * Records the workspace state of one pointer-file output: saved to the cache (unless `cache:
 * false`), its hash written to the pointer file, and a `.gitignore` entry. What `commit` does per
 * output, and `repro` for a changed data source. Returns the hash and the files git should track.
 */
export async function recordPointerOutput(
  repo: Repo,
  pointer: PointerFile,
  index: number,
  current: BuiltOutput,
  linker: ReturnType<Repo['linker']>,
  io: OpIo,
): Promise<{ hash: HashInfo; gitFiles: string[] }> {
  const out: PointerOut = pointer.outs[index]!;
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
        // The caller just walked the directory to compare it: save from that walk.
        walked: current.type === 'dir' ? current.files : undefined,
      });
  if (!built) throw new TroveError('NO_SUCH_FILE', `output '${out.repoPath}' disappeared while it was being committed`);
  const hash = hashInfoOf(built);
  dropObjectsEditedThroughLinks(repo, out, built, io);
  pointer.setHash(index, hash);
  writePointerFile(repo, pointer);
  const gitFiles = [pointer.relPath];
  if (repo.scm && out.cache) {
    const gi = addIgnoreEntry(repo.root, out.repoPath, built.type === 'dir');
    if (gi) gitFiles.push(gi);
  }
  return { hash, gitFiles };
}
