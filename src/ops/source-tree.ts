/**
 * The files of another repository at one commit, as `ls`, `get` and `import` see them: what git
 * tracks, merged with the outputs its pointer files and `dvc.lock` files record, directory
 * outputs opened through their `.dir` manifests (read from the source's storage when needed).
 */
import { TroveError } from '../errors.js';
import { parseTree, type TreeEntry } from '../objects/tree.js';
import { RemoteObjectMissingError, type Remote } from '../remote/remote.js';
import { keyOf, readVerified } from '../remote/transfer.js';
import type { SourceGitFile, SourceRepo } from '../repo/source-repo.js';
import { compareCodePoints } from '../util/py-json.js';

export interface SourceNode {
  /** Path relative to the source's DVC root ('' for the root itself). */
  path: string;
  isdir: boolean;
  /** An output, or inside one (DVC's `isout`). */
  isout: boolean;
  /** An output, inside one, or a directory holding one (what `--dvc-only` keeps). */
  dvc: boolean;
  isexec: boolean;
  /** Bytes, as far as the records tell: git's blob size, an output's recorded size, else null. */
  size: number | null;
  /** The git blob, for files git tracks. */
  git?: SourceGitFile;
  /** The cache object, for files (and directory outputs) recorded by trove/DVC. */
  md5?: string;
  /** For a directory output: its file count; its manifest once read. */
  nfiles?: number;
  entries?: TreeEntry[];
}

export class PathMissingError extends TroveError {
  constructor(p: string, url: string, dvcOnly: boolean) {
    super(
      'SOURCE_PATH_MISSING',
      dvcOnly
        ? `the path '${p}' does not exist in the target repository '${url}' as a DVC output`
        : `the path '${p}' does not exist in the target repository '${url}' neither as a DVC output nor as a Git-tracked file`,
      { hint: `list what is there with \`trove ls ${url}${dvcOnly ? ' --dvc-only' : ''} -R\`` },
    );
  }
}

export class SourceTree {
  private readonly nodes = new Map<string, SourceNode>();

  constructor(
    readonly source: SourceRepo,
    /** Opens the source's storage (local cache, then default remote) on first use. */
    readonly storage: () => Promise<Remote>,
  ) {
    this.dir('', false);
    for (const f of source.gitFiles()) {
      this.parents(f.rel, false);
      this.nodes.set(f.rel, { path: f.rel, isdir: false, isout: false, dvc: false, isexec: f.mode === '100755', size: f.size ?? null, git: f });
    }
    const { pointerFiles, lockedOutputs } = source.trackedAt();
    const outs: { path: string; md5: string; size?: number; nfiles?: number; isexec?: boolean }[] = [];
    for (const pf of pointerFiles) for (const o of pf.outs) if (o.hash) outs.push({ path: o.repoPath, ...o.hash });
    for (const o of lockedOutputs) outs.push({ path: o.repoPath, md5: o.md5, ...(o.size !== undefined ? { size: o.size } : {}), ...(o.nfiles !== undefined ? { nfiles: o.nfiles } : {}) });
    for (const o of outs) {
      this.parents(o.path, true);
      const isdir = o.md5.endsWith('.dir');
      const prev = this.nodes.get(o.path);
      // DVC's `size` comes from the file system when git has the file, else from the record.
      this.nodes.set(o.path, {
        path: o.path,
        isdir,
        isout: true,
        dvc: true,
        isexec: o.isexec === true,
        size: prev?.git?.size ?? o.size ?? null,
        md5: o.md5,
        ...(prev?.git && !isdir ? { git: prev.git } : {}),
        ...(o.nfiles !== undefined ? { nfiles: o.nfiles } : {}),
      });
    }
  }

  private dir(p: string, dvc: boolean): void {
    const n = this.nodes.get(p);
    if (n) {
      if (dvc) n.dvc = true;
      return;
    }
    this.nodes.set(p, { path: p, isdir: true, isout: false, dvc, isexec: false, size: null });
  }

  private parents(p: string, dvc: boolean): void {
    const parts = p.split('/');
    this.dir('', dvc);
    for (let i = 1; i < parts.length; i++) this.dir(parts.slice(0, i).join('/'), dvc);
  }

  /** The node at `p`, opening any directory output above it; undefined when there is none. */
  async find(p: string): Promise<SourceNode | undefined> {
    const direct = this.nodes.get(p);
    if (direct) return direct;
    const parts = p.split('/');
    for (let i = parts.length - 1; i >= 1; i--) {
      const above = this.nodes.get(parts.slice(0, i).join('/'));
      if (above?.isout && above.isdir && above.md5 && !above.entries) {
        await this.open(above);
        return this.nodes.get(p);
      }
      if (above) return undefined;
    }
    return undefined;
  }

  /** Reads a directory output's manifest and adds its files (and their directories). */
  async open(out: SourceNode): Promise<void> {
    if (out.entries || !out.md5) return;
    out.entries = await this.readManifest(out);
    for (const e of out.entries) {
      const parts = e.relpath.split('/');
      for (let i = 1; i < parts.length; i++) {
        const d = `${out.path}/${parts.slice(0, i).join('/')}`;
        if (!this.nodes.has(d)) this.nodes.set(d, { path: d, isdir: true, isout: true, dvc: true, isexec: false, size: null });
      }
      const f = `${out.path}/${e.relpath}`;
      this.nodes.set(f, { path: f, isdir: false, isout: true, dvc: true, isexec: false, size: null, md5: e.md5 });
    }
  }

  private async readManifest(out: SourceNode): Promise<TreeEntry[]> {
    const remote = await this.storage();
    try {
      const bytes = await readVerified(remote, keyOf(out.md5!));
      return parseTree(bytes.toString('utf8'), `${out.md5} (${out.path})`);
    } catch (e) {
      if (e instanceof RemoteObjectMissingError) throw sourceDataMissing(this.source.url, remote, [out.path]);
      throw e;
    }
  }

  /** Directory outputs at or below `p`, opened (for -R listings and downloads). */
  async openBelow(p: string): Promise<void> {
    for (const n of [...this.nodes.values()]) {
      if (n.isout && n.isdir && n.md5 && !n.entries && within(n.path, p)) await this.open(n);
    }
  }

  /** Every node strictly below `p`; `files` only: files (for -R and downloads). */
  below(p: string, opts: { recursive: boolean }): SourceNode[] {
    const out: SourceNode[] = [];
    for (const n of this.nodes.values()) {
      if (n.path === p || !within(n.path, p)) continue;
      const rest = p === '' ? n.path : n.path.slice(p.length + 1);
      if (opts.recursive ? !n.isdir : !rest.includes('/')) out.push(n);
    }
    return out.sort((a, b) => compareCodePoints(a.path, b.path));
  }
}

/** Whether `p` is `base` or lies below it ('' is the root). */
function within(p: string, base: string): boolean {
  return base === '' || p === base || p.startsWith(`${base}/`);
}

export function sourceDataMissing(url: string, remote: Remote, names: string[]): TroveError {
  return new TroveError('SOURCE_DATA_MISSING', `${names.length === 1 ? `'${names[0]}' is` : `${names.length} files are`} missing from the storage of '${url}' (remote '${remote.name}', ${remote.displayUrl})`, {
    hint: `the source repository never pushed that data: run \`trove push\` (or \`dvc push\`) there${names.length > 1 ? `\nmissing: ${names.slice(0, 10).join(', ')}${names.length > 10 ? ', ...' : ''}` : ''}`,
  });
}
