import { readFileSync } from 'node:fs';
import type { OpIo } from '../ops/io.js';
import type { Repo } from '../repo/repo.js';
import { EXIT, reportError } from './errors.js';
import { CliReporter, type CliFlags } from './output.js';

function readVersion(): string {
  // dist/<chunk>.js and src/cli/context.ts both find package.json above them.
  for (const rel of ['../package.json', '../../package.json']) {
    try {
      return (JSON.parse(readFileSync(new URL(rel, import.meta.url), 'utf8')) as { version: string }).version;
    } catch {
      /* try the next */
    }
  }
  return '0.0.0-dev';
}

export const VERSION: string = readVersion();

/** Asks on the terminal; undefined when there is none (ops then refuse rather than assume). */
function terminalConfirm(): OpIo['confirm'] {
  if (!process.stdin.isTTY || !process.stderr.isTTY) return undefined;
  return async (question: string) => {
    const readline = await import('node:readline/promises');
    const rl = readline.createInterface({ input: process.stdin, output: process.stderr });
    try {
      const answer = await rl.question(`${question} [y/n] `);
      return /^y(es)?$/i.test(answer.trim());
    } catch {
      // Ctrl+D (end of input) or a closed terminal: no answer is a no.
      return false;
    } finally {
      rl.close();
    }
  };
}

export function makeIo(flags: CliFlags): OpIo {
  return { reporter: new CliReporter(flags), confirm: terminalConfirm() };
}

/**
 * Runs one command: builds the io, maps errors to exit codes in one place, and always persists
 * repo state (hash index) and releases the lock, whatever happened.
 */
export async function run(flags: CliFlags, body: (io: OpIo, track: (r: Repo) => Repo) => Promise<number | void>): Promise<void> {
  const io = makeIo(flags);
  const repos: Repo[] = [];
  let code: number;
  try {
    code = (await body(io, (r) => (repos.push(r), r))) ?? EXIT.ok;
  } catch (e) {
    code = reportError(e, Boolean(flags.verbose), VERSION);
  } finally {
    for (const r of repos) r.close();
  }
  process.exitCode = code;
}

export async function openRepo(track: (r: Repo) => Repo): Promise<Repo> {
  const { Repo } = await import('../repo/repo.js');
  return track(Repo.open());
}
