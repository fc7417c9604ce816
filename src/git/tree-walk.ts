/**
 * The files of many commits at once, by walking git's tree objects instead of listing each
 * commit: a tree that several commits share (most directories, in most histories) is read and
 * parsed once. One `cat-file --batch` reads the root trees of all commits, then one more per level
 * of directories below them, so the number of git processes is the depth of the tree, not the
 * number of commits. What `gc -A` uses to read a long history.
 */
import { BadRevisionError, catFileBatch, type TreeEntry } from './revisions.js';

export interface TreeWalkFilter {
  /** Whether to look inside the directory at this path (posix, from the top of the tree). */
  descend: (dir: string) => boolean;
  /** Whether a file with this name (the last path component) is wanted, wherever it sits. */
  wantName: (name: string) => boolean;
}

/** What a tree object holds that a walk needs: its subtrees, and its wanted files. */
interface ParsedTree {
  trees: { name: string; oid: string }[];
  files: { name: string; mode: string; oid: string }[];
}

const TREE_MODE = '40000';
const SUBMODULE_MODE = '160000';

/** Parses a tree object: entries `<mode> SP <name> NUL <binary oid>`. */
function parseTreeObject(data: Buffer, oidBytes: number, wantName: (name: string) => boolean): ParsedTree {
  const parsed: ParsedTree = { trees: [], files: [] };
  let pos = 0;
  while (pos < data.length) {
    const sp = data.indexOf(32, pos);
    const nul = data.indexOf(0, sp + 1);
    if (sp === -1 || nul === -1 || nul + 1 + oidBytes > data.length) break;
    const mode = data.toString('latin1', pos, sp);
    const name = data.toString('utf8', sp + 1, nul);
    const oid = data.toString('hex', nul + 1, nul + 1 + oidBytes);
    pos = nul + 1 + oidBytes;
    if (mode === TREE_MODE) parsed.trees.push({ name, oid });
    else if (mode !== SUBMODULE_MODE && wantName(name)) parsed.files.push({ name, mode: mode.padStart(6, '0'), oid });
  }
  return parsed;
}

/**
 * For each commit (full shas), the wanted files of its tree, as `listTreeAt` with the same filter
 * would list them (blobs only, submodules left out; order within a commit is not git's). An
 * unknown commit throws BadRevisionError.
 */
export function listTreesAt(root: string, commits: readonly string[], filter: TreeWalkFilter): TreeEntry[][] {
  if (commits.length === 0) return [];
  const unique = [...new Set(commits)];
  const parsed = new Map<string, ParsedTree>();
  const rootOf = new Map<string, string>();
  let oidBytes = 20;
  const roots = catFileBatch(root, unique.map((c) => `${c}^{tree}`));
  const bad = unique.filter((_, i) => roots[i]?.type !== 'tree');
  if (bad.length > 0) throw new BadRevisionError(bad);
  // Directories to read at the next level: oid -> the paths it sits at.
  let frontier = new Map<string, Set<string>>();
  const visited = new Set<string>();
  // Queues the unread subtrees of a parsed tree (at `dir`), going down through those already read.
  const visit = (oid: string, dir: string) => {
    const key = `${oid}\0${dir}`;
    if (visited.has(key)) return;
    visited.add(key);
    for (const t of parsed.get(oid)!.trees) {
      const sub = dir ? `${dir}/${t.name}` : t.name;
      if (!filter.descend(sub)) continue;
      if (parsed.has(t.oid)) visit(t.oid, sub);
      else {
        let at = frontier.get(t.oid);
        if (!at) frontier.set(t.oid, (at = new Set()));
        at.add(sub);
      }
    }
  };
  unique.forEach((c, i) => {
    const obj = roots[i]!;
    oidBytes = obj.oid.length / 2;
    rootOf.set(c, obj.oid);
    if (!parsed.has(obj.oid)) parsed.set(obj.oid, parseTreeObject(obj.data, oidBytes, filter.wantName));
    visit(obj.oid, '');
  });
  while (frontier.size > 0) {
    const level = frontier;
    frontier = new Map();
    const oids = [...level.keys()].filter((o) => !parsed.has(o));
    const objects = catFileBatch(root, oids);
    oids.forEach((oid, i) => {
      const obj = objects[i];
      // A tree the repository lacks (a shallow or partial clone) lists nothing, as ls-tree would fail on it.
      parsed.set(oid, obj?.type === 'tree' ? parseTreeObject(obj.data, oidBytes, filter.wantName) : { trees: [], files: [] });
    });
    for (const [oid, dirs] of level) for (const dir of dirs) visit(oid, dir);
  }

  // Expand each commit from its root, each (tree, path) pair once.
  const memo = new Map<string, TreeEntry[]>();
  const expand = (oid: string, dir: string): TreeEntry[] => {
    const key = `${oid}\0${dir}`;
    const hit = memo.get(key);
    if (hit) return hit;
    const tree = parsed.get(oid)!;
    const out: TreeEntry[] = [];
    for (const f of tree.files) out.push({ path: dir ? `${dir}/${f.name}` : f.name, mode: f.mode, oid: f.oid });
    for (const t of tree.trees) {
      const sub = dir ? `${dir}/${t.name}` : t.name;
      if (filter.descend(sub) && parsed.has(t.oid)) for (const e of expand(t.oid, sub)) out.push(e);
    }
    memo.set(key, out);
    return out;
  };
  return commits.map((c) => expand(rootOf.get(c)!, ''));
}
