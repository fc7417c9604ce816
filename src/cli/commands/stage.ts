import type { Command } from 'commander';
import { openRepo, run } from '../context.js';
import { out, outJson } from '../output.js';
import { printGitHint } from './git-hint.js';

interface Flags {
  quiet?: boolean;
  verbose?: boolean;
}

interface AddFlags extends Flags {
  name: string;
  deps: string[];
  params: string[];
  outs: string[];
  outsNoCache: string[];
  outsPersist: string[];
  outsPersistNoCache: string[];
  metrics: string[];
  metricsNoCache: string[];
  plots: string[];
  plotsNoCache: string[];
  wdir?: string;
  force?: boolean;
  desc?: string;
  alwaysChanged?: boolean;
}

interface ListFlags extends Flags {
  all?: boolean;
  recursive?: boolean;
  /** `--name-only` (commander names it after the last long flag, `--names-only`). */
  namesOnly?: boolean;
  fail?: boolean;
  json?: boolean;
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

/** The subcommand's options with `stage`'s own (-q/-v may come before or after `add`). */
function flagsOf<T>(cmd: Command): T {
  return cmd.optsWithGlobals<T & object>();
}

/** DVC's `ui.table` (tabulate, plain): columns two spaces apart, trailing spaces trimmed. */
export function plainTable(rows: [string, string][]): string[] {
  const width = Math.max(0, ...rows.map(([a]) => [...a].length));
  return rows.map(([a, b]) => `${a}${' '.repeat(width - [...a].length)}  ${b}`.trimEnd());
}

export function registerStage(program: Command): Command {
  // The stage command is everything after its first word, `-V` or `--version` included: the
  // program's own options must therefore come before the command name (as in DVC), or
  // `trove stage add -n x -- tool --version` would print trove's version and add nothing.
  program.enablePositionalOptions();
  const stage = program
    .command('stage')
    .description('Add stages to dvc.yaml, and list them.')
    .addHelpText('after', "\nExamples:\n  trove stage add -n train -d train.py -o model.bin python3 train.py\n  trove stage list --all\n\n`trove repro` runs the stages.")
    // `stage add` hands everything after the command's first word to the command.
    .enablePositionalOptions();

  stage
    .command('add')
    .description('Add a stage to dvc.yaml in the current directory (or overwrite one with -f); it is not run.')
    .requiredOption('-n, --name <name>', 'name of the stage to add')
    .option('-d, --deps <path>', 'a dependency (repeat for more)', collect, [])
    .option('-p, --params <[file:]keys>', 'params to depend on: key1,key2 from params.yaml, or file.yaml:key1,key2 (file.yaml: for the whole file)', collect, [])
    .option('-o, --outs <path>', 'an output, saved to the cache', collect, [])
    .option('-O, --outs-no-cache <path>', 'an output not saved to the cache', collect, [])
    .option('--outs-persist <path>', 'an output not removed before the stage runs', collect, [])
    .option('--outs-persist-no-cache <path>', 'an output neither removed before the stage runs nor cached', collect, [])
    .option('-m, --metrics <path>', 'a metrics file, saved to the cache', collect, [])
    .option('-M, --metrics-no-cache <path>', 'a metrics file not saved to the cache', collect, [])
    .option('--plots <path>', 'a plots file, saved to the cache', collect, [])
    .option('--plots-no-cache <path>', 'a plots file not saved to the cache', collect, [])
    .option('-w, --wdir <path>', 'directory to run the command in (paths are relative to it)')
    .option('-f, --force', 'overwrite a stage of the same name')
    .option('--desc <text>', 'a description of the stage')
    .option('--always-changed', 'always consider the stage changed (it runs on every repro)')
    .option('-q, --quiet', 'print nothing but results and errors')
    .option('-v, --verbose', 'print debug information and stack traces')
    .argument('[command...]', 'the command; everything from its first word on belongs to it, options included')
    .passThroughOptions()
    .addHelpText(
      'after',
      `
The stage goes into ./dvc.yaml (created if needed), written as DVC writes it: deps, params and
outputs sorted, \`cache: false\` for -O/-M/--plots-no-cache, \`persist: true\` for --outs-persist.
The rest of an existing dvc.yaml, comments included, is left as it was. Cached outputs are added
to .gitignore. Nothing runs until \`trove repro\`.

Examples:
  trove stage add -n prepare -d prepare.py -d data.csv -p prepare.split,prepare.seed \\
      -o prepared python3 prepare.py
  trove stage add -n train -d train.py -d prepared -p train -o model.bin -M metrics.json \\
      python3 train.py
  trove stage add -f -n train ...      # redefine it`,
    )
    .action(async (words: string[], _o: unknown, cmd: Command) => {
      const o = flagsOf<AddFlags>(cmd);
      return run(o, async (io, track) => {
        const repo = await openRepo(track);
        const { stageAdd, joinCommand } = await import('../../ops/stage.js');
        const command = words[0] === '--' ? words.slice(1) : words;
        const r = await stageAdd(
          repo,
          {
            name: o.name,
            cmd: joinCommand(command),
            deps: o.deps,
            params: o.params,
            outs: o.outs,
            outsNoCache: o.outsNoCache,
            outsPersist: o.outsPersist,
            outsPersistNoCache: o.outsPersistNoCache,
            metrics: o.metrics,
            metricsNoCache: o.metricsNoCache,
            plots: o.plots,
            plotsNoCache: o.plotsNoCache,
            wdir: o.wdir,
            force: o.force,
            desc: o.desc,
            alwaysChanged: o.alwaysChanged,
          },
          io,
        );
        const file = repo.display(r.dvcfile);
        if (r.created) io.reporter.info(`Creating '${file}'`);
        io.reporter.info(`${r.action === 'added' ? 'Adding' : 'Modifying'} stage '${r.name}' in '${file}'`);
        printGitHint(r.gitFiles.map((f) => repo.display(f)), r.staged, Boolean(o.quiet));
      });
    });

  stage
    .command('list')
    .description("List stages: each with DVC's description (its desc, or what it outputs or depends on).")
    .argument('[targets...]', "dvc.yaml files, stages (name or file:name), .dvc files, or with -R directories (default: ./dvc.yaml)")
    .option('--all', 'list every stage in the repository (and every .dvc file)')
    .option('-R, --recursive', 'a directory target lists every stage under it')
    .option('--name-only, --names-only', 'print the names only')
    .option('--fail', 'with --all: fail on a dvc.yaml that does not load, instead of skipping it')
    .option('--json', 'print JSON: [{name, file, description, deps, outs, frozen}], in pipeline order')
    .option('-q, --quiet', 'print nothing but results and errors')
    .option('-v, --verbose', 'print debug information and stack traces')
    .addHelpText('after', '\nExamples:\n  trove stage list\n  trove stage list --all\n  trove stage list sub/dvc.yaml train --name-only')
    .action(async (targets: string[], _o: unknown, cmd: Command) => {
      const o = flagsOf<ListFlags>(cmd);
      return run(o, async (io, track) => {
        const repo = await openRepo(track);
        const { stageList } = await import('../../ops/stage.js');
        const entries = await stageList(repo, { targets, all: o.all, recursive: o.recursive, fail: o.fail }, io);
        if (o.json) {
          outJson(entries.map((e) => ({ name: e.address, file: e.file, description: e.description, deps: e.deps, outs: e.outs, frozen: e.frozen })));
          return;
        }
        for (const line of plainTable(entries.map((e) => [e.address, o.namesOnly ? '' : e.description]))) out(line);
      });
    });

  return stage;
}

