/** A remote on a mounted filesystem: a plain directory with DVC 3's layout under it. */
import fs from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { errnoOf } from '../errors.js';
import { copyFileAsync } from '../fs/links.js';
import { AREA_DIRS, RemoteError, RemoteObjectMissingError, RemoteUnavailableError, type Remote, type RemoteArea, type RemoteSpec, type SizedKey } from './remote.js';
import { boolOption, intOption, refuseUnsupported } from './options.js';

let tmpCounter = 0;
const TEMP_PREFIX = '.trove-tmp-';
/** A temp file this old was left by a killed upload (SIGKILL, power loss): safe to sweep. */
const STALE_TEMP_MS = 24 * 60 * 60 * 1000;

/** Uploads in flight, removed if the process exits mid-copy (Ctrl+C exits at once). */
const inFlight = new Set<string>();
let exitHookSet = false;
function track(tmp: string): void {
  if (!exitHookSet) {
    exitHookSet = true;
    process.on('exit', () => {
      for (const t of inFlight) fs.rmSync(t, { force: true });
    });
  }
  inFlight.add(tmp);
}

export class LocalRemote implements Remote {
  readonly displayUrl: string;
  readonly defaultJobs: number;
  readonly verify: boolean;
  private readonly base: string;

  constructor(
    readonly name: string,
    readonly root: string,
    opts: { jobs?: number; verify?: boolean } = {},
    readonly area: RemoteArea = 'objects',
  ) {
    this.displayUrl = root;
    this.base = path.join(root, ...AREA_DIRS[area].split('/'));
    // Local disks gain little from more than a few copies in flight.
    this.defaultJobs = opts.jobs ?? 8;
    this.verify = opts.verify ?? false;
  }

  at(area: RemoteArea): Remote {
    return area === this.area ? this : new LocalRemote(this.name, this.root, { jobs: this.defaultJobs, verify: this.verify }, area);
  }

  private rootChecked: Promise<void> | undefined;

  /**
   * A root that exists but is not a directory (a mount that went away, a typo) makes the whole
   * remote unusable: said once, instead of one failure per object. A missing root is fine: push
   * creates it, and everything is simply absent from it.
   */
  private checkRoot(): Promise<void> {
    return (this.rootChecked ??= fs.promises.stat(this.root).then(
      (st) => {
        if (!st.isDirectory()) throw new RemoteUnavailableError(this.name, this.displayUrl, 'it is not a directory');
      },
      (e: unknown) => {
        if (errnoOf(e) === 'ENOTDIR') throw new RemoteUnavailableError(this.name, this.displayUrl, 'a part of its path is a file, not a directory');
        if (errnoOf(e) !== 'ENOENT') throw classify(e);
      },
    ));
  }

  private pathOf(key: string): string {
    return `${this.base}/${key}`;
  }

  localPath(key: string): string {
    return this.pathOf(key);
  }

  /** One page per top-level folder (a shard), holding every file below it. */
  async *list(prefix?: string): AsyncIterable<string[]> {
    await this.checkRoot();
    const dirs = prefix ? [prefix.replace(/\/$/, '')] : (await readdirOrEmpty(this.base)).map((d) => d.name);
    for (const dir of dirs.sort()) {
      const keys: string[] = [];
      await this.collect(dir, keys);
      if (keys.length > 0) yield keys;
    }
  }

  private async collect(dir: string, keys: string[]): Promise<void> {
    const entries = await readdirOrEmpty(`${this.base}/${dir}`);
    for (const e of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      const rel = `${dir}/${e.name}`;
      if (e.name.startsWith(TEMP_PREFIX)) await sweepIfStale(`${this.base}/${rel}`);
      else if (e.isDirectory()) await this.collect(rel, keys);
      else keys.push(rel);
    }
  }

  async *listSized(prefix?: string): AsyncIterable<SizedKey[]> {
    for await (const keys of this.list(prefix)) {
      const page: SizedKey[] = [];
      for (const key of keys) {
        // A key gone since the listing (another gc) is simply not there any more.
        const st = await fs.promises.stat(this.pathOf(key)).catch(() => undefined);
        if (st?.isFile()) page.push({ key, size: st.size });
      }
      if (page.length > 0) yield page;
    }
  }

