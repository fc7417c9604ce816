import type { Command } from 'commander';
import type { LsEntry } from '../../ops/ls.js';
import { pyJsonString } from '../../util/py-json.js';
import { run } from '../context.js';
import { pyRound } from '../render/compare.js';
import { out } from '../output.js';

/** `dvc ls --json`: one line, DVC's key order (isout, isdir, isexec, size, path), entries sorted by path. */
export function lsJson(entries: readonly LsEntry[]): string {
  const one = (e: LsEntry) => `{"isout": ${e.isout}, "isdir": ${e.isdir}, "isexec": ${e.isexec}, "size": ${e.size === null ? 'null' : String(e.size)}, "path": ${pyJsonString(e.path)}}`;
  return `[${entries.map(one).join(', ')}]`;
}

/** DVC's size column: bytes below 1024, else tqdm's format_sizeof with a 1024 divisor (`5.76k`, `1.00M`). */
export function naturalSize(n: number): string {
  if (n < 1024) return pyRound(n, 0).toFixed(0);
  let num = n;
  for (const unit of ['', 'k', 'M', 'G', 'T', 'P', 'E', 'Z']) {
    if (Math.abs(num) < 999.5) {
      if (Math.abs(num) < 99.95) {
        if (Math.abs(num) < 9.995) return `${pyRound(num, 2).toFixed(2)}${unit}`;
        return `${pyRound(num, 1).toFixed(1)}${unit}`;
      }
      return `${pyRound(num, 0).toFixed(0)}${unit}`;
    }
    num /= 1024;
  }
  return `${pyRound(num, 1).toFixed(1)}Y`;
}

/** `--size`: a size column (empty where the size is unknown), two spaces, the path; no header. */
export function sizeTable(entries: readonly LsEntry[]): string[] {
  const sizes = entries.map((e) => (e.size === null ? '' : naturalSize(e.size)));
  const w = Math.max(0, ...sizes.map((s) => s.length));
  return entries.map((e, i) => `${sizes[i]!.padEnd(w)}  ${e.path}`.trimEnd());
}

export function registerLs(program: Command): Command {
  return program
    .command('ls')
    .alias('list')
    .description('List a repository\'s files at a revision: what git tracks and what trove/DVC tracks, directory contents included.')
    .argument('<url>', 'the repository: a local path or a git url (https://, ssh, file://)')
    .argument('[path]', 'a directory or file inside it to list (default: its root)')
    .option('--rev <commit>', 'the git revision to list: a branch, tag or commit (default: HEAD, or the default branch of a url)')
    .option('-R, --recursive', 'list every file below the path (directories themselves are not listed)')
    .option('--dvc-only', 'list only tracked data (outputs, files inside them, directories holding them)')
    .option('--size', 'show a size column (bytes below 1024, then k, M, G as DVC prints them)')
    .option('--json', 'print a JSON list of {isout, isdir, isexec, size, path} (DVC\'s shape)')
    .addHelpText(
      'after',
      `
trove reads the repository through git (a local repository's working tree is never touched; a url
is cloned into a temporary directory, removed afterwards). Tracked directories are opened through
their .dir manifest, read from the repository's cache or default remote only when needed.

In --json: isout is true for outputs and what lies inside them; size is null where the records
do not say (files inside a tracked directory, plain directories).

Examples:
  trove ls ../registry                       # top level of a local repository, at HEAD
  trove ls ../registry data -R --dvc-only    # every tracked file under data/
  trove ls https://host/org/registry.git --rev v1.0 --json`,
    )
    .action(async (url: string, p: string | undefined, o: { rev?: string; recursive?: boolean; dvcOnly?: boolean; size?: boolean; json?: boolean; quiet?: boolean; verbose?: boolean }) =>
      run(o, async (io) => {
        const { ls } = await import('../../ops/ls.js');
        const entries = await ls({ url, path: p, rev: o.rev, recursive: o.recursive, dvcOnly: o.dvcOnly }, io);
        if (o.json) out(lsJson(entries));
        else if (o.size) for (const l of sizeTable(entries)) out(l);
        else for (const e of entries) out(e.path);
      }),
    );
}
