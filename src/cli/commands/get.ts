import type { Command } from 'commander';
import { run } from '../context.js';
import { jobsOption } from './transfer-flags.js';

export function registerGet(program: Command): Command {
  return program
    .command('get')
    .description('Download a file or directory from another trove/DVC repository (tracked data or git-tracked files), untracked.')
    .argument('<url>', 'the repository: a local path or a git url (https://, ssh, file://)')
    .argument('<path>', 'a file or directory inside it')
    .option('-o, --out <path>', 'where to write it (default: its name, here; inside <path> if that is a directory)')
    .option('--rev <commit>', 'the git revision to take it from (default: HEAD, or the default branch of a url)')
    .option('-f, --force', 'overwrite an existing file or directory at the destination')
    .addOption(jobsOption())
    .addHelpText(
      'after',
      `
The data comes from the source repository's storage: for a local path its own cache first, then
its default remote (as its .dvc/config says at that revision); for a url, its default remote.
Every object is checked against its md5 before it is written. Nothing is tracked here: no pointer
file, nothing in the cache (use \`trove import\` to track the data and keep its origin).

Examples:
  trove get ../registry data/images                  # -> ./images/
  trove get ../registry data/images/cat.jpg -o pics/ # one file inside a tracked directory
  trove get https://host/org/registry.git model.pt --rev v2.0 -o models/model.pt`,
    )
    .action(async (url: string, p: string, o: { out?: string; rev?: string; force?: boolean; jobs?: number; quiet?: boolean; verbose?: boolean }) =>
      run(o, async (io) => {
        const { get } = await import('../../ops/get.js');
        await get({ url, path: p, out: o.out, rev: o.rev, force: o.force, jobs: o.jobs }, io);
      }),
    );
}
