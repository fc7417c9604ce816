/**
 * The layering of src/, bottom first. A module may import from its own layer or any layer below,
 * never above; index.ts (the public API) may import anything and nothing imports it. errors.ts and
 * progress.ts are leaves: they import nothing from src/. Folders named in STYLE.md that do not
 * exist yet (remote/, pipeline/) already have their place, so a new folder must be placed here.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const SRC = fileURLToPath(new URL('../../src/', import.meta.url));

const LAYERS: readonly (readonly string[])[] = [
  ['errors.ts', 'progress.ts', 'util'],
  ['fs'],
  ['hash'],
  ['objects'],
  ['remote'],
  ['git'],
  ['repo'],
  ['pipeline'],
  ['ops'],
  ['cli'],
];
const LEAVES = new Set(['errors.ts', 'progress.ts']);
const PUBLIC_API = 'index.ts';

/** The unit a src-relative path belongs to: its top folder, or the file itself at the top level. */
function unitOf(rel: string): string {
  return rel.split('/')[0]!;
}

function rankOf(unit: string): number | undefined {
  const i = LAYERS.findIndex((l) => l.includes(unit));
  return i === -1 ? undefined : i;
}

export interface Edge {
  from: string;
  to: string;
  spec: string;
}

/** Every import, re-export and dynamic import() between files of src, as src-relative paths. */
export function importEdges(files: Map<string, string>): { edges: Edge[]; unresolved: Edge[] } {
  const edges: Edge[] = [];
  const unresolved: Edge[] = [];
  for (const [from, text] of files) {
    for (const { fileName: spec } of ts.preProcessFile(text, true, true).importedFiles) {
      if (!spec.startsWith('.')) continue; // node: builtins and packages
      const target = path.posix.normalize(path.posix.join(path.posix.dirname(from), spec)).replace(/\.js$/, '.ts');
      const edge = { from, to: target, spec };
      if (files.has(target)) edges.push(edge);
      else if (files.has(`${target}.ts`)) edges.push({ ...edge, to: `${target}.ts` });
      else if (files.has(`${target}/index.ts`)) edges.push({ ...edge, to: `${target}/index.ts` });
      else unresolved.push(edge);
    }
  }
  return { edges, unresolved };
}

/** Rule violations, one readable line each. */
export function layerViolations(files: Map<string, string>): string[] {
  const problems: string[] = [];
  const { edges, unresolved } = importEdges(files);
  for (const e of unresolved) problems.push(`${e.from}: import '${e.spec}' does not resolve to a file in src/`);
  for (const f of files.keys()) {
    const unit = unitOf(f);
    if (unit !== PUBLIC_API && rankOf(unit) === undefined) problems.push(`${f}: '${unit}' has no place in the layer list (architecture.test.ts)`);
  }
  for (const e of edges) {
    const from = unitOf(e.from);
    const to = unitOf(e.to);
    if (from === PUBLIC_API) continue;
    if (to === PUBLIC_API) {
      problems.push(`${e.from}: imports the public API (${e.spec}); import the module itself`);
      continue;
    }
    if (from === to) continue;
    if (LEAVES.has(from)) {
      problems.push(`${e.from}: is a leaf and must not import ${e.to}`);
      continue;
    }
    const rf = rankOf(from);
    const rt = rankOf(to);
    if (rf === undefined || rt === undefined) continue;
    if (rt > rf) problems.push(`${e.from}: imports ${e.to} (${from} -> ${to} points upward)`);
  }
  for (const cycle of unitCycles(edges)) problems.push(`import cycle between folders: ${cycle.join(' -> ')} -> ${cycle[0]}`);
  return problems;
}

/** Strongly connected groups of more than one unit in the unit-level import graph (Tarjan). */
export function unitCycles(edges: readonly Edge[]): string[][] {
  const graph = new Map<string, Set<string>>();
  for (const e of edges) {
    const a = unitOf(e.from);
    const b = unitOf(e.to);
    if (a === b || a === PUBLIC_API) continue;
    if (!graph.has(a)) graph.set(a, new Set());
    if (!graph.has(b)) graph.set(b, new Set());
    graph.get(a)!.add(b);
  }
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const out: string[][] = [];
  const visit = (v: string) => {
    index.set(v, counter);
    low.set(v, counter);
    counter++;
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v)!) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, index.get(w)!));
      }
    }
    if (low.get(v) === index.get(v)) {
      const group: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        group.push(w);
      } while (w !== v);
      if (group.length > 1) out.push(group.sort());
    }
  };
  for (const v of [...graph.keys()].sort()) if (!index.has(v)) visit(v);
  return out;
}

