import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { Document, YAMLMap, Node as YamlNode } from 'yaml';
import { FileFormatError, TroveError, throwCollected } from '../errors.js';
import type { HashKind } from '../hash/md5.js';
import { isValidOid } from '../util/cache-layout.js';
import { posixDirname, posixJoin } from '../util/posix-path.js';
import { pyJsonDumps, type PyJson } from '../util/py-json.js';

/** Top-level keys DVC 3 accepts in a `.dvc` file. */
const TOP_KEYS = new Set(['outs', 'deps', 'md5', 'cmd', 'wdir', 'frozen', 'locked', 'meta', 'desc', 'always_changed']);
/** Keys DVC 3 accepts in an output entry. */
const OUT_KEYS = new Set([
  'path', 'md5', 'size', 'nfiles', 'isexec', 'hash', 'cache', 'persist', 'remote', 'push',
  'desc', 'type', 'labels', 'meta', 'etag', 'checksum', 'version_id', 'cloud', 'checkpoint',
]);
/** The order DVC writes an output's fields in (Output.dumpd). */
const OUT_ORDER = ['md5', 'size', 'nfiles', 'isexec', 'hash', 'path', 'desc', 'type', 'labels', 'meta', 'cache', 'persist', 'remote', 'push'];

type YamlLib = typeof import('yaml');
let yamlLib: YamlLib | undefined;
/**
 * The yaml library, loaded on first use: it costs ~50 ms to load, and the canonical pointer files
 * DVC and trove write are read without it (see parseCanonical).
 */
export function yaml(): YamlLib {
  return (yamlLib ??= createRequire(import.meta.url)('yaml') as YamlLib);
}

/** ruamel's style: block sequences not indented, single quotes, no folding, `[a, b]` flow collections. */
export const YAML_WRITE_OPTIONS = { indentSeq: false, singleQuote: true, lineWidth: 0, flowCollectionPadding: false } as const;

export interface HashInfo {
  md5: string;
  size?: number;
  nfiles?: number;
  isexec?: boolean;
}

export interface PointerOut {
  /** As written in the file: relative to the pointer file's directory, posix. */
  path: string;
  /** Repo-relative posix path. */
  repoPath: string;
  hash: HashInfo | undefined;
  /** 'md5' for DVC 3 entries (`hash: md5`), 'md5-dos2unix' for DVC 2 entries without it. */
  hashName: HashKind;
  cache: boolean;
  line: number | undefined;
}

/** Rejects paths that leave the repository or point into its control directories. */
export function checkRepoPath(p: string, baseDir: string, file: string, line: number | undefined): string {
  if (p === '' || path.posix.isAbsolute(p) || path.win32.isAbsolute(p) || p.includes('\\')) {
    throw new FileFormatError(file, line, `path '${p}' must be relative to the file's directory`, 'tracked paths must stay inside the repository');
  }
  const norm = path.posix.normalize(baseDir ? `${baseDir}/${p}` : p);
  if (norm === '..' || norm.startsWith('../') || norm === '.') {
    throw new FileFormatError(file, line, `path '${p}' is outside of the repository`, 'tracked paths must stay inside the repository: no `..`');
  }
  const first = norm.split('/')[0];
  if (first === '.git' || first === '.dvc') {
    throw new FileFormatError(file, line, `path '${p}' is inside '${first}/', which trove manages itself`);
  }
  return norm.replace(/\/$/, '');
}

/** What an import pointer file (`trove import`, `dvc import`) records of its source. */
export interface RepoImport {
  /** The path inside the source repository, as given to import. */
  path: string;
  /** The source repository, as given to import (a git url or a local path). */
  url: string;
  /** The revision asked for with --rev (a branch or tag follows the source on update). */
  rev?: string;
  /** The commit the data was taken from. */
  revLock?: string;
}

/**
 * Fields DVC leaves out of a stage's `md5` (dvc/stage/utils.py compute_md5), at any depth: the
 * annotations, frozen/locked, and the outputs' metric/persist flags and metadata.
 */
const STAGE_MD5_EXCLUDED = new Set(['desc', 'type', 'labels', 'meta', 'locked', 'frozen', 'metric', 'persist', 'isexec', 'size', 'nfiles']);

