import type { Command } from 'commander';
import { run } from '../context.js';
import { out } from '../output.js';
import { addLevelOptions, levelOf } from './config.js';

export function registerCache(program: Command): Command {
  const cache = program
    .command('cache')
    .description('Manage the cache directory.')
    .addHelpText('after', '\nExamples:\n  trove cache dir\n  trove cache dir --local ../shared-cache   # share one cache between clones');
  const dir = cache
    .command('dir')
    .description('Print the cache directory, or set a new one.')
    .argument('[value]', 'new cache directory (relative paths are taken from the current directory)')
    .option('-u, --unset', 'go back to the default (.dvc/cache)');
  addLevelOptions(dir)
    .option('-q, --quiet', 'print nothing but results and errors')
    .option('-v, --verbose', 'print debug information and stack traces')
    .addHelpText('after', '\nExamples:\n  trove cache dir\n  trove cache dir --local /mnt/fast/trove-cache')
    .action(async (value: string | undefined, o: { unset?: boolean; global?: boolean; system?: boolean; project?: boolean; local?: boolean; quiet?: boolean; verbose?: boolean }) =>
      run(o, async () => {
        const { cacheDir } = await import('../../ops/cache-dir.js');
        const result = cacheDir({ cwd: process.cwd(), value, unset: o.unset, level: levelOf(o) });
        if (value === undefined && !o.unset) out(result.dir);
      }),
    );
  return cache;
}
