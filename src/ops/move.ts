import fs from 'node:fs';
import path from 'node:path';
import { TroveError } from '../errors.js';
import { addIgnoreEntry, removeIgnoreEntry } from '../git/gitignore.js';
import { loadPointerFile, POINTER_SUFFIX, writePointerFile } from '../repo/pointer-files.js';
import type { Repo } from '../repo/repo.js';
import { posixDirname } from '../util/posix-path.js';
import { assertPortableOutputPath } from './add.js';
import { autostageChanges } from './autostage.js';
import type { OpIo } from './io.js';

export interface MoveOptions {
  src: string;
  dst: string;
}

export interface MoveResult {
  from: string;
  to: string;
  pointerFile: string;
  oldPointerFile: string;
  /** Files to stage with git (old and new pointer files, changed .gitignore files); empty without git. */
  gitFiles: string[];
  /** Whether they were staged already (core.autostage). */
  staged: boolean;
}

/**
 * Renames a tracked output: the data, its pointer file (`<dst>.dvc`), the path inside it, and the
 * .gitignore entries. Moving into an existing directory keeps the name.
 */
export async function move(repo: Repo, opts: MoveOptions, _io: OpIo): Promise<MoveResult> {
  repo.lock('move');
  const src = repo.toRepoPath(opts.src);
  const pointerPath = `${src}${POINTER_SUFFIX}`;
  if (!fs.existsSync(repo.abs(pointerPath))) {
    throw new TroveError('NOT_TRACKED', `'${opts.src}' is not tracked by its own pointer file`, { hint: `expected '${repo.display(pointerPath)}'; \`trove move\` moves outputs of .dvc files` });
  }
  const pf = loadPointerFile(repo, pointerPath);
  const idx = pf.outs.findIndex((o) => o.repoPath === src);
  if (idx < 0 || pf.outs.length !== 1) {
    throw new TroveError('NOT_TRACKED', `'${repo.display(pointerPath)}' does not track '${opts.src}' alone`);
  }
  let dst = repo.toRepoPath(opts.dst);
  assertPortableOutputPath(dst, opts.dst);
  const dstStat = fs.statSync(repo.abs(dst), { throwIfNoEntry: false });
  if (dstStat?.isDirectory()) dst = `${dst}/${path.posix.basename(src)}`;
  if (fs.existsSync(repo.abs(dst))) throw new TroveError('DESTINATION_EXISTS', `'${repo.display(dst)}' already exists`, { hint: 'move it away, or choose another name' });
  const newPointer = `${dst}${POINTER_SUFFIX}`;
  if (fs.existsSync(repo.abs(newPointer))) throw new TroveError('DESTINATION_EXISTS', `'${repo.display(newPointer)}' already exists`);
  repo.assertNoSymlinkEscape(dst);

  const gitFiles: string[] = [];
  fs.mkdirSync(path.dirname(repo.abs(dst)), { recursive: true });
  if (fs.existsSync(repo.abs(src))) fs.renameSync(repo.abs(src), repo.abs(dst));
  const moved = pf.withRelPath(newPointer);
  const rel = path.posix.relative(posixDirname(newPointer), dst);
  moved.setPath(idx, rel);
  writePointerFile(repo, moved);
  fs.rmSync(repo.abs(pointerPath), { force: true });
  gitFiles.push(pointerPath, newPointer);
  if (repo.scm) {
    const old = removeIgnoreEntry(repo.root, src);
    if (old) gitFiles.push(old);
    const isDir = pf.outs[idx]!.hash?.md5.endsWith('.dir') ?? false;
    const added = addIgnoreEntry(repo.root, dst, isDir);
    if (added) gitFiles.push(added);
  }
  return { from: src, to: dst, pointerFile: newPointer, oldPointerFile: pointerPath, ...autostageChanges(repo, gitFiles) };
}
