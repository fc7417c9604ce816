import { Command, CommanderError, Option } from 'commander';
import { commands } from './commands/index.js';
import { VERSION } from './context.js';
import { EXIT } from './errors.js';
import { err, style } from './output.js';

export function buildProgram(): Command {
  const program = new Command('trove')
    .description('Version data and models next to your code, in DVC 3\'s formats, fast.')
    .version(VERSION, '-V, --version', 'print the version and exit')
    .addHelpText('after', '\nRun `trove <command> --help` for the options of a command. Docs: docs/commands.md')
    .showSuggestionAfterError(true)
    .configureHelp({ sortSubcommands: false })
    .exitOverride();
  for (const register of commands) {
    const cmd = register(program);
    cmd.addOption(new Option('-q, --quiet', 'print nothing but results and errors'));
    cmd.addOption(new Option('-v, --verbose', 'print debug information and stack traces'));
    cmd.exitOverride();
  }
  return program;
}

export async function main(argv: string[]): Promise<void> {
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(EXIT.brokenPipe);
  });
  process.once('SIGINT', () => {
    err('\nInterrupted.');
    process.exit(EXIT.interrupted);
  });
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') {
        process.exitCode = 0;
        return;
      }
      if (e.code === 'commander.executeSubCommandAsync') return;
      process.exitCode = EXIT.usage;
      return;
    }
    err(style.error(`ERROR: ${(e as Error).message}`));
    process.exitCode = EXIT.failed;
  }
}
