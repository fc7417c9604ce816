/**
 * End-to-end helpers: every test gets its own temp directory with a git repository and an isolated
 * environment (HOME, git config, XDG config dirs), and runs the real CLI (`node bin/trove.js`).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, expect } from 'vitest';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const BIN = path.join(REPO_ROOT, 'bin', 'trove.js');
export const FORMATS = path.join(REPO_ROOT, 'fixtures', 'dvc-formats');

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  /** Directory to run in, relative to the sandbox's repo root (or absolute). */
  cwd?: string;
  input?: string;
  /** Extra environment variables (undefined removes one). */
  env?: Record<string, string | undefined>;
}

const live: Sandbox[] = [];
afterEach(() => {
  while (live.length > 0) live.pop()!.cleanup();
});

/**
 * Initialised repositories are copied from a template made once per test file (git init, trove
 * init, git commit cost three process starts; a copy costs a few milliseconds).
 */
const templates = new Map<string, Sandbox>();
afterAll(() => {
  for (const t of templates.values()) t.cleanup();
  templates.clear();
});

export class Sandbox {
  /** The temp directory holding everything (repo, home, outside files). */
  readonly base: string;
  /** The repository root (a git repo unless `git: false`). */
  readonly root: string;
  readonly home: string;
  readonly env: Record<string, string>;
  private readonly children: ChildProcess[] = [];

