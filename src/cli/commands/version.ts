import type { Command } from 'commander';
import { run, VERSION } from '../context.js';
import { out, outJson } from '../output.js';

export function registerVersion(program: Command): Command {
  return program
    .command('version')
    .description('Print the version of trove and facts about this system (for bug reports).')
    .option('--json', 'print the report as JSON')
    .addHelpText('after', '\nExamples:\n  trove version           # paste it into a bug report\n  trove version --json')
    .action(async (o: { json?: boolean; quiet?: boolean; verbose?: boolean }) =>
      run(o, async () => {
        const { versionReport } = await import('../../ops/version.js');
        const report = versionReport(process.cwd(), VERSION);
        if (o.json) {
          outJson(report);
          return;
        }
        const title = `trove version: ${report.version}`;
        out(title);
        out('-'.repeat(title.length));
        out(`Platform: Node.js ${report.node} on ${report.platform}`);
        out(`Compatible with: DVC ${report.dvcFormat} repositories`);
        out('Config:');
        out(`\tGlobal: ${report.config.global}`);
        out(`\tSystem: ${report.config.system}`);
        if (report.repo) {
          out(`Cache types: ${report.repo.cacheTypes.join(', ') || 'none'}`);
          out(`Cache directory: ${report.repo.cacheDir}`);
          out(`Workspace directory: ${report.repo.root}`);
          out(`Repo: ${report.repo.scm ? 'dvc, git' : 'dvc (no_scm)'}`);
        }
      }),
    );
}
