/** Stage outputs declared `cache: false` in dvc.yaml: dvc.lock records their hashes, but no cache holds them. */
import { loadAllStages } from '../pipeline/load-stages.js';
import type { Repo } from '../repo/repo.js';

export function uncachedStageOutputs(repo: Repo): Set<string> {
  return new Set(loadAllStages(repo.root).flatMap((s) => s.outs.filter((o) => !o.cache).map((o) => o.repoPath)));
}
