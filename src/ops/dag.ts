import fs from 'node:fs';
import { dagOf, filterDag, type DagGraph } from '../pipeline/dag-render.js';
import { buildGraph, type GraphNode, type PipelineGraph } from '../pipeline/graph.js';
import { loadAllStages } from '../pipeline/load-stages.js';
import { collectPointerFiles } from '../repo/pointer-files.js';
import type { Repo } from '../repo/repo.js';
import { isSameOrParent, relativeInside } from '../util/posix-path.js';
import type { OpIo } from './io.js';
import { nodeLabel } from './node-label.js';

export interface DagOptions {
  /** A stage, dvc.yaml, .dvc file or output: draw it and its upstream (or with `full`, its whole pipeline). */
  target?: string;
  /** Draw outputs instead of stages. */
  outs?: boolean;
  /** With a target: the whole pipeline it belongs to, not only its upstream. */
  full?: boolean;
}

/** The graph to draw: labels as DVC shows them (relative to the working directory), edges upstream -> downstream. */
export type DagResult = DagGraph;

/** Loads every dvc.yaml and pointer file in the workspace and checks them as one graph. */
export function loadPipelineGraph(repo: Repo): PipelineGraph {
  const stages = loadAllStages(repo.root);
  const pointers = collectPointerFiles(repo);
  return buildGraph(stages, pointers, (p) => fs.existsSync(repo.abs(p)));
}

/** The working directory, repo-relative ('' at the root or outside it). */
function cwdInRepo(repo: Repo): string {
  return relativeInside(repo.root, repo.cwd) ?? '';
}

export async function dag(repo: Repo, opts: DagOptions, _io: OpIo): Promise<DagResult> {
  const graph = loadPipelineGraph(repo);
  const label = (n: GraphNode): string => nodeLabel(repo, n);
  const outLabel = (p: string): string => repo.display(p);
  const full = dagOf(graph, { outs: opts.outs, node: label, output: outLabel });
  if (!opts.target) return full;

  const cwd = cwdInRepo(repo);
  let targets: string[];
  if (!opts.outs) {
    targets = graph.resolveTarget(opts.target, { cwd }).map(label);
  } else {
    // A path: the outputs at or under it (or the one holding it); a stage: all its outputs.
    const outputs = graph.allOutputs();
    let p: string | undefined;
    try {
      p = repo.toRepoPath(opts.target);
    } catch {
      p = undefined;
    }
    let picked = p === undefined ? [] : outputs.filter((o) => isSameOrParent(p!, o.repoPath));
    if (picked.length === 0 && p !== undefined) {
      const holder = graph.producerOf(p);
      if (holder) picked = [holder];
    }
    if (picked.length === 0) {
      const nodes = new Set(graph.resolveTarget(opts.target, { cwd }));
      picked = outputs.filter((o) => nodes.has(o.node));
    }
    targets = picked.map((o) => outLabel(o.repoPath));
  }
  return filterDag(full, targets, Boolean(opts.full));
}
