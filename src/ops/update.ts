import { TroveError, throwCollected } from '../errors.js';
import { isPointerFileName, loadPointerFile, POINTER_SUFFIX, writePointerFile } from '../repo/pointer-files.js';
import type { Repo } from '../repo/repo.js';
import { autostage } from './autostage.js';
import { checkoutImport, fetchImportData } from './import.js';
import type { OpIo } from './io.js';
import { outputStatus } from './output-state.js';
import { withSource } from './source-data.js';

export interface UpdateOptions {
  targets: string[];
  /** Moves the imports to this revision of their source (and records it as their `rev`). */
  rev?: string;
  jobs?: number;
}

export interface UpdatedImport {
  pointerFile: string;
  /** False when nothing changed (same source commit, workspace as recorded): "didn't change". */
  changed: boolean;
  /** The source commit now recorded. */
  revLock: string;
}

export interface UpdateResult {
  updated: UpdatedImport[];
  gitFiles: string[];
  staged: boolean;
}

export class NotAnImportError extends TroveError {
  constructor(file: string) {
    super('NOT_AN_IMPORT', `update is not supported for '${file}': it is not an import`, {
      hint: 'update works on pointer files that `trove import` (or `dvc import`) wrote; `trove add` data is changed with `trove add`/`trove commit`',
    });
  }
}

/**
 * Moves imports to the latest commit of their source (the branch or tag they follow, else the
 * source's default branch), or to `rev`. Data is downloaded again only when its hash changed;
 * an import whose commit and workspace are as recorded is left alone, as DVC skips it.
 */
export async function update(repo: Repo, opts: UpdateOptions, io: OpIo): Promise<UpdateResult> {
  if (opts.targets.length === 0) throw new TroveError('USAGE', 'name the imports to update', { hint: 'e.g. `trove update data.csv.dvc`', exitCode: 2 });
  repo.lock('update');
  repo.cache.sweepTemps();
  const result: UpdateResult = { updated: [], gitFiles: [], staged: false };
  const errors: TroveError[] = [];
  for (const target of opts.targets) {
    try {
      result.updated.push(await updateOne(repo, target, opts, io, result.gitFiles));
    } catch (e) {
      if (!(e instanceof TroveError)) throw e;
      errors.push(e);
    }
  }
  const staged = autostage(repo, result.gitFiles);
  result.gitFiles = staged.files;
  result.staged = staged.staged;
  throwCollected(errors, 'UPDATE_FAILED', (n) => `${n} imports could not be updated`);
  return result;
}

async function updateOne(repo: Repo, target: string, opts: UpdateOptions, io: OpIo, gitFiles: string[]): Promise<UpdatedImport> {
  const repoPath = repo.toRepoPath(target);
  const pointerPath = isPointerFileName(repoPath) ? repoPath : `${repoPath}${POINTER_SUFFIX}`;
  const pf = loadPointerFile(repo, pointerPath);
  const source = pf.repoImport;
  const out = pf.outs[0];
  if (!source || !out || pf.outs.length !== 1) throw new NotAnImportError(repo.display(pointerPath));
  const before = pf.recordedStageMd5;
  return withSource({ url: source.url, rev: opts.rev ?? source.rev, cwd: repo.root }, `failed to update '${repo.display(pointerPath)}'`, async (tree) => {
    pf.setImportRevision(tree.source.sha, opts.rev);
    const sameStage = before !== undefined && pf.computeStageMd5() === before;
    if (sameStage && (await outputStatus(repo, out, io)) === undefined) {
      io.reporter.info(`'${repo.display(pointerPath)}' didn't change, skipping`);
      return { pointerFile: pointerPath, changed: false, revLock: tree.source.sha };
    }
    io.reporter.info(`Importing '${source.path} (${source.url})' -> '${repo.display(out.repoPath)}'`);
    const hash = await fetchImportData(tree, source.path, repo.cache, opts.jobs, io);
    await checkoutImport(repo, out.repoPath, hash, false, io);
    const old = out.hash;
    if (!old || old.md5 !== hash.md5 || old.size !== hash.size || old.nfiles !== hash.nfiles || Boolean(old.isexec) !== Boolean(hash.isexec) || out.hashName !== 'md5') pf.setHash(0, hash);
    pf.updateStageMd5();
    writePointerFile(repo, pf);
    gitFiles.push(pointerPath);
    return { pointerFile: pointerPath, changed: true, revLock: tree.source.sha };
  });
}
