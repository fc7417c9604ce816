import fs from 'node:fs';
import path from 'node:path';
import { TroveError } from '../errors.js';
import type { LinkType } from '../fs/links.js';
import { addIgnoreEntry } from '../git/gitignore.js';
import { readBlobsById } from '../git/revisions.js';
import { insertBytesSync } from '../hash/md5.js';
import { checkoutOutput } from '../objects/checkout.js';
import type { LocalCache } from '../objects/local-cache.js';
import { sortTreeEntries, type TreeEntry } from '../objects/tree.js';
import { PointerFile, type HashInfo } from '../repo/pointer-file.js';
import { POINTER_SUFFIX, writePointerFile } from '../repo/pointer-files.js';
import type { Repo } from '../repo/repo.js';
import { toPosix } from '../util/posix-path.js';
import { assertPortableOutputPath, checkOverlaps } from './add.js';
import { autostage } from './autostage.js';
import { resolveOutput } from './get.js';
import { reportLinkType, type OpIo } from './io.js';
import { normalizeInside } from './ls.js';
import { fetchFromSource, withSource } from './source-data.js';
import { PathMissingError, type SourceNode, type SourceTree } from './source-tree.js';
import type { OutRef } from './used-objects.js';

export interface ImportOptions {
  url: string;
  path: string;
  out?: string;
  rev?: string;
  force?: boolean;
  jobs?: number;
}

export interface ImportResult {
  /** Repo-relative paths. */
  out: string;
  pointerFile: string;
  gitFiles: string[];
  staged: boolean;
  linkType: LinkType | undefined;
}

/**
 * Downloads a file or directory of another repository into the cache and the workspace, and
 * writes a frozen pointer file that records where it came from (`deps: - path, repo: {url, rev,
 * rev_lock}`), in DVC 3's layout, so that `update` can move it to a newer revision later.
 */
export async function importData(repo: Repo, opts: ImportOptions, io: OpIo): Promise<ImportResult> {
  repo.lock('import');
  repo.cache.sweepTemps();
  const target = normalizeInside(opts.path);
  if (target === '') throw new TroveError('BAD_TARGET', 'name a file or directory inside the source repository', { exitCode: 2 });
  const outAbs = resolveOutput(repo.cwd, target, opts.out, Boolean(opts.force));
  const outPath = repo.toRepoPath(outAbs);
  assertPortableOutputPath(outPath, opts.out ?? target);
  const pointerPath = `${outPath}${POINTER_SUFFIX}`;
  if (fs.existsSync(repo.abs(pointerPath)) && !opts.force) {
    throw new TroveError('FILE_EXISTS', `'${repo.display(pointerPath)}' already exists`, { hint: 're-run with --force to replace it' });
  }
  checkOverlaps(repo, [outPath]);

  // A relative local path is recorded from the repository root, where update and pull read it.
  const url = isRelativeLocalPath(opts.url, repo.cwd) ? toPosix(path.relative(repo.root, path.resolve(repo.cwd, opts.url))) || '.' : opts.url;
  return withSource({ url, rev: opts.rev, cwd: repo.root }, `failed to import '${opts.path}' from '${opts.url}'`, async (tree) => {
    io.reporter.info(`Importing '${target} (${url})' -> '${repo.display(outPath)}'`);
    const hash = await fetchImportData(tree, target, repo.cache, opts.jobs, io);
    const linkType = await checkoutImport(repo, outPath, hash, Boolean(opts.force), io);
    const pf = PointerFile.createImport(pointerPath, { path: target, url, ...(opts.rev !== undefined ? { rev: opts.rev } : {}), revLock: tree.source.sha }, path.posix.basename(outPath), hash);
    writePointerFile(repo, pf);
    const gitFiles = [pointerPath];
    if (repo.scm) {
      const gi = addIgnoreEntry(repo.root, outPath, hash.md5.endsWith('.dir'));
      if (gi) gitFiles.push(gi);
    }
    const staged = autostage(repo, gitFiles);
    return { out: outPath, pointerFile: pointerPath, gitFiles: staged.files, staged: staged.staged, linkType };
  });
}