function withoutExcluded(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(withoutExcluded);
  if (typeof v !== 'object' || v === null) return v;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) if (!STAGE_MD5_EXCLUDED.has(k)) out[k] = withoutExcluded(x);
  return out;
}

/**
 * DVC's stage md5 of a single-stage file's content: the md5 of Python's
 * `json.dumps(d, sort_keys=True)` where `d` is the file's mapping without its own `md5`, `meta`
 * and `desc` (and a `wdir` of '.'), and without the excluded fields at any depth.
 */
export function stageMd5Of(content: Record<string, unknown>): string {
  const d: Record<string, unknown> = { ...content };
  delete d.md5;
  delete d.meta;
  delete d.desc;
  if (d.wdir === '.') delete d.wdir;
  return createHash('md5').update(pyJsonDumps(withoutExcluded(d) as PyJson), 'utf8').digest('hex');
}

export class PointerFile {
  /** Built by `create` and not yet hashed: fields are laid out in DVC's order, not edited in place. */
  private fresh = false;

  private constructor(
    /** Repo-relative posix path of the `.dvc` file. */
    readonly relPath: string,
    private docCache: Document | undefined,
    public outs: PointerOut[],
    /** What output paths are relative to: the file's directory, or its `wdir` (repo-relative). */
    private readonly base: string = posixDirname(relPath),
    /** The text the file was read from (a fast-parsed one becomes a Document only when edited). */
    private readonly text?: string,
  ) {}

  /**
   * Value-only edits of a loaded file, applied to its original text on serialize so that
   * everything else (comments and their spacing, quoting, blank lines) stays byte for byte, as
   * ruamel's round trip keeps it. Any structural change (a key added or removed, a path
   * rewritten) falls back to re-emitting the document.
   */
  private edits: { start: number; end: number; text: string }[] = [];
  private structural = false;

  private get doc(): Document {
    return (this.docCache ??= yaml().parseDocument(this.text ?? '', { uniqueKeys: true, prettyErrors: false }));
  }

  get dir(): string {
    return posixDirname(this.relPath);
  }

  static parse(text: string, relPath: string): PointerFile {
    const fast = parseCanonical(text, relPath);
    if (fast) return new PointerFile(relPath, undefined, fast, posixDirname(relPath), text);
    const { LineCounter, isMap, isScalar, isSeq } = yaml();
    const lc = new LineCounter();
    const doc = yaml().parseDocument(text, { lineCounter: lc, uniqueKeys: true, prettyErrors: false });
    const lineOf = (node: YamlNode | null | undefined) =>
      node?.range ? lc.linePos(node.range[0]).line : undefined;
    if (doc.errors.length > 0) {
      const err = doc.errors[0]!;
      throw new FileFormatError(relPath, lc.linePos(err.pos[0]).line, `malformed YAML: ${err.message.split('\n')[0]}`, 'fix the YAML syntax, or restore the file from git');
    }
    const root = doc.contents;
    if (!isMap(root)) {
      throw new FileFormatError(relPath, lineOf(root as YamlNode), 'expected a mapping with an `outs` list', 'a .dvc file looks like:\nouts:\n- md5: ...\n  path: data');
    }
    const problems: TroveError[] = [];
    // Output paths are relative to `wdir` (default '.'), itself relative to the file's directory.
    let base = posixDirname(relPath);
    const wdirNode = root.get('wdir', true) as YamlNode | undefined;
    const wdir = wdirNode && isScalar(wdirNode) ? wdirNode.value : wdirNode;
    if (wdir !== undefined && wdir !== null) {
      if (typeof wdir !== 'string' || wdir === '' || path.posix.isAbsolute(wdir) || path.win32.isAbsolute(wdir) || wdir.includes('\\')) {
        problems.push(new FileFormatError(relPath, lineOf(wdirNode), `wdir '${String(wdir)}' must be a relative path`));
      } else {
        const norm = path.posix.normalize(base ? `${base}/${wdir}` : wdir).replace(/\/$/, '');
        base = norm === '.' ? '' : norm;
      }
    }
    for (const pair of root.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
      if (!TOP_KEYS.has(key)) {
        problems.push(new FileFormatError(relPath, lineOf(pair.key as YamlNode), `unknown key '${key}'`, `allowed keys: ${[...TOP_KEYS].join(', ')}`));
      }
    }
    const outsNode = root.get('outs', true);
    const outs: PointerOut[] = [];
    if (outsNode !== undefined && outsNode !== null && !(isScalar(outsNode) && outsNode.value === null)) {
      if (!isSeq(outsNode)) {
        problems.push(new FileFormatError(relPath, lineOf(outsNode as YamlNode), '`outs` must be a list'));
      } else {
        for (const item of outsNode.items) {
          try {
            outs.push(parseOut(item as YamlNode, relPath, base, lineOf));
          } catch (e) {
            if (e instanceof TroveError) problems.push(e);
            else throw e;
          }
        }
      }
    }
    throwCollected(problems, 'FILE_FORMAT', (n) => `${relPath}: ${n} problems`);
    return new PointerFile(relPath, doc, outs, base, text);
  }

