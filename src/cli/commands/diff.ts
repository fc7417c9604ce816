import type { Command } from 'commander';
import { openRepo, run } from '../context.js';
import { err, out } from '../output.js';

interface DiffFlags {
  targets?: string[];
  json?: boolean;
  md?: boolean;
  showHash?: boolean;
  hideMissing?: boolean;
  stat?: boolean;
  quiet?: boolean;
  verbose?: boolean;
}

export function registerDiff(program: Command): Command {
  return program
    .command('diff')
    .description('Show tracked data added, deleted, modified or renamed between two commits, or between a commit and the workspace.')
    .argument('[a_rev]', 'old git revision: a sha, branch, tag or expression such as HEAD~2 (default: HEAD)')
    .argument('[b_rev]', 'new git revision, or `workspace` (default: the workspace)')
    .option('--targets <paths...>', 'compare only these: outputs, paths inside tracked directories, .dvc files, dvc.yaml files or stages')
    .option('--json', 'print the result as JSON (DVC\'s shape)')
    .option('--md', 'print the result as a Markdown table (GitHub-flavoured)')
    .option('--show-hash', 'show each entry\'s hash (8 digits; old..new for a modification)')
    .option('--hide-missing', 'leave out "not in cache" entries')
    .option('--stat', 'print a size summary per output instead: files and bytes added, deleted, modified (a trove addition)')
    .addHelpText(
      'after',
      `
Compared: every cached output (of pointer files, and of stages in dvc.lock;
not cache: false outputs) and every file inside a tracked directory. A
directory is listed as 'dir/' when its hash changed, followed by the files in
it that changed. A file added with the same content as a deleted one is a
rename. Revisions are read from git without checking them out; a directory's
files come from its manifest in the cache, fetched from the default remote
when the cache lacks it. The workspace is hashed, except files unchanged
since they were last hashed.

"Not in cache" (only with the workspace as the default new side, as in DVC):
a changed entry whose old version the cache lacks, so checkout could not
bring it back.

Put the revisions before --targets, which takes every word after it.

Examples:
  trove diff                          # HEAD against the workspace
  trove diff v1 main --targets data   # two revisions, one output
  trove diff HEAD~1 HEAD --stat       # files and bytes changed per output`,
    )
    .action(async (aRev: string | undefined, bRev: string | undefined, o: DiffFlags) =>
      run(o, async (io, track) => {
        const repo = await openRepo(track);
        const { diff } = await import('../../ops/diff.js');
        const r = await diff(repo, { aRev, bRev, targets: o.targets, sizes: o.stat }, io);
        if (r.noCommits && !o.quiet) err('Nothing to compare: the repository has no commits yet.');
        const render = await import('../render/data-diff.js');
        if (o.stat) {
          const { diffStat } = await import('../../ops/diff-stat.js');
          const st = diffStat(r);
          if (o.json) out(render.statJson(st));
          else process.stdout.write(render.statText(st, { markdown: o.md }));
          return;
        }
        const opts = { showHash: o.showHash, hideMissing: o.hideMissing };
        if (o.json) out(render.diffJson(r, opts));
        else if (o.md) process.stdout.write(render.diffMarkdown(r, opts));
        else process.stdout.write(render.diffText(r, { ...opts, color: process.stdout.isTTY === true && !process.env.NO_COLOR }));
      }),
    );
}