  constructor(opts: { git?: boolean; init?: boolean; template?: boolean } = {}) {
    this.base = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'trove-e2e-')));
    this.root = path.join(this.base, 'repo');
    this.home = path.join(this.base, 'home');
    fs.mkdirSync(this.root);
    fs.mkdirSync(path.join(this.home, '.config'), { recursive: true });
    fs.mkdirSync(path.join(this.home, 'xdg-system'), { recursive: true });
    const gitconfig = path.join(this.home, '.gitconfig');
    fs.writeFileSync(
      gitconfig,
      '[user]\n\tname = Trove Test\n\temail = trove-test@example.com\n[commit]\n\tgpgSign = false\n[init]\n\tdefaultBranch = main\n[advice]\n\tdetachedHead = false\n',
    );
    this.env = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: this.home,
      TMPDIR: os.tmpdir(),
      LANG: 'C.UTF-8',
      GIT_CONFIG_GLOBAL: gitconfig,
      GIT_CONFIG_NOSYSTEM: '1',
      XDG_CONFIG_HOME: path.join(this.home, '.config'),
      XDG_CONFIG_DIRS: path.join(this.home, 'xdg-system'),
      NO_COLOR: '1',
      TROVE_NO_PROGRESS: '1',
    };
    if (!opts.template) live.push(this);
    if (opts.init && !opts.template) {
      const key = opts.git === false ? 'no-scm' : 'git';
      let t = templates.get(key);
      if (!t) {
        t = new Sandbox({ ...opts, template: true });
        templates.set(key, t);
      }
      fs.cpSync(t.root, this.root, { recursive: true, preserveTimestamps: true });
      return;
    }
    if (opts.git !== false) this.git('init', '-q', '-b', 'main');
    if (opts.init) {
      const r = this.trove(opts.git === false ? ['init', '--no-scm'] : ['init']);
      if (r.code !== 0) throw new Error(`trove init failed:\n${r.stderr}`);
      if (opts.git !== false) this.git('commit', '-q', '-m', 'init');
    }
  }

  private envFor(extra?: Record<string, string | undefined>): Record<string, string> {
    const env = { ...this.env };
    for (const [k, v] of Object.entries(extra ?? {})) {
      if (v === undefined) delete env[k];
      else env[k] = v;
    }
    return env;
  }

  cwdFor(cwd?: string): string {
    return cwd === undefined ? this.root : path.resolve(this.root, cwd);
  }

  /** Runs `node bin/trove.js ...args` and waits for it. */
  trove(args: string[], opts: RunOptions = {}): RunResult {
    const r = spawnSync(process.execPath, [BIN, ...args], {
      cwd: this.cwdFor(opts.cwd),
      env: this.envFor(opts.env),
      input: opts.input ?? '',
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    });
    if (r.error) throw r.error;
    return { code: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
  }

  /** Runs trove and fails the test (showing its output) unless it exits 0. */
  ok(args: string[], opts: RunOptions = {}): RunResult {
    const r = this.trove(args, opts);
    if (r.code !== 0) {
      throw new Error(`trove ${args.join(' ')} exited ${r.code}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`);
    }
    return r;
  }

  /** Starts trove without waiting (for the crash and lock tests). */
  spawnTrove(args: string[], opts: RunOptions = {}): ChildProcess {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: this.cwdFor(opts.cwd), env: this.envFor(opts.env), stdio: ['ignore', 'pipe', 'pipe'] });
    this.children.push(child);
    return child;
  }

  /** Starts any long-lived helper process that the sandbox kills on cleanup. */
  spawnProcess(cmd: string, args: string[]): ChildProcess {
    const child = spawn(cmd, args, { cwd: this.root, env: this.env, stdio: 'ignore' });
    this.children.push(child);
    return child;
  }

  git(...args: string[]): string {
    const r = spawnSync('git', args, { cwd: this.root, env: this.env, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`git ${args.join(' ')} failed: ${r.stderr}`);
    return r.stdout;
  }

  /** Paths staged in git's index (`git diff --cached --name-only`), sorted. */
  staged(): string[] {
    return this.git('diff', '--cached', '--name-only').split('\n').filter(Boolean).sort();
  }

  abs(rel: string): string {
    return path.resolve(this.root, rel);
  }

  write(rel: string, content: string | Buffer, mode?: number): string {
    const p = this.abs(rel);
    fs.mkdirSync(path.dirname(p), { recursive: true });
    fs.writeFileSync(p, content);
    if (mode !== undefined) fs.chmodSync(p, mode);
    return p;
  }

  /** Writes several files: { 'dir/a.txt': 'a', ... }. */
  writeAll(files: Record<string, string | Buffer>): void {
    for (const [rel, content] of Object.entries(files)) this.write(rel, content);
  }

  read(rel: string): string {
    return fs.readFileSync(this.abs(rel), 'utf8');
  }

  readBytes(rel: string): Buffer {
    return fs.readFileSync(this.abs(rel));
  }

  exists(rel: string): boolean {
    return fs.existsSync(this.abs(rel));
  }

  lstat(rel: string): fs.Stats {
    return fs.lstatSync(this.abs(rel));
  }

  mode(rel: string): number {
    return fs.statSync(this.abs(rel)).mode & 0o777;
  }

  /** Every file under `rel` (default the repo root) as `path`, `path -> target` for symlinks, sorted. */
  files(rel = '', opts: { all?: boolean } = {}): string[] {
    return listTree(this.abs(rel), opts.all ? [] : ['.git', '.dvc']).filter((l) => !l.endsWith('/')).map((l) => l.replace(/^[0-7]{4} /, ''));
  }

  /** A listing with modes, like the shared outputs' layout files: `0644 a/b.txt`, `0755 d/`, `l a -> b`. */
  tree(rel = '', exclude: string[] = ['.git']): string[] {
    return listTree(this.abs(rel), exclude);
  }

  cacheDir(): string {
    return path.join(this.root, '.dvc', 'cache');
  }

  /** Objects in the DVC 3 cache layout, by oid. */
  cacheObjects(cacheDir = this.cacheDir()): CacheObject[] {
    return listCache(path.join(cacheDir, 'files', 'md5'));
  }

  cacheOids(cacheDir?: string): string[] {
    return this.cacheObjects(cacheDir).map((o) => o.oid);
  }

  cleanup(): void {
    for (const c of this.children) {
      if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    }
    fs.rmSync(this.base, { recursive: true, force: true });
  }
}

export interface CacheObject {
  oid: string;
  path: string;
  mode: number;
  size: number;
}

