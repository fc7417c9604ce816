import type { Command } from 'commander';
import { plural } from '../../util/format.js';
import { openRepo, run } from '../context.js';
import { err } from '../output.js';

export function registerUnprotect(program: Command): Command {
  return program
    .command('unprotect')
    .description('Make linked outputs editable: replace hardlinks/symlinks into the cache with private copies.')
    .argument('<targets...>', 'outputs (or files inside them) you want to edit: of .dvc files or of stages; a stage means all its outputs')
    .addHelpText('after', '\nWith cache.type hardlink or symlink, workspace files are read-only so that editing them cannot\ncorrupt the cache. Unprotect, edit, then `trove add`/`trove commit` again.')
    .action(async (targets: string[], o: { quiet?: boolean; verbose?: boolean }) =>
      run(o, async (io, track) => {
        const repo = await openRepo(track);
        const { unprotect } = await import('../../ops/unprotect.js');
        const result = await unprotect(repo, { targets }, io);
        if (!o.quiet) err(`${plural(result.unprotected.length, 'file')} unprotected.`);
      }),
    );
}
