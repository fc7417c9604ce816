import type { GraphNode } from '../pipeline/graph.js';
import { stageAddress } from '../pipeline/stage.js';
import type { Repo } from '../repo/repo.js';

/** A stage or pointer file as DVC names it: relative to the working directory, `name` alone for ./dvc.yaml. */
export function nodeLabel(repo: Repo, n: GraphNode): string {
  if (n.kind === 'pointer') return repo.display(n.file);
  const file = repo.display(n.file);
  return file === 'dvc.yaml' ? n.stage.name : stageAddress({ name: n.stage.name, dvcfile: file });
}
