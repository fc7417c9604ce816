import { Option, type Command } from 'commander';
import { openRepo, run } from '../context.js';
import { out, outJson } from '../output.js';

interface DagFlags {
  dot?: boolean;
  mermaid?: boolean;
  /** `--md` (commander names it after the last long flag, `--show-md`). */
  showMd?: boolean;
  full?: boolean;
  outs?: boolean;
  json?: boolean;
  quiet?: boolean;
  verbose?: boolean;
}

export function registerDag(program: Command): Command {
  return program
    .command('dag')
    .description('Show the pipeline graph: stages and pointer files (or with -o, outputs), upstream first.')
    .argument('[target]', 'a stage, dvc.yaml, .dvc file or output: show it and what it depends on (default: everything)')
    .option('--dot', 'print the graph in Graphviz dot format')
    .option('--mermaid', 'print the graph in mermaid format')
    .option('--md, --show-md', 'print the graph in mermaid format, in a Markdown code block')
    .option('--full', 'with a target: show the whole pipeline it belongs to, not only its upstream')
    .option('-o, --outs', 'draw outputs instead of stages')
    .addOption(new Option('--json', 'print the nodes and edges as JSON (sorted)').conflicts(['dot', 'mermaid', 'showMd']))
    .addHelpText(
      'after',
      `
The ascii drawing lays pipelines out as DVC does (layers top to bottom, sources first), one
pipeline after another, smaller ones first. Edges run from a stage to the stages that depend on
its outputs; pointer files (.dvc) appear as sources. As in DVC, --dot wins over --mermaid and --md.

Examples:
  trove dag                  # every pipeline, in ascii
  trove dag train            # train and what it depends on
  trove dag --full train     # the whole pipeline train belongs to
  trove dag -o --md          # outputs instead of stages, as mermaid in Markdown`,
    )
    .action(async (target: string | undefined, o: DagFlags) =>
      run(o, async (io, track) => {
        const repo = await openRepo(track);
        const { dag } = await import('../../ops/dag.js');
        const g = await dag(repo, { target, outs: o.outs, full: o.full }, io);
        const render = await import('../../pipeline/dag-render.js');
        if (o.json) {
          const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
          outJson({
            nodes: [...g.nodes].sort(cmp),
            edges: g.edges.map(([from, to]) => ({ from, to })).sort((a, b) => cmp(a.from, b.from) || cmp(a.to, b.to)),
          });
        } else if (o.dot) process.stdout.write(`${render.renderDot(g)}\n`);
        else if (o.mermaid || o.showMd) out(render.renderMermaid(g, Boolean(o.showMd)));
        else out(render.renderAscii(g));
      }),
    );
}