  async exists(key: string): Promise<boolean> {
    await this.checkRoot();
    try {
      await fs.promises.access(this.pathOf(key));
      return true;
    } catch (e) {
      if (errnoOf(e) === 'ENOENT' || errnoOf(e) === 'ENOTDIR') return false;
      throw classify(e);
    }
  }

  async put(key: string, localPath: string, size?: number): Promise<void> {
    await this.checkRoot();
    const dest = this.pathOf(key);
    const tmp = `${path.dirname(dest)}/${TEMP_PREFIX}${process.pid}-${++tmpCounter}`;
    track(tmp);
    try {
      await copyCreatingDir(localPath, tmp, size);
      // DVC's local remote keeps objects read-only, as the cache does.
      await fs.promises.chmod(tmp, 0o444);
      await fs.promises.rename(tmp, dest);
    } catch (e) {
      await fs.promises.rm(tmp, { force: true });
      throw classify(e);
    } finally {
      inFlight.delete(tmp);
    }
  }

  async get(key: string): Promise<Readable> {
    await this.checkRoot();
    const file = this.pathOf(key);
    let fd: fs.promises.FileHandle;
    try {
      fd = await fs.promises.open(file, 'r');
    } catch (e) {
      if (errnoOf(e) === 'ENOENT' || errnoOf(e) === 'ENOTDIR') throw new RemoteObjectMissingError(this.name, key);
      throw classify(e);
    }
    return fd.createReadStream({ highWaterMark: 1 << 20 });
  }

  async delete(key: string): Promise<void> {
    try {
      await fs.promises.rm(this.pathOf(key), { force: true });
    } catch (e) {
      throw classify(e);
    }
  }
}

async function sweepIfStale(file: string): Promise<void> {
  try {
    const st = await fs.promises.stat(file);
    if (Date.now() - st.mtimeMs > STALE_TEMP_MS) await fs.promises.rm(file, { force: true });
  } catch {
    // Gone already, or not ours to remove: listing goes on either way.
  }
}

async function readdirOrEmpty(dir: string): Promise<fs.Dirent[]> {
  try {
    return await fs.promises.readdir(dir, { withFileTypes: true });
  } catch (e) {
    // ENOTDIR: a stray file where a shard directory would be (`.DS_Store`) holds no objects.
    if (errnoOf(e) === 'ENOENT' || errnoOf(e) === 'ENOTDIR') return [];
    throw classify(e);
  }
}

async function copyCreatingDir(src: string, dest: string, size?: number): Promise<void> {
  try {
    await copyFileAsync(src, dest, size);
  } catch (e) {
    if (errnoOf(e) !== 'ENOENT' || !fs.existsSync(src)) throw e;
    await fs.promises.mkdir(path.dirname(dest), { recursive: true });
    await copyFileAsync(src, dest, size);
  }
}

function classify(e: unknown): unknown {
  const code = errnoOf(e);
  if (code === 'EIO' || code === 'EAGAIN' || code === 'EBUSY' || code === 'ETIMEDOUT') {
    return new RemoteError('REMOTE_IO', (e as Error).message, 'transient', { cause: e });
  }
  if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') {
    return new RemoteError('REMOTE_DENIED', (e as Error).message, 'denied', { cause: e });
  }
  return e;
}

export function readLocalSettings(spec: RemoteSpec): { root: string; jobs: number | undefined; verify: boolean } {
  refuseUnsupported(spec);
  const root = spec.url.startsWith('file://') ? fileURLToPath(spec.url) : spec.url;
  return { root: path.resolve(root), jobs: intOption(spec, 'jobs'), verify: boolOption(spec, 'verify', false) };
}

/** `url` is a path (made absolute by the caller) or a file:// url. */
export async function openLocalRemote(spec: RemoteSpec): Promise<Remote> {
  const s = readLocalSettings(spec);
  return new LocalRemote(spec.name, s.root, { jobs: s.jobs, verify: s.verify });
}
