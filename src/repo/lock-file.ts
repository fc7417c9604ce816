import fs from 'node:fs';
import { FileFormatError } from '../errors.js';
import type { HashKind } from '../hash/md5.js';
import { isValidOid } from '../util/cache-layout.js';
import { posixDirname, posixJoin } from '../util/posix-path.js';
import { yaml } from './pointer-file.js';
import type { Repo } from './repo.js';

/** An output recorded in a `dvc.lock` (a pipeline stage's result). */
export interface LockedOutput {
  repoPath: string;
  md5: string;
  hashName: HashKind;
  lockFile: string;
  stage: string;
  /** The recorded size in bytes, and file count for a directory, when the lock has them. */
  size?: number;
  nfiles?: number;
}

/**
 * Reads the outputs a `dvc.lock` records (schema 2.0). Pipelines themselves come later; this is
 * what gc needs so that it never deletes the cached results of DVC stages.
 */
export function readLockedOutputs(repo: Repo, relPath: string): LockedOutput[] {
  return parseLockedOutputs(fs.readFileSync(repo.abs(relPath), 'utf8'), relPath);
}

/**
 * The outputs recorded in the text of the `dvc.lock` at `relPath` (repo-relative), wherever the
 * text came from (the workspace, a git revision). `displayName` names the file in errors.
 */
export function parseLockedOutputs(text: string, relPath: string, displayName = relPath): LockedOutput[] {
  const lc = new (yaml().LineCounter)();
  const doc = yaml().parseDocument(text, { prettyErrors: false, lineCounter: lc });
  if (doc.errors.length > 0) {
    const err = doc.errors[0]!;
    throw new FileFormatError(displayName, lc.linePos(err.pos[0]).line, `malformed YAML: ${err.message.split('\n')[0]}`);
  }
  const data = doc.toJS() as { stages?: Record<string, { outs?: unknown }> } | null;
  const out: LockedOutput[] = [];
  const dir = posixDirname(relPath);
  for (const [stage, body] of Object.entries(data?.stages ?? {})) {
    if (!body || !Array.isArray(body.outs)) continue;
    for (const o of body.outs as { path?: unknown; md5?: unknown; hash?: unknown; size?: unknown; nfiles?: unknown }[]) {
      if (typeof o?.path !== 'string' || typeof o.md5 !== 'string' || !isValidOid(o.md5)) continue;
      out.push({
        repoPath: posixJoin(dir, o.path),
        md5: o.md5,
        hashName: o.hash === 'md5' ? 'md5' : 'md5-dos2unix',
        lockFile: relPath,
        stage,
        ...(typeof o.size === 'number' ? { size: o.size } : {}),
        ...(typeof o.nfiles === 'number' ? { nfiles: o.nfiles } : {}),
      });
    }
  }
  return out;
}