  /** A new pointer file for one output, in DVC's layout. */
  static create(relPath: string, outPath: string, hash: HashInfo): PointerFile {
    const doc = new (yaml().Document)({ outs: [{ path: outPath }] });
    const pf = new PointerFile(relPath, doc, [
      { path: outPath, repoPath: posixJoin(posixDirname(relPath), outPath), hash: undefined, hashName: 'md5', cache: true, line: undefined },
    ]);
    pf.fresh = true;
    pf.setHash(0, hash);
    pf.fresh = false;
    return pf;
  }

  /**
   * A new import pointer file, laid out as DVC 3 writes one: `md5` (the stage md5), `frozen:
   * true`, the source under `deps`, then the output.
   */
  static createImport(relPath: string, source: RepoImport & { revLock: string }, outPath: string, hash: HashInfo): PointerFile {
    const out: Record<string, unknown> = { md5: hash.md5 };
    if (hash.size !== undefined) out.size = hash.size;
    if (hash.nfiles !== undefined) out.nfiles = hash.nfiles;
    if (hash.isexec) out.isexec = true;
    out.hash = 'md5';
    out.path = outPath;
    const repo: Record<string, string> = { url: source.url };
    if (source.rev !== undefined) repo.rev = source.rev;
    repo.rev_lock = source.revLock;
    const body = { frozen: true, deps: [{ path: source.path, repo }], outs: [out] };
    const text = new (yaml().Document)({ md5: stageMd5Of(body), ...body }).toString(YAML_WRITE_OPTIONS);
    return PointerFile.parse(text, relPath);
  }

  private outMap(i: number): YAMLMap {
    const seq = this.doc.get('outs', true);
    if (!yaml().isSeq(seq)) throw new Error('outs missing');
    return seq.items[i] as YAMLMap;
  }

  /**
   * Records a new hash for output `i`, the way DVC's apply_diff updates a loaded file: existing
   * keys keep their place (and comments), new ones are appended, stale ones removed.
   */
  setHash(i: number, hash: HashInfo): void {
    const out = this.outs[i]!;
    const map = this.outMap(i);
    const want: Record<string, unknown> = {};
    want.md5 = hash.md5;
    if (hash.size !== undefined) want.size = hash.size;
    if (hash.nfiles !== undefined) want.nfiles = hash.nfiles;
    if (hash.isexec) want.isexec = true;
    want.hash = 'md5';
    want.path = out.path;
    const hashKeys = new Set(['md5', 'size', 'nfiles', 'isexec', 'hash', 'path']);
    // A loaded file is edited in place, as DVC's apply_diff does: new keys go after existing ones.
    const fresh = this.fresh;
    for (const k of hashKeys) {
      if (!(k in want) && map.has(k)) {
        map.delete(k);
        this.structural = true;
      }
    }
    if (fresh) {
      const extras = map.items.filter((p) => !hashKeys.has(String((p.key as { value?: unknown }).value ?? p.key)));
      map.items = [];
      for (const k of OUT_ORDER) if (k in want) map.set(k, want[k]);
      map.items.push(...extras);
      this.structural = true;
    } else {
      for (const k of OUT_ORDER) if (k in want) this.setValue(map, k, want[k]);
    }
    out.hash = { ...hash };
    out.hashName = 'md5';
  }

