import fs from 'node:fs';
import { TroveError } from '../errors.js';
import { writeFileAtomic } from '../fs/atomic-write.js';
import { PointerFile } from './pointer-file.js';
import type { Repo } from './repo.js';

export const POINTER_SUFFIX = '.dvc';

export function isPointerFileName(name: string): boolean {
  return name.endsWith(POINTER_SUFFIX) && name.length > POINTER_SUFFIX.length;
}

export function loadPointerFile(repo: Repo, relPath: string): PointerFile {
  let text: string;
  try {
    text = fs.readFileSync(repo.abs(relPath), 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      throw new TroveError('NO_SUCH_FILE', `'${repo.display(relPath)}' does not exist`, { hint: 'check the path, or run `trove add` to track the data first' });
    }
    throw e;
  }
  const pf = PointerFile.parse(text, relPath);
  for (const out of pf.outs) repo.assertNoSymlinkEscape(out.repoPath, relPath);
  return pf;
}

export function writePointerFile(repo: Repo, pf: PointerFile): void {
  writeFileAtomic(repo.abs(pf.relPath), pf.serialize());
}

export const LOCK_FILE = 'dvc.lock';

/**
 * Every `.dvc` file in the workspace, sorted (and, into `lockFiles`, every `dvc.lock`). Directories that are outputs of a pointer file
 * found beside them are not descended into, so a 100k-file dataset costs nothing here.
 */
export function collectPointerFiles(repo: Repo, lockFiles?: string[]): PointerFile[] {
  const found: PointerFile[] = [];
  const stack: string[] = [''];
  const filter = repo.dvcignore;
  while (stack.length > 0) {
    const rel = stack.pop()!;
    const abs = repo.abs(rel);
    let dirents: fs.Dirent[];
    try {
      dirents = fs.readdirSync(abs, { withFileTypes: true });
    } catch {
      continue;
    }
    filter.enterDir(abs, dirents.map((d) => d.name));
    const outputs = new Set<string>();
    for (const d of dirents) {
      if (lockFiles && d.name === LOCK_FILE && !d.isDirectory()) lockFiles.push(rel ? `${rel}/${d.name}` : d.name);
      if (!isPointerFileName(d.name) || d.isDirectory()) continue;
      const childRel = rel ? `${rel}/${d.name}` : d.name;
      if (filter.ignored(`${abs}/${d.name}`, false)) continue;
      const pf = loadPointerFile(repo, childRel);
      found.push(pf);
      for (const o of pf.outs) outputs.add(o.repoPath);
    }
    for (const d of dirents) {
      if (!d.isDirectory() || d.name === '.git' || d.name === '.dvc' || d.name === '.hg') continue;
      const childRel = rel ? `${rel}/${d.name}` : d.name;
      if (outputs.has(childRel)) continue;
      if (filter.ignored(`${abs}/${d.name}`, true)) continue;
      stack.push(childRel);
    }
  }
  return found.sort((a, b) => (a.relPath < b.relPath ? -1 : a.relPath > b.relPath ? 1 : 0));
}
