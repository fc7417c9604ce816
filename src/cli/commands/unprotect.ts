import type { Command } from 'commander';
import { plural } from '../../util/format.js';
import { openRepo, run } from '../context.js';
import { err } from '../output.js';

export function registerUnprotect(program: Command): Command {
  return program
    .command('unprotect')
    .description('Make linked outputs editable: replace hardlinks/symlinks into the cache with private copies.')
    .argument('<targets...>', 'outputs (or files inside them) you want to edit: of .dvc files or of stages; a stage means all its outputs')
    .addHelpText(
      'after',
      `
With cache.type hardlink or symlink, workspace files are read-only links into the cache, so that
editing them cannot corrupt it. unprotect replaces them with writable copies; after the edit,
\`trove commit\` (or \`trove add\`) saves the new version and links it back.

Examples:
  trove unprotect data/labels.csv   # one file of a tracked directory
  trove unprotect train             # every output of stage train`,
    )
    .action(async (targets: string[], o: { quiet?: boolean; verbose?: boolean }) =>
      run(o, async (io, track) => {
        const repo = await openRepo(track);
        const { unprotect } = await import('../../ops/unprotect.js');
        const result = await unprotect(repo, { targets }, io);
        if (!o.quiet) err(`${plural(result.unprotected.length, 'file')} unprotected.`);
      }),
    );
}
