import fs from 'node:fs';
import path from 'node:path';
import { NotARepoError, TroveError } from '../errors.js';
import { DEFAULT_LINK_TYPES, Linker, parseLinkTypes, type LinkType } from '../fs/links.js';
import { RepoLock } from '../fs/repo-lock.js';
import { HashIndex } from '../hash/hash-index.js';
import { LocalCache } from '../objects/local-cache.js';
import { relativeInside, toPosix } from '../util/posix-path.js';
import { Config } from './config/config.js';
import { DvcIgnore } from './dvcignore.js';
import { findGitRoot, findRepoRoot } from './find-root.js';

export interface RepoOpenOptions {
  /** Where to start looking for `.dvc/` (default: process.cwd()). */
  cwd?: string;
}

/** An open repository: its root, configuration, cache, hash index and ignore rules. */
export class Repo {
  readonly dvcDir: string;
  readonly config: Config;
  readonly cache: LocalCache;
  readonly dvcignore: DvcIgnore;
  readonly gitRoot: string | undefined;
  private indexInstance: HashIndex | undefined;
  private lockInstance: RepoLock | undefined;

  private constructor(
    readonly root: string,
    readonly cwd: string,
  ) {
    this.dvcDir = path.join(root, '.dvc');
    this.config = Config.load(this.dvcDir);
    this.cache = new LocalCache(this.resolveCacheDir(), path.join(this.dvcDir, 'tmp', 'trove', 'complete-trees'));
    this.dvcignore = new DvcIgnore(root);
    const noScm = this.config.getBool('core', 'no_scm') ?? false;
    this.gitRoot = noScm ? undefined : findGitRoot(root);
  }

  static open(opts: RepoOpenOptions = {}): Repo {
    const cwd = path.resolve(opts.cwd ?? process.cwd());
    const found = findRepoRoot(cwd);
    if (!found) throw new NotARepoError(cwd);
    const root = fs.realpathSync(found);
    return new Repo(root, fs.realpathSync(cwd));
  }

  get scm(): boolean {
    return this.gitRoot !== undefined;
  }

  private resolveCacheDir(): string {
    const v = this.config.get('cache', 'dir');
    if (!v) return path.join(this.dvcDir, 'cache');
    return path.resolve(path.dirname(v.file), v.value);
  }

  get tmpDir(): string {
    return path.join(this.dvcDir, 'tmp');
  }

  get index(): HashIndex {
    return (this.indexInstance ??= HashIndex.open(path.join(this.tmpDir, 'trove', 'hash-index')));
  }

  linkTypes(): LinkType[] {
    const v = this.config.get('cache', 'type');
    if (!v) return [...DEFAULT_LINK_TYPES];
    return parseLinkTypes(v.value, `${path.relative(this.root, v.file) || v.file}:${v.line}`);
  }

  linker(onChosen?: (type: LinkType, skipped: LinkType[]) => void): Linker {
    return new Linker(this.linkTypes(), onChosen);
  }

  /** Takes the repo write lock for the life of the command (released on exit). */
  lock(command: string, waitMs?: number): void {
    if (this.lockInstance) return;
    const lock = new RepoLock(path.join(this.tmpDir, 'lock'), command);
    lock.acquire(waitMs ?? Number(process.env.TROVE_LOCK_WAIT_MS ?? 3000));
    this.lockInstance = lock;
  }

  unlock(): void {
    this.lockInstance?.release();
    this.lockInstance = undefined;
  }

  /** Persists state (the hash index) and releases the lock. */
  close(): void {
    this.indexInstance?.flush();
    this.unlock();
  }

  abs(repoPath: string): string {
    return repoPath === '' ? this.root : `${this.root}/${repoPath}`;
  }

  /**
   * Resolves a path the user typed (relative to cwd) to a repo-relative posix path, rejecting
   * anything outside the repo or inside `.dvc/` and `.git/`.
   */
  toRepoPath(userPath: string): string {
    const abs = path.resolve(this.cwd, userPath);
    // Resolve the deepest existing ancestor, so that a symlink leading out of the repo is caught
    // however many not-yet-existing levels follow it.
    let existing = path.dirname(abs);
    const tail = [path.basename(abs)];
    while (!fs.existsSync(existing) && path.dirname(existing) !== existing) {
      tail.unshift(path.basename(existing));
      existing = path.dirname(existing);
    }
    const real = path.join(fs.realpathSync(existing), ...tail);
    const rel = relativeInside(this.root, real);
    if (rel === '') {
      throw new TroveError('BAD_TARGET', `'${userPath}' is the repository root`, { hint: 'name a file or directory inside the repository' });
    }
    if (rel === undefined) {
      throw new TroveError('PATH_OUTSIDE_REPO', `'${userPath}' is outside of the repository`, {
        hint: `trove tracks paths under ${this.root}`,
      });
    }
    const first = rel.split('/')[0];
    if (first === '.dvc' || first === '.git') {
      throw new TroveError('BAD_TARGET', `'${userPath}' is inside '${first}/', which cannot be tracked`);
    }
    return rel;
  }

  /** The repo path relative to cwd, for messages (DVC prints paths relative to where you are). */
  display(repoPath: string): string {
    const rel = path.relative(this.cwd, this.abs(repoPath));
    return toPosix(rel) || '.';
  }

  /**
   * Rejects a repo path whose existing parents lead outside the repository through a symlink.
   */
  assertNoSymlinkEscape(repoPath: string, where?: string): void {
    let dir = path.dirname(this.abs(repoPath));
    while (dir.length > this.root.length && !fs.existsSync(dir)) dir = path.dirname(dir);
    if (dir.length <= this.root.length) return;
    const real = fs.realpathSync(dir);
    if (real !== this.root && !real.startsWith(this.root + path.sep)) {
      throw new TroveError('PATH_OUTSIDE_REPO', `${where ? `${where}: ` : ''}'${repoPath}' leads outside of the repository through a symlink`, {
        hint: 'tracked paths must stay inside the repository',
      });
    }
  }
}
