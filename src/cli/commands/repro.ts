import type { Command } from 'commander';
import { TroveError } from '../../errors.js';
import type { ReproEvent } from '../../ops/repro.js';
import { openRepo, run } from '../context.js';
import { EXIT } from '../errors.js';
import { err, out, style } from '../output.js';
import { printGitHint } from './git-hint.js';
import { jobsOption } from './transfer-flags.js';

interface ReproFlags {
  force?: boolean;
  singleItem?: boolean;
  downstream?: boolean;
  recursive?: boolean;
  dry?: boolean;
  keepGoing?: boolean;
  interactive?: boolean;
  noCommit?: boolean;
  commit?: boolean;
  runCache?: boolean;
  jobs?: number;
  glob?: boolean;
  pipeline?: boolean;
  allPipelines?: boolean;
  allowMissing?: boolean;
  pull?: boolean;
  quiet?: boolean;
  verbose?: boolean;
}

/** One line per decision, as DVC words it, plus the reason a stage ran. */
function printer(quiet: boolean): (e: ReproEvent) => void {
  // As DVC: a blank line after each stage or data source that was reproduced, before the next one.
  let current: string | undefined;
  let reproduced = false;
  return (e) => {
    if (e.kind === 'failed') return; // reported once, at the end
    if (quiet && e.kind !== 'output') return;
    const node = e.kind === 'skip' || e.kind === 'verify' || e.kind === 'pull' ? e.node : e.stage;
    if (node !== current) {
      if (reproduced) out();
      current = node;
      reproduced = false;
    }
    if (e.kind === 'run' || e.kind === 'restored' || e.kind === 'verify') reproduced = true;
    switch (e.kind) {
      case 'skip':
        if (e.pointer) out(e.reason ? `'${e.node}' ${e.reason}` : `'${e.node}' didn't change, skipping`);
        else out(e.reason === 'frozen' ? `Stage '${e.node}' is frozen, skipping` : e.reason ? `Stage '${e.node}' skipped: ${e.reason}` : `Stage '${e.node}' didn't change, skipping`);
        break;
      case 'run':
        out(`Running stage '${e.stage}': ${e.reasons.join('; ')}`);
        break;
      case 'verify':
        out(`Verifying data sources in stage: '${e.node}'`);
        break;
      case 'pull':
        out(e.ok ? `Pulling data for stage: '${e.node}'` : `Unable to pull data for stage: '${e.node}'`);
        break;
      case 'restored':
        out(`Stage '${e.stage}' is cached - skipping run, checking out outputs`);
        break;
      case 'command':
        out(e.line);
        break;
      case 'output':
        process.stdout.write(e.text.endsWith('\n') || e.text === '' ? e.text : `${e.text}\n`);
        break;
      case 'lock':
        if (e.created) out(`Generating lock file '${e.file}'`);
        out(`Updating lock file '${e.file}'`);
        break;
    }
  };
}