export function listCache(filesRoot: string): CacheObject[] {
  const out: CacheObject[] = [];
  if (!fs.existsSync(filesRoot)) return out;
  for (const d of fs.readdirSync(filesRoot).sort()) {
    const dir = path.join(filesRoot, d);
    if (!fs.statSync(dir).isDirectory()) continue;
    for (const n of fs.readdirSync(dir).sort()) {
      const p = path.join(dir, n);
      const st = fs.statSync(p);
      out.push({ oid: d + n, path: p, mode: st.mode & 0o777, size: st.size });
    }
  }
  return out;
}

export function listTree(root: string, exclude: string[] = []): string[] {
  const lines: string[] = [];
  const walk = (dir: string, rel: string) => {
    for (const name of fs.readdirSync(dir).sort()) {
      const r = rel ? `${rel}/${name}` : name;
      if (exclude.includes(r)) continue;
      const p = path.join(dir, name);
      const st = fs.lstatSync(p);
      if (st.isSymbolicLink()) lines.push(`l ${r} -> ${fs.readlinkSync(p)}`);
      else if (st.isDirectory()) {
        lines.push(`${(st.mode & 0o777).toString(8).padStart(4, '0')} ${r}/`);
        walk(p, r);
      } else lines.push(`${(st.mode & 0o777).toString(8).padStart(4, '0')} ${r}`);
    }
  };
  walk(root, '');
  return lines;
}

export function md5(data: string | Buffer): string {
  return crypto.createHash('md5').update(data).digest('hex');
}

export function md5File(p: string): string {
  return md5(fs.readFileSync(p));
}

/** A Python `json.dumps(sort_keys=True)` manifest for simple ASCII relpaths, and its oid. */
export function manifestOf(files: Record<string, string | Buffer>): { manifest: string; oid: string } {
  const entries = Object.entries(files)
    .map(([relpath, content]) => ({ md5: md5(content), relpath }))
    .sort((a, b) => (a.relpath < b.relpath ? -1 : a.relpath > b.relpath ? 1 : 0));
  const manifest = `[${entries.map((e) => `{"md5": "${e.md5}", "relpath": "${e.relpath}"}`).join(', ')}]`;
  return { manifest, oid: `${md5(manifest)}.dir` };
}

/** The pointer file DVC 3 writes for a file output. */
export function fileDvc(name: string, content: string | Buffer): string {
  return `outs:\n- md5: ${md5(content)}\n  size: ${Buffer.byteLength(content)}\n  hash: md5\n  path: ${name}\n`;
}

/** The pointer file DVC 3 writes for a directory output. */
export function dirDvc(name: string, files: Record<string, string | Buffer>): string {
  const { oid } = manifestOf(files);
  const size = Object.values(files).reduce((n, c) => n + Buffer.byteLength(c), 0);
  return `outs:\n- md5: ${oid}\n  size: ${size}\n  nfiles: ${Object.keys(files).length}\n  hash: md5\n  path: ${name}\n`;
}

/** Asserts a failure that a user made: non-zero exit, an ERROR line, and no stack trace. */
export function expectCleanFailure(r: RunResult, pattern?: RegExp, code?: number): void {
  expect(r.code, `stdout: ${r.stdout}\nstderr: ${r.stderr}`).not.toBe(0);
  if (code !== undefined) expect(r.code).toBe(code);
  expect(r.stderr).not.toMatch(/^\s+at /m);
  expect(r.stderr).not.toMatch(/unexpected error|this is a bug/i);
  expect(r.stderr).toMatch(/ERROR: /);
  if (pattern) expect(r.stderr).toMatch(pattern);
}

export function expectNoStack(r: RunResult): void {
  expect(r.stderr).not.toMatch(/^\s+at /m);
}

/** Makes a repo with trove initialised and the init committed. */
export function repo(opts: { git?: boolean } = {}): Sandbox {
  return new Sandbox({ git: opts.git, init: true });
}

/** Cache objects whose bytes do not hash to their name (directory manifests included). */
export function corruptObjects(objects: CacheObject[]): string[] {
  return objects.filter((o) => md5File(o.path) !== o.oid.replace(/\.dir$/, '')).map((o) => o.oid);
}

export const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
