import fs from 'node:fs';
import path from 'node:path';
import { TroveError, throwCollected } from '../errors.js';
import { addIgnoreEntry } from '../git/gitignore.js';
import type { LinkType } from '../fs/links.js';
import { saveOutput } from '../objects/save-output.js';
import { PointerFile } from '../repo/pointer-file.js';
import { hashInfoOf } from './output-state.js';
import { collectPointerFiles, isPointerFileName, loadPointerFile, POINTER_SUFFIX, writePointerFile } from '../repo/pointer-files.js';
import type { Repo } from '../repo/repo.js';
import { isSameOrParent, relativeInside } from '../util/posix-path.js';
import { dropObjectsEditedThroughLinks } from './edited-links.js';
import { expandGlobs } from './glob.js';
import { autostage } from './autostage.js';
import { reportLinkType, type OpIo } from './io.js';

export interface AddOptions {
  targets: string[];
  /** Expand wildcards in targets (quoted so the shell left them alone). */
  glob?: boolean;
}

export interface AddedOutput {
  /** Repo-relative path of the output. */
  path: string;
  pointerFile: string;
  type: 'file' | 'dir';
  md5: string;
  size: number;
  nfiles?: number;
  /** The output's hash did not change (re-add of unchanged data). */
  unchanged: boolean;
}

export interface AddResult {
  added: AddedOutput[];
  /** Files to stage with git (pointer files, touched .gitignore files), repo-relative. */
  gitFiles: string[];
  /** Whether they were staged already (core.autostage). */
  staged: boolean;
  linkType: LinkType | undefined;
}

export async function add(repo: Repo, opts: AddOptions, io: OpIo): Promise<AddResult> {
  if (opts.targets.length === 0) throw new TroveError('USAGE', 'nothing to add', { hint: 'name files or directories: `trove add data/`', exitCode: 2 });
  repo.lock('add');
  // Temp objects of a killed earlier run (never adopted, so never referenced) can go now.
  repo.cache.sweepTemps();
  const targets = opts.glob ? await expandGlobs(repo, opts.targets) : opts.targets;
  const repoPaths = targets.map((t) => checkTarget(repo, t));
  const dupes = repoPaths.filter((p, i) => repoPaths.indexOf(p) !== i);
  if (dupes.length > 0) throw new TroveError('BAD_TARGET', `'${dupes[0]}' is named more than once`);
  for (const a of repoPaths) {
    for (const b of repoPaths) {
      if (a !== b && isSameOrParent(a, b)) {
        throw new TroveError('OVERLAPPING_OUTPUTS', `cannot add both '${a}' and '${b}': one is inside the other`, { hint: 'add the parent directory only' });
      }
    }
  }
  checkOverlaps(repo, repoPaths);

  let linkType: LinkType | undefined;
  const linker = repo.linker((type, skipped) => {
    linkType = type;
    reportLinkType(io, type, skipped);
  });
  // Settle the link type once, before any target: an unsupported cache.type is one error.
  linker.probe(repo.cache.filesRoot, repo.root);
  const result: AddResult = { added: [], gitFiles: [], staged: false, linkType: undefined };
  const errors: TroveError[] = [];
  for (const repoPath of repoPaths) {
    try {
      result.added.push(await addOne(repo, repoPath, linker, io, result.gitFiles));
    } catch (e) {
      if (!(e instanceof TroveError)) throw e;
      errors.push(e);
    }
  }
  // A copy into the cache leaves the workspace file as it is, so no link announced the type:
  // say it once here when something was saved.
  if (result.added.some((a) => !a.unchanged)) linker.announce();
  result.linkType = linkType ?? linker.chosenType;
  const staged = autostage(repo, result.gitFiles);
  result.gitFiles = staged.files;
  result.staged = staged.staged;
  throwCollected(errors, 'ADD_FAILED', (n) => `${n} targets could not be added`);
  return result;
}

/** A path a pointer file can hold: DVC (and trove) read a backslash as a Windows separator. */
export function assertPortableOutputPath(repoPath: string, target: string): void {
  if (repoPath.includes('\\')) {
    throw new TroveError('BAD_TARGET', `'${target}' has a backslash in its name, which pointer files cannot hold`, {
      hint: 'rename it: DVC and trove read a backslash in a .dvc path as a Windows separator',
    });
  }
}

