import { Option, type Command } from 'commander';
import type { ConfigLevel } from '../../repo/config/config.js';
import { run } from '../context.js';
import { EXIT } from '../errors.js';
import { err, out, outJson } from '../output.js';

interface LevelFlags {
  global?: boolean;
  system?: boolean;
  project?: boolean;
  local?: boolean;
}

export function levelOf(o: LevelFlags): ConfigLevel | undefined {
  if (o.global) return 'global';
  if (o.system) return 'system';
  if (o.local) return 'local';
  if (o.project) return 'repo';
  return undefined;
}

export function addLevelOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option('--global', 'use the global config (~/.config/dvc/config)').conflicts(['system', 'project', 'local']))
    .addOption(new Option('--system', 'use the system config (/etc/xdg/dvc/config)').conflicts(['project', 'local']))
    .addOption(new Option('--project', 'use the project config (.dvc/config, committed to git)').conflicts(['local']))
    .addOption(new Option('--local', 'use the local config (.dvc/config.local, not committed: put secrets here)'));
}

export function registerConfig(program: Command): Command {
  const cmd = program
    .command('config')
    .description('Get or set configuration options, in DVC\'s config files.')
    .argument('[name]', 'option name: section.key, e.g. cache.type, core.autostage, remote.<name>.url')
    .argument('[value]', 'new value; omit it to print the current one')
    .option('-u, --unset', 'remove the option')
    .option('-l, --list', 'list every option that is set')
    .option('--json', 'with --list or a read: print JSON');
  addLevelOptions(cmd);
  return cmd
    .addHelpText(
      'after',
      `
Options this version uses:
  cache.type       link types to try in order, from reflink, hardlink, symlink and copy
                   (default reflink,copy)
  cache.dir        where the cache lives (relative paths are relative to the config file)
  core.autostage   true: stage the pointer files, dvc.yaml, dvc.lock and .gitignore files that
                   commands change with git, instead of printing a hint
  core.no_scm      true: do not use git
  core.remote      the default remote (\`trove remote default\`); remote.<name>.*: see \`trove remote\`

Levels, lowest precedence first: --system, --global, --project (default for writes), --local.

Examples:
  trove config cache.type hardlink,copy
  trove config --local core.autostage true
  trove config -l`,
    )
    .action(async (name: string | undefined, value: string | undefined, o: LevelFlags & { unset?: boolean; list?: boolean; json?: boolean; quiet?: boolean; verbose?: boolean }) =>
      run(o, async () => {
        const { config } = await import('../../ops/config.js');
        const result = config({ cwd: process.cwd(), name, value, unset: o.unset, list: o.list, level: levelOf(o) });
        if (result.entries) {
          if (o.json) outJson(Object.fromEntries(result.entries.map((e) => [e.name, e.value])));
          else for (const e of result.entries) out(`${e.name}=${e.value}`);
          return EXIT.ok;
        }
        if (result.changed) {
          if (name === 'cache.type' && value !== undefined && !o.unset && !o.quiet) {
            err(
              "WARNING: You have changed the 'cache.type' option. This doesn't update any existing workspace file links, but it can be done with:\n             trove checkout --relink",
            );
          }
          return EXIT.ok;
        }
        if (result.value === undefined) {
          if (o.json) out('null');
          else err(`option '${name}' is not set${o.global || o.system || o.local || o.project ? ' at that level' : ''}`);
          return EXIT.failed;
        }
        if (o.json) outJson(result.value);
        else out(result.value);
        return EXIT.ok;
      }),
    );
}