function readSources(dir: string, rel = ''): Map<string, string> {
  const out = new Map<string, string>();
  for (const d of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
    const r = rel ? `${rel}/${d.name}` : d.name;
    if (d.isDirectory()) for (const [k, v] of readSources(dir, r)) out.set(k, v);
    else if (d.name.endsWith('.ts') && !d.name.endsWith('.d.ts')) out.set(r, fs.readFileSync(path.join(dir, r), 'utf8'));
  }
  return out;
}

describe('architecture of src/', () => {
  const sources = readSources(SRC);

  it('finds the sources', () => {
    expect(sources.size).toBeGreaterThan(20);
    expect(sources.has('objects/tree.ts')).toBe(true);
  });

  it('imports only point down the layers, and no folders import each other in a cycle', () => {
    expect(layerViolations(sources)).toEqual([]);
  });
});

describe('the checker itself', () => {
  const files = (entries: Record<string, string>) => new Map(Object.entries(entries));

  it('accepts downward, same-folder and public-API imports, and ignores packages', () => {
    expect(
      layerViolations(
        files({
          'errors.ts': "import fs from 'node:fs';",
          'util/a.ts': "import { X } from '../errors.js';",
          'fs/a.ts': "import { a } from '../util/a.js';\nimport { b } from './b.js';",
          'fs/b.ts': "import YAML from 'yaml';",
          'cli/main.ts': "export { a } from '../fs/a.js';\nconst m = await import('../util/a.js');",
          'index.ts': "export * from './cli/main.js';",
        }),
      ),
    ).toEqual([]);
  });

  it('reports an upward import, static, type-only, re-exported or dynamic', () => {
    const problems = layerViolations(
      files({
        'fs/a.ts': "import { run } from '../ops/run.js';",
        'hash/a.ts': "import type { Repo } from '../repo/repo.js';",
        'objects/a.ts': "export { x } from '../cli/x.js';",
        'git/a.ts': "const m = await import('../ops/run.js');",
        'ops/run.ts': '',
        'repo/repo.ts': '',
        'cli/x.ts': '',
      }),
    );
    expect(problems).toEqual([
      'fs/a.ts: imports ops/run.ts (fs -> ops points upward)',
      'hash/a.ts: imports repo/repo.ts (hash -> repo points upward)',
      'objects/a.ts: imports cli/x.ts (objects -> cli points upward)',
      'git/a.ts: imports ops/run.ts (git -> ops points upward)',
    ]);
  });

  it('reports leaves that import, imports of index.ts, unknown folders and broken imports', () => {
    const problems = layerViolations(
      files({
        'errors.ts': "import { a } from './util/a.js';",
        'util/a.ts': "import { E } from '../errors.js';",
        'ops/x.ts': "import { Repo } from '../index.js';",
        'plugins/p.ts': '',
        'fs/y.ts': "import { gone } from './gone.js';",
        'index.ts': '',
      }),
    );
    expect(problems).toContain('fs/y.ts: import \'./gone.js\' does not resolve to a file in src/');
    expect(problems).toContain("plugins/p.ts: 'plugins' has no place in the layer list (architecture.test.ts)");
    expect(problems).toContain('errors.ts: is a leaf and must not import util/a.ts');
    expect(problems).toContain('ops/x.ts: imports the public API (../index.js); import the module itself');
    expect(problems).toContain('import cycle between folders: errors.ts -> util -> errors.ts');
  });

  it('finds cycles through several folders', () => {
    const edges: Edge[] = [
      { from: 'a/x.ts', to: 'b/x.ts', spec: '' },
      { from: 'b/x.ts', to: 'c/x.ts', spec: '' },
      { from: 'c/x.ts', to: 'a/y.ts', spec: '' },
      { from: 'c/x.ts', to: 'd/x.ts', spec: '' },
    ];
    expect(unitCycles(edges)).toEqual([['a', 'b', 'c']]);
  });
});