function checkTarget(repo: Repo, target: string): string {
  const repoPath = repo.toRepoPath(target);
  assertPortableOutputPath(repoPath, target);
  const abs = repo.abs(repoPath);
  const st = fs.statSync(abs, { throwIfNoEntry: false });
  if (!st) {
    throw new TroveError('NO_SUCH_FILE', `path '${target}' does not exist`, { hint: 'check the spelling, or create the data first' });
  }
  if (!st.isFile() && !st.isDirectory()) throw new TroveError('BAD_TARGET', `'${target}' is neither a file nor a directory`);
  if (isPointerFileName(repoPath) && st.isFile()) {
    throw new TroveError('BAD_TARGET', `'${target}' is a pointer file`, { hint: `to update what it tracks, run \`trove add ${repoPath.slice(0, -POINTER_SUFFIX.length)}\`` });
  }
  const base = path.posix.basename(repoPath);
  if (base === 'dvc.yaml' || base === 'dvc.lock' || base === '.gitignore' || base === '.dvcignore') {
    throw new TroveError('BAD_TARGET', `'${target}' is a file trove and git manage themselves`);
  }
  if (repo.dvcignore.isPathIgnored(abs, st.isDirectory())) {
    throw new TroveError('IGNORED', `'${target}' is ignored by .dvcignore`, { hint: 'remove the matching pattern from .dvcignore to track it' });
  }
  // toRepoPath resolved the parents; the target itself may be a symlink too.
  const real = fs.realpathSync(abs);
  // A symlink into the cache is trove's own link (cache.type symlink), wherever the cache is.
  if (real !== abs && !isInCache(repo, real)) {
    const inside = relativeInside(repo.root, real);
    if (inside === undefined) {
      throw new TroveError('PATH_OUTSIDE_REPO', `'${target}' is a symlink that leads outside of the repository (to '${real}')`, {
        hint: 'trove tracks data inside the repository: move or copy it in',
      });
    }
    const first = inside.split('/')[0];
    if (first === '.dvc' || first === '.git') throw new TroveError('BAD_TARGET', `'${target}' is a symlink into '${first}/', which cannot be tracked`);
  }
  return repoPath;
}

function isInCache(repo: Repo, real: string): boolean {
  let cacheDir = repo.cache.dir;
  try {
    cacheDir = fs.realpathSync(cacheDir);
  } catch {
    /* no cache yet */
  }
  return relativeInside(cacheDir, real) !== undefined;
}

/** An output may not sit inside another pointer file's output, nor contain one. */
export function checkOverlaps(repo: Repo, repoPaths: string[]): void {
  const pointers = collectPointerFiles(repo);
  for (const p of repoPaths) {
    for (const pf of pointers) {
      for (const out of pf.outs) {
        if (out.repoPath === p && pf.relPath === `${p}${POINTER_SUFFIX}`) continue;
        if (out.repoPath === p) {
          throw new TroveError('OVERLAPPING_OUTPUTS', `'${p}' is already tracked by '${pf.relPath}'`, { hint: `update it with \`trove commit ${pf.relPath}\`` });
        }
        if (isSameOrParent(out.repoPath, p)) {
          throw new TroveError('OVERLAPPING_OUTPUTS', `cannot add '${p}': it is inside '${out.repoPath}', which '${pf.relPath}' tracks`, {
            hint: `to change it, edit the data and run \`trove commit ${pf.relPath}\``,
          });
        }
        if (isSameOrParent(p, out.repoPath)) {
          throw new TroveError('OVERLAPPING_OUTPUTS', `cannot add '${p}': it contains '${out.repoPath}', which '${pf.relPath}' tracks`, {
            hint: `stop tracking it first with \`trove remove ${pf.relPath}\``,
          });
        }
      }
    }
  }
}

async function addOne(
  repo: Repo,
  repoPath: string,
  linker: ReturnType<Repo['linker']>,
  io: OpIo,
  gitFiles: string[],
): Promise<AddedOutput> {
  const pointerPath = `${repoPath}${POINTER_SUFFIX}`;
  const existing = fs.existsSync(repo.abs(pointerPath)) ? loadPointerFile(repo, pointerPath) : undefined;
  const built = await saveOutput(repo.abs(repoPath), {
    cache: repo.cache,
    index: repo.index,
    linker,
    filter: repo.dvcignore.prepare(repo.abs(repoPath)),
    reporter: io.reporter,
    label: `Adding ${repo.display(repoPath)}`,
  });
  if (!built) throw new TroveError('NO_SUCH_FILE', `path '${repoPath}' disappeared while it was being added`);
  const hash = hashInfoOf(built);
  dropObjectsEditedThroughLinks(repo, existing?.outs.find((o) => o.repoPath === repoPath), built, io);
  let pf: PointerFile;
  let unchanged = false;
  const idx = existing?.outs.findIndex((o) => o.repoPath === repoPath) ?? -1;
  if (existing && idx >= 0) {
    pf = existing;
    const old = pf.outs[idx]!.hash;
    unchanged = old?.md5 === hash.md5 && old.size === hash.size && old.nfiles === hash.nfiles && pf.outs[idx]!.hashName === 'md5';
    if (!unchanged) pf.setHash(idx, hash);
  } else {
    pf = PointerFile.create(pointerPath, path.posix.basename(repoPath), hash);
  }
  if (!unchanged) writePointerFile(repo, pf);
  gitFiles.push(pointerPath);
  if (repo.scm) {
    const gi = addIgnoreEntry(repo.root, repoPath, built.type === 'dir');
    if (gi) gitFiles.push(gi);
  }
  return {
    path: repoPath,
    pointerFile: pointerPath,
    type: built.type,
    md5: hash.md5,
    size: hash.size ?? 0,
    ...(hash.nfiles !== undefined ? { nfiles: hash.nfiles } : {}),
    unchanged,
  };
}
