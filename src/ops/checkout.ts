import { TroveError } from '../errors.js';
import type { LinkType } from '../fs/links.js';
import { checkoutOutput, type CheckoutStatus } from '../objects/checkout.js';
import { stageAddress } from '../pipeline/stage.js';
import type { Repo } from '../repo/repo.js';
import { reportLinkType, type OpIo } from './io.js';
import { currentState, hashOf } from './output-state.js';
import { selectOutputs, type SelectedOut, type TargetOptions } from './targets.js';

export interface CheckoutOptions extends TargetOptions {
  /** Pointer files, outputs, paths inside them, stages, dvc.yaml files (see targets.ts). */
  targets?: string[];
  force?: boolean;
  relink?: boolean;
}

export interface CheckoutEntry {
  /** Output path as shown to the user; directories end with '/'. */
  path: string;
  /** 'failed': something other than a missing object stopped it (see `error`). */
  status: CheckoutStatus | 'failed';
  error?: string;
  refused: string[];
  missing: string[];
  linked: number;
  removed: number;
}

export interface CheckoutResult {
  outputs: CheckoutEntry[];
  linkType: LinkType | undefined;
  /** Outputs that could not be restored (refused, missing or failed), for the exit code. */
  failed: CheckoutEntry[];
}

export async function checkout(repo: Repo, opts: CheckoutOptions, io: OpIo): Promise<CheckoutResult> {
  repo.lock('checkout');
  const targeted = (opts.targets?.length ?? 0) > 0;
  // No targets: every output of the .dvc files and every stage output dvc.lock records.
  const selected = selectOutputs(repo, opts.targets, { withDeps: opts.withDeps, recursive: opts.recursive }, io);
  let linkType: LinkType | undefined;
  let skippedTypes: LinkType[] = [];
  const linker = repo.linker((type, skipped) => {
    linkType = type;
    skippedTypes = skipped;
  });
  // Settle the link type before touching the workspace: an unsupported cache.type (reflink on
  // ext4) is one clear error, not a failure per output.
  if (selected.some(({ out }) => out.hash && out.cache)) linker.probe(repo.cache.filesRoot, repo.root);
  const outputs: CheckoutEntry[] = [];
  for (const sel of selected) {
    const { out, inner } = sel;
    if (!out.hash) {
      // As DVC: a stage output that dvc.lock does not record is skipped, with a word when it was asked for.
      if (targeted && sel.kind === 'stage') io.reporter.warn(`'${repo.display(out.repoPath)}' has no record in dvc.lock yet: run \`trove repro ${stageAddress(sel.stage)}\` (or \`trove commit ${stageAddress(sel.stage)}\`) to record it`);
      continue;
    }
    if (!out.cache) {
      // No cache holds it: named by a target, it is only an error when the workspace lacks the recorded version.
      if (targeted) {
        const failure = await uncachedFailure(repo, sel, io);
        if (failure) outputs.push(failure);
      }
      continue;
    }
    const isDir = out.hash.md5.endsWith('.dir');
    const shown = inner ? repo.display(`${out.repoPath}/${inner}`) : repo.display(out.repoPath) + (isDir ? '/' : '');
    try {
      const r = await checkoutOutput(
        {
          abs: repo.abs(out.repoPath),
          display: repo.display(out.repoPath),
          md5: out.hash.md5,
          hashName: out.hashName,
          ...(out.hash.isexec ? { isexec: true } : {}),
          ...(inner && isDir ? { only: inner } : {}),
        },
        {
          cache: repo.cache,
          index: repo.index,
          linker,
          force: opts.force,
          relink: opts.relink,
          filter: repo.dvcignore.prepare(repo.abs(out.repoPath)),
          reporter: io.reporter,
        },
      );
      outputs.push({ path: shown, ...r });
    } catch (e) {
      if (!(e instanceof TroveError)) throw e;
      if (e.code === 'OBJECT_MISSING') {
        outputs.push({ path: shown, status: 'missing', refused: [], missing: [out.hash.md5], linked: 0, removed: 0 });
      } else {
        outputs.push({ path: shown, status: 'failed', error: e.message, refused: [], missing: [], linked: 0, removed: 0 });
      }
    }
  }
  // Said once, and only when something was linked: a no-op checkout stays silent, as DVC's.
  if (linkType && outputs.some((o) => o.linked > 0)) reportLinkType(io, linkType, skippedTypes);
  outputs.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { outputs, linkType, failed: outputs.filter((o) => o.status === 'refused' || o.status === 'missing' || o.status === 'failed') };
}

/**
 * A targeted output declared `cache: false` whose workspace copy is missing or differs from the
 * record: checkout does not restore it (as DVC; a copy kept for the run-cache serves repro only),
 * which it says instead of skipping it in silence.
 */
async function uncachedFailure(repo: Repo, sel: SelectedOut, io: OpIo): Promise<CheckoutEntry | undefined> {
  const { out } = sel;
  const current = await currentState(repo, out, io);
  if (current && hashOf(current) === out.hash?.md5) return undefined;
  const file = repo.display(sel.kind === 'stage' ? sel.stage.dvcfile : sel.pointer.relPath);
  const fix = sel.kind === 'stage' ? `restore it from git if it is committed there, or run \`trove repro ${stageAddress(sel.stage)}\`` : 'restore it from git if it is committed there';
  return {
    path: repo.display(out.repoPath),
    status: 'failed',
    error: `it is declared \`cache: false\` in ${file}, so checkout does not restore it; ${fix}`,
    refused: [],
    missing: [],
    linked: 0,
    removed: 0,
  };
}