export function registerRepro(program: Command): Command {
  return program
    .command('repro')
    .description('Run the pipeline stages whose dependencies, params or command changed, in order, and record them in dvc.lock.')
    .argument('[targets...]', 'stages (`train`, `dvc.yaml:train`), pointer files, or with -R directories (default: the dvc.yaml here)')
    .option('-f, --force', 'run the stages even if nothing changed')
    .option('-s, --single-item', 'run only the targets, not what they depend on')
    .option('--downstream', 'run the targets and every stage that depends on them')
    .option('-p, --pipeline', "run the whole pipelines the targets belong to")
    .option('-P, --all-pipelines', 'run every pipeline of the repository (every dvc.yaml)')
    .option('-R, --recursive', 'a directory target means every stage declared under it')
    .option('--glob', 'targets may be shell-style patterns of stage names: `train-*`, `dvc.yaml:eval@?`')
    .option('--pull', 'a stage whose only change is missing data (outputs, data sources) is pulled from the default remote instead of run')
    .option('--allow-missing', 'missing data alone does not make a stage stale: skip stages that only lack data')
    .option('--dry', 'say what would run, run nothing')
    .option('-k, --keep-going', 'after a failure, go on with the stages that do not depend on it')
    .option('-i, --interactive', 'ask before running each stage')
    .option('--no-commit', 'record outputs in dvc.lock without saving them to the cache')
    .option('--no-run-cache', 'run the commands even when a matching earlier run is in .dvc/cache/runs')
    .addOption(jobsOption('stages to run at once (default 1)'))
    .addHelpText(
      'after',
      `
A stage runs when its command changed, a dependency's content changed, a tracked param's value
changed, an output is missing or modified, or it is always_changed; frozen stages never run.
Every decision is printed with its reason, e.g.
  Running stage 'train': param train.lr changed (0.01 -> 0.02)

A stale stage whose command, dependencies and params match an earlier run recorded in the
run-cache (.dvc/cache/runs: shared with DVC, and through remotes with push/pull --run-cache) has
that run's outputs restored from the cache instead of running; so does a stage whose only change
is a deleted or edited output, from its own dvc.lock entry (even with --no-run-cache):
  Stage 'train' is cached - skipping run, checking out outputs

Beyond DVC: -j N runs up to N independent stages at once; each stage's output is printed whole
when it finishes (its lines are kept together), and dvc.lock ends up as after a serial run.

Examples:
  trove repro                 # the stages of ./dvc.yaml (and what they need) that are out of date
  trove repro -P              # every pipeline of the repository
  trove repro --glob 'eval@*' # every eval@... stage
  trove repro --pull          # fresh clone: pull outputs that are only missing, run what changed
  trove repro train           # train and what it needs
  trove repro -j 4 --dry      # what would run, four at a time`,
    )
    .action(async (targets: string[], o: ReproFlags) =>
      run(o, async (io, track) => {
        const repo = await openRepo(track);
        const { repro } = await import('../../ops/repro.js');
        // -i with nobody to ask must not run every stage unasked.
        if (o.interactive && !io.confirm) {
          throw new TroveError('CONFIRMATION_REQUIRED', 'repro -i asks before each stage, and there is no terminal to ask', { hint: 'run it in a terminal, or without -i' });
        }
        const ask = o.interactive && io.confirm ? (stage: string) => io.confirm!(`Going to reproduce stage '${stage}'. Are you sure you want to continue?`) : undefined;
        const r = await repro(
          repo,
          {
            targets,
            force: o.force,
            singleItem: o.singleItem,
            downstream: o.downstream,
            recursive: o.recursive,
            glob: o.glob,
            pipeline: o.pipeline,
            allPipelines: o.allPipelines,
            allowMissing: o.allowMissing,
            pull: o.pull,
            dry: o.dry,
            keepGoing: o.keepGoing,
            noCommit: o.commit === false,
            runCache: o.runCache !== false,
            jobs: o.jobs,
            ask,
            onEvent: printer(Boolean(o.quiet)),
          },
          io,
        );
        for (const f of r.failed) err(style.error(`ERROR: ${f.error.message}`));
        if (r.failed[0]?.error.hint) err(`  ${r.failed[0].error.hint}`);
        if (r.blocked.length > 0) err(style.warn(`WARNING: not run, because a stage they need failed: ${r.blocked.join(', ')}`));
        if (r.stopped.length > 0) err(style.warn(`WARNING: not run, because the run stopped at the failure (-k goes on with them): ${r.stopped.join(', ')}`));
        if (r.failed.length > 0) return EXIT.failed;
        if (r.ran.length === 0 && !o.quiet) out('Data and pipelines are up to date.');
        if (!o.dry) printGitHint(r.gitFiles.map((f) => repo.display(f)), r.staged, Boolean(o.quiet));
        if (r.ran.length > 0 && !o.dry && !o.quiet && repo.config.get('core', 'remote')) err('Use `trove push` to send your updates to remote storage.');
        return EXIT.ok;
      }),
    );
}
