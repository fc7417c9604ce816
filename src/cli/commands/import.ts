import type { Command } from 'commander';
import { openRepo, run } from '../context.js';
import { printGitHint } from './git-hint.js';
import { jobsOption } from './transfer-flags.js';

export function registerImport(program: Command): Command {
  return program
    .command('import')
    .description('Download data from another trove/DVC repository and track it here, with a pointer file that remembers its origin.')
    .argument('<url>', 'the repository: a local path or a git url (https://, ssh, file://)')
    .argument('<path>', 'a file or directory inside it')
    .option('-o, --out <path>', 'where to put it (default: its name, here; inside <path> if that is a directory)')
    .option('--rev <commit>', 'the revision to import from; a branch or tag is also followed by `trove update`')
    .option('-f, --force', 'replace an existing file, directory or pointer file at the destination')
    .addOption(jobsOption())
    .addHelpText(
      'after',
      `
What it does:
  1. reads <path> in the source at --rev (default HEAD, or the default branch of a url), and
     downloads its data from the source's storage (a local source's cache, then its default
     remote), md5-verified, into this repository's cache
  2. links it into the workspace as \`trove add\` does, and adds it to .gitignore
  3. writes <out>.dvc in DVC 3's import format: the source (url, rev, rev_lock: the exact commit)
     under deps, frozen: true, and the stage md5

\`trove update <out>.dvc\` moves it to the source's latest commit later. \`trove push\` does not
upload imported data (as DVC); \`trove pull\` in a fresh clone downloads it from the source.

Examples:
  trove import ../registry data/images -o data/images
  trove import https://host/org/registry.git model.pt --rev v2.0`,
    )
    .action(async (url: string, p: string, o: { out?: string; rev?: string; force?: boolean; jobs?: number; quiet?: boolean; verbose?: boolean }) =>
      run(o, async (io, track) => {
        const repo = await openRepo(track);
        const { importData } = await import('../../ops/import.js');
        const r = await importData(repo, { url, path: p, out: o.out, rev: o.rev, force: o.force, jobs: o.jobs }, io);
        printGitHint(r.gitFiles.map((f) => repo.display(f)), r.staged, Boolean(o.quiet));
      }),
    );
}
