/**
 * Another repository that `ls`, `get`, `import` and `update` read from: a local path or a git url,
 * at one commit. Everything is read through git's object store (a local source's working tree
 * and index are never touched); a git url is cloned into a temporary directory, removed on close.
 */
import fs from 'node:fs';
import path from 'node:path';
import { TroveError } from '../errors.js';
import { cloneToTemp, isGitRepo, removeClone } from '../git/clone.js';
import { gitPrefix, listTreeAt, readBlobsAt, readBlobsById, resolveRevisions, type TreeEntry } from '../git/revisions.js';
import { posixDirname } from '../util/posix-path.js';
import { DVCIGNORE } from './dvcignore.js';
import { Config } from './config/config.js';
import type { LockedOutput } from './lock-file.js';
import type { PointerFile } from './pointer-file.js';
import { RevisionIgnore, revisionFilesAt } from './revision-files.js';

export interface SourceRepoOptions {
  /** A local path (resolved against `cwd`) or anything `git clone` takes. */
  url: string;
  /** A branch, tag or commit; default: the checked-out commit (local) or the default branch (clone). */
  rev?: string;
  cwd: string;
}

/** A file of the source's git tree, relative to its DVC root. */
export interface SourceGitFile extends TreeEntry {
  /** Path relative to the source's DVC root (posix). */
  rel: string;
}

export class SourceRepo {
  private filesMemo: SourceGitFile[] | undefined;
  private configMemo: Config | undefined;

  private constructor(
    /** The url as the user gave it (what an import records). */
    readonly url: string,
    /** Where git runs: the local repository's DVC root, or the temporary clone. */
    readonly root: string,
    /** The commit read. */
    readonly sha: string,
    /** Whether `root` is a temporary clone (removed by close). */
    private readonly cloned: boolean,
  ) {}

  static open(opts: SourceRepoOptions): SourceRepo {
    const local = path.resolve(opts.cwd, opts.url);
    const isLocal = !/^[a-z][a-z0-9+.-]*:\/\//i.test(opts.url) && fs.statSync(local, { throwIfNoEntry: false })?.isDirectory() === true;
    let root: string;
    let cloned = false;
    if (isLocal) {
      root = fs.realpathSync(local);
      if (!isGitRepo(root)) {
        throw new TroveError('SOURCE_NOT_A_REPO', `'${opts.url}' is not a git repository`, {
          hint: 'name the root of a trove/DVC repository (a git repository with a .dvc/ directory), or a git url',
        });
      }
    } else if (/^[a-z][a-z0-9+.-]*:\/\/|^[^/\s]+@[^/\s]+:/i.test(opts.url)) {
      root = cloneToTemp(opts.url);
      cloned = true;
    } else {
      throw new TroveError('SOURCE_NOT_FOUND', `'${opts.url}' is neither a local directory nor a git url`, {
        hint: 'give the path of a repository, or a url such as https://host/org/repo.git or file:///path/to/repo',
      });
    }
    try {
      const [sha] = resolveRevisions(root, { revs: [opts.rev ?? 'HEAD'] });
      return new SourceRepo(opts.url, root, sha!, cloned);
    } catch (e) {
      if (cloned) removeClone(root);
      if (e instanceof TroveError && e.code === 'BAD_REVISION' && opts.rev === undefined) {
        throw new TroveError('SOURCE_EMPTY', `'${opts.url}' has no commits`, { hint: 'commit something in the source repository first' });
      }
      throw e;
    }
  }

  /** Removes a temporary clone. */
  close(): void {
    if (this.cloned) removeClone(this.root);
  }

  /** The DVC root's place in the git tree ('' or 'sub/dir/'). */
  private get prefix(): string {
    return this.cloned ? '' : gitPrefix(this.root);
  }

  /** Every file git tracks at the commit, below the DVC root, with sizes; `.dvc/` and `.git` left out. */
  gitFiles(): SourceGitFile[] {
    if (this.filesMemo) return this.filesMemo;
    const prefix = this.prefix;
    const files: SourceGitFile[] = [];
    for (const e of listTreeAt(this.root, this.sha, (p) => p.startsWith(prefix), { long: true })) {
      const rel = e.path.slice(prefix.length);
      const top = rel.split('/', 1)[0];
      if (top === '.dvc' || top === '.git') {
        if (top === '.dvc') this.hasDvcDir = true;
        continue;
      }
      files.push({ ...e, rel });
    }
    // What the source's .dvcignore files hide, DVC's listing hides too.
    const ignoreFiles = files.filter((f) => f.rel === DVCIGNORE || f.rel.endsWith(`/${DVCIGNORE}`));
    if (ignoreFiles.length > 0) {
      const texts = readBlobsById(this.root, ignoreFiles.map((f) => f.oid));
      const ignores = new RevisionIgnore(ignoreFiles.map((f) => [posixDirname(f.rel), texts.get(f.oid)?.toString('utf8') ?? '']));
      return (this.filesMemo = files.filter((f) => !ignores.ignored(f.rel)));
    }
    return (this.filesMemo = files);
  }

  private hasDvcDir = false;

  /** Whether the commit holds a `.dvc/` directory (a DVC repository, not only git). */
  get isDvc(): boolean {
    this.gitFiles();
    return this.hasDvcDir;
  }

  /** The pointer files and `dvc.lock` outputs of the commit. */
  trackedAt(): { pointerFiles: PointerFile[]; lockedOutputs: LockedOutput[] } {
    if (!this.isDvc) return { pointerFiles: [], lockedOutputs: [] };
    return revisionFilesAt(this.root, this.sha);
  }

  get dvcDir(): string {
    return path.join(this.root, '.dvc');
  }

  /**
   * The source's configuration: its `.dvc/config` at the commit, its `config.local` (a local
   * source's, from disk: credentials live there), and this machine's global and system levels.
   */
  config(): Config {
    if (this.configMemo) return this.configMemo;
    const text = readBlobsAt(this.root, this.sha, [`${this.prefix}.dvc/config`]).get(`${this.prefix}.dvc/config`);
    return (this.configMemo = Config.load(this.dvcDir, { repo: text ?? null, ...(this.cloned ? { local: null } : {}) }));
  }

  /** A local source's own cache directory, when it exists (DVC reads a local source's cache first). */
  localCacheDir(): string | undefined {
    if (this.cloned) return undefined;
    const v = this.config().get('cache', 'dir');
    const dir = v ? path.resolve(path.dirname(v.file), v.value) : path.join(this.dvcDir, 'cache');
    return fs.statSync(dir, { throwIfNoEntry: false })?.isDirectory() ? dir : undefined;
  }
}