function isRelativeLocalPath(url: string, cwd: string): boolean {
  return !path.isAbsolute(url) && !/^[a-z][a-z0-9+.-]*:\/\//i.test(url) && fs.statSync(path.resolve(cwd, url), { throwIfNoEntry: false })?.isDirectory() === true;
}

/**
 * Puts everything `target` (a path of the source) holds into `cache`, md5-verified, and returns
 * the hash of it as one output: the source's own object for a tracked file or directory, else a
 * new directory object built from the files below `target` (git-tracked files included).
 */
export async function fetchImportData(tree: SourceTree, target: string, cache: LocalCache, jobs: number | undefined, io: OpIo): Promise<HashInfo> {
  const node = await tree.find(target);
  if (!node) throw new PathMissingError(target, tree.source.url, false);
  if (!node.isdir) {
    if (node.git) {
      const bytes = readBlobsById(tree.source.root, [node.git.oid]).get(node.git.oid)!;
      const r = insertBytesSync(bytes, cache.filesRoot);
      return { md5: r.md5, size: r.size, ...(node.isexec ? { isexec: true } : {}) };
    }
    await fetchFromSource(tree, cache, [{ path: node.path, md5: node.md5! }], jobs, io);
    return { md5: node.md5!, size: node.size ?? fs.statSync(cache.pathOf(node.md5!)).size, ...(node.isexec ? { isexec: true } : {}) };
  }
  if (node.isout && node.md5 && node.path === target) {
    // A whole tracked directory: its own manifest and objects, unchanged.
    await fetchFromSource(tree, cache, [{ path: node.path, md5: node.md5 }], jobs, io);
    const entries = cache.readTree(node.md5);
    return { md5: node.md5, size: node.size ?? sizeOf(cache, entries), nfiles: node.nfiles ?? entries.length };
  }
  if (node.isout) await tree.open(node);
  await tree.openBelow(target);
  const files = tree.below(target, { recursive: true });
  if (files.length === 0) throw new PathMissingError(target, tree.source.url, false);
  await fetchFromSource(tree, cache, files.filter((f) => !f.git && f.md5).map((f): OutRef => ({ path: f.path, md5: f.md5! })), jobs, io);
  const blobs = readBlobsById(tree.source.root, files.flatMap((f) => (f.git ? [f.git.oid] : [])));
  const entries: TreeEntry[] = files.map((f: SourceNode) => ({
    relpath: f.path.slice(target.length + 1),
    md5: f.git ? insertBytesSync(blobs.get(f.git.oid)!, cache.filesRoot).md5 : f.md5!,
  }));
  const { oid } = cache.writeTree(sortTreeEntries(entries));
  return { md5: oid, size: sizeOf(cache, entries), nfiles: entries.length };
}

function sizeOf(cache: LocalCache, entries: readonly TreeEntry[]): number {
  let n = 0;
  for (const e of entries) n += fs.statSync(cache.pathOf(e.md5)).size;
  return n;
}

/** Links an imported output from the cache into the workspace, as checkout does. */
export async function checkoutImport(repo: Repo, outPath: string, hash: HashInfo, force: boolean, io: OpIo): Promise<LinkType | undefined> {
  let linkType: LinkType | undefined;
  let skipped: LinkType[] = [];
  const linker = repo.linker((type, s) => {
    linkType = type;
    skipped = s;
  });
  linker.probe(repo.cache.filesRoot, repo.root);
  const abs = repo.abs(outPath);
  const r = await checkoutOutput(
    { abs, display: repo.display(outPath), md5: hash.md5, hashName: 'md5', ...(hash.isexec ? { isexec: true } : {}) },
    { cache: repo.cache, index: repo.index, linker, force, filter: repo.dvcignore.prepare(abs), reporter: io.reporter },
  );
  if (r.status === 'refused') {
    throw new TroveError('CHECKOUT_REFUSED', `'${repo.display(outPath)}' has changes that are not in the cache: ${r.refused.slice(0, 5).join(', ')}`, {
      hint: 'save them elsewhere first, or re-run with --force to overwrite them',
    });
  }
  if (r.status === 'missing') throw new TroveError('OBJECT_MISSING', `some objects of '${repo.display(outPath)}' are missing from the cache`);
  if (linkType && r.linked > 0) reportLinkType(io, linkType, skipped);
  return linkType ?? linker.chosenType;
}