  /** Sets `key` in `map`, recording a text edit when it only replaces a plain value. */
  private setValue(map: YAMLMap, key: string, value: unknown): void {
    const node = map.get(key, true) as YamlNode | undefined;
    const { isScalar } = yaml();
    if (node !== undefined && isScalar(node) && node.value === value) return;
    const plain = typeof value === 'number' || (typeof value === 'string' && /^[0-9a-f]{32}(\.dir)?$|^[0-9a-f]{40}$|^md5$/.test(value));
    if (node !== undefined && isScalar(node) && node.range && plain && !this.structural) {
      this.edits.push({ start: node.range[0], end: node.range[1], text: String(value) });
    } else {
      this.structural = true;
    }
    map.set(key, value);
  }

  setPath(i: number, newPath: string): void {
    const out = this.outs[i]!;
    this.structural = true;
    this.outMap(i).set('path', newPath);
    out.path = newPath;
    out.repoPath = posixJoin(this.base, newPath);
  }

  /**
   * Re-homes the pointer file (move): output paths become relative to it. Like `dvc move`, which
   * sets the stage's wdir to the new directory, any `wdir` is dropped.
   */
  withRelPath(relPath: string): PointerFile {
    this.structural = true;
    if (yaml().isMap(this.doc.contents)) this.doc.contents.delete('wdir');
    return new PointerFile(relPath, this.doc, this.outs);
  }

  /** The source of an import pointer file (its first dependency's `repo`), or undefined. */
  get repoImport(): RepoImport | undefined {
    if (this.text !== undefined && this.text.startsWith('outs:\n') && this.docCache === undefined) return undefined;
    const deps = (this.doc.toJS() as { deps?: unknown } | null)?.deps;
    const dep = Array.isArray(deps) ? (deps[0] as Record<string, unknown> | undefined) : undefined;
    const repo = dep?.repo as Record<string, unknown> | undefined;
    if (!dep || typeof dep.path !== 'string' || !repo || typeof repo.url !== 'string') return undefined;
    return {
      path: dep.path,
      url: repo.url,
      ...(typeof repo.rev === 'string' ? { rev: repo.rev } : {}),
      ...(typeof repo.rev_lock === 'string' ? { revLock: repo.rev_lock } : {}),
    };
  }

  /** The top-level `md5` the file records (import and pipeline-style files), if any. */
  get recordedStageMd5(): string | undefined {
    const v = (this.doc.toJS() as { md5?: unknown } | null)?.md5;
    return typeof v === 'string' ? v : undefined;
  }

  /** The stage md5 of the file's current content, as DVC computes it. */
  computeStageMd5(): string {
    return stageMd5Of((this.doc.toJS() as Record<string, unknown> | null) ?? {});
  }

  /**
   * Moves an import to another source commit (and `rev`, when given), then records the new stage
   * md5. Existing keys keep their place; a new `rev` goes after the others, as DVC's update does.
   */
  setImportRevision(revLock: string, rev?: string): void {
    const { isMap, isSeq } = yaml();
    const deps = this.doc.get('deps', true);
    const dep = isSeq(deps) ? deps.items[0] : undefined;
    const repo = isMap(dep) ? dep.get('repo', true) : undefined;
    if (!isMap(repo)) throw new TroveError('NOT_AN_IMPORT', `'${this.relPath}' is not an import`);
    this.setValue(repo, 'rev_lock', revLock);
    if (rev !== undefined) this.setValue(repo, 'rev', rev);
  }

  /** Writes the top-level `md5` (the stage md5 of the content, see computeStageMd5). */
  updateStageMd5(): void {
    const root = this.doc.contents;
    if (!yaml().isMap(root)) return;
    this.setValue(root, 'md5', this.computeStageMd5());
  }

  serialize(): string {
    if (this.text !== undefined && !this.structural && !this.fresh) {
      let out = this.text;
      for (const e of [...this.edits].sort((a, b) => b.start - a.start)) out = out.slice(0, e.start) + e.text + out.slice(e.end);
      return out;
    }
    return this.doc.toString(YAML_WRITE_OPTIONS);
  }
}

