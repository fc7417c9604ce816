/**
 * The metrics and params files that the `dvc.yaml` files of one version declare: stage
 * `metrics:` outputs and top-level `metrics:` lists, stage `params:` dependencies and top-level
 * `params:` lists. Read through a TreeView, so a git revision's own dvc.yaml, params and vars
 * files are used, never the workspace's.
 */
import path from 'node:path';
import { posixDirname } from '../util/posix-path.js';
import { entryOf, parseDvcYamlText, type RawNode } from './dvc-yaml.js';
import { loadStagesFromText } from './load-stages.js';
import type { TreeView } from './tree-view.js';

export interface DeclaredFiles {
  /** Metrics files (stage metrics, then top-level lists), repo-relative, each once. */
  metrics: string[];
  /**
   * The params stages depend on, per file: the keys they track, or null when a stage tracks the
   * whole file (then the file is read whole, as DVC merges them).
   */
  paramDeps: Map<string, string[] | null>;
  /** Top-level `params:` files, repo-relative, each once. */
  topParams: string[];
}

/** Reads every dvc.yaml of `view`; an invalid one throws (the whole version cannot be read). */
export function declaredFiles(root: string, view: TreeView): DeclaredFiles {
  const metrics: string[] = [];
  const paramDeps = new Map<string, string[] | null>();
  const topParams: string[] = [];
  const files = view.dvcfiles();
  const texts = view.readMany(files);
  for (const file of files) {
    const text = texts.get(file);
    if (text === undefined) continue;
    const stages = loadStagesFromText(root, file, text, { readFile: (p) => view.read(p) });
    for (const stage of stages) {
      for (const out of stage.outs) if (out.kind === 'metrics') metrics.push(out.repoPath);
      for (const p of stage.params) {
        const known = paramDeps.get(p.repoPath);
        if (p.all || known === null) paramDeps.set(p.repoPath, null);
        else paramDeps.set(p.repoPath, [...new Set([...(known ?? []), ...p.keys])]);
      }
    }
    const top = parseDvcYamlText(text, file).root;
    if (top?.kind !== 'map') continue;
    const dir = posixDirname(file);
    const listed = (key: string) => pathsOf(entryOf(top, key)?.value).map((p) => path.posix.normalize(dir ? `${dir}/${p}` : p));
    metrics.push(...listed('metrics'));
    topParams.push(...listed('params'));
  }
  return { metrics: [...new Set(metrics)], paramDeps, topParams: [...new Set(topParams)] };
}

/** The strings of a top-level list (the schema check already reported anything else). */
function pathsOf(n: RawNode | undefined): string[] {
  if (n?.kind !== 'seq') return [];
  return n.items.flatMap((it) => (it.kind === 'scalar' && typeof it.value === 'string' ? [it.value] : []));
}