function parseOut(node: YamlNode, file: string, base: string, lineOf: (n: YamlNode | null | undefined) => number | undefined): PointerOut {
  const { isMap, isScalar } = yaml();
  const line = lineOf(node);
  if (!isMap(node)) throw new FileFormatError(file, line, 'each entry of `outs` must be a mapping with a `path`');
  const get = (k: string) => {
    const v = node.get(k, true) as YamlNode | undefined;
    return v === undefined ? undefined : isScalar(v) ? v.value : v;
  };
  for (const pair of node.items) {
    const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
    if (!OUT_KEYS.has(key)) {
      throw new FileFormatError(file, lineOf(pair.key as YamlNode), `unknown output field '${key}'`, `allowed fields: ${[...OUT_KEYS].join(', ')}`);
    }
  }
  const p = get('path');
  if (typeof p !== 'string') throw new FileFormatError(file, line, 'output is missing `path` (or it is not a string)');
  const repoPath = checkRepoPath(p, base, file, lineOf(node.get('path', true) as YamlNode));
  const md5 = get('md5');
  let hash: HashInfo | undefined;
  if (md5 !== undefined && md5 !== null) {
    if (typeof md5 !== 'string' || !isValidOid(md5)) {
      throw new FileFormatError(file, lineOf(node.get('md5', true) as YamlNode), `'${String(md5)}' is not an md5 (32 hex digits, optionally followed by .dir)`, 'restore the file from git, or re-add the data');
    }
    const size = get('size');
    const nfiles = get('nfiles');
    hash = {
      md5,
      ...(typeof size === 'number' ? { size } : {}),
      ...(typeof nfiles === 'number' ? { nfiles } : {}),
      ...(get('isexec') === true ? { isexec: true } : {}),
    };
  }
  const hashField = get('hash');
  if (hashField !== undefined && hashField !== 'md5') {
    throw new FileFormatError(file, lineOf(node.get('hash', true) as YamlNode), `unsupported hash '${String(hashField)}'`, "trove reads 'md5' (DVC 3) and DVC 2 entries without a hash field");
  }
  const cache = get('cache');
  return {
    path: p,
    repoPath,
    hash,
    hashName: hashField === 'md5' ? 'md5' : 'md5-dos2unix',
    cache: cache !== false,
    line,
  };
}

/**
 * The exact layout DVC and trove write (`outs:` then `- md5/size/[nfiles]/[isexec]/hash: md5/path`
 * per output), read without loading the yaml library. Anything else, including paths YAML could
 * read as another type, returns undefined and takes the full parser.
 */
const CANONICAL_OUT = /^- md5: ([0-9a-f]{32}(?:\.dir)?)\n {2}size: (\d+)\n(?: {2}nfiles: (\d+)\n)?( {2}isexec: true\n)? {2}hash: md5\n {2}path: ([A-Za-z_][A-Za-z0-9_.@/+-]*)\n/;
const YAML_WORDS = /^(true|false|null|yes|no|on|off|y|n)$/i;

function parseCanonical(text: string, relPath: string): PointerOut[] | undefined {
  if (!text.startsWith('outs:\n')) return undefined;
  const outs: PointerOut[] = [];
  let rest = text.slice(6);
  let line = 2;
  const base = posixDirname(relPath);
  while (rest.length > 0) {
    const m = CANONICAL_OUT.exec(rest);
    if (!m) return undefined;
    const p = m[5]!;
    if (YAML_WORDS.test(p)) return undefined;
    let repoPath: string;
    try {
      repoPath = checkRepoPath(p, base, relPath, undefined);
    } catch {
      return undefined; // the full parser reports it, with the line
    }
    outs.push({
      path: p,
      repoPath,
      hash: {
        md5: m[1]!,
        size: Number(m[2]),
        ...(m[3] !== undefined ? { nfiles: Number(m[3]) } : {}),
        ...(m[4] ? { isexec: true } : {}),
      },
      hashName: 'md5',
      cache: true,
      line,
    });
    line += m[4] ? 5 : 4;
    if (m[3] !== undefined) line++;
    rest = rest.slice(m[0].length);
  }
  return outs.length > 0 ? outs : undefined;
}
