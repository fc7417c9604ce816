import fs from 'node:fs';
import { err } from '../output.js';

/**
 * DVC's reminder to stage the files a command changed (paths relative to the current directory).
 * Files the command deleted get a `git rm --cached` line instead: `git add` fails on a path that
 * no longer exists and was never committed.
 */
export function printGitHint(files: string[], staged: boolean, quiet: boolean): void {
  if (quiet || files.length === 0 || staged) return;
  const present = files.filter((f) => fs.existsSync(f));
  const gone = files.filter((f) => !fs.existsSync(f));
  err();
  err('To track the changes with git, run:');
  err();
  if (present.length > 0) err(`\tgit add ${present.map(shellQuote).join(' ')}`);
  if (gone.length > 0) err(`\tgit rm --cached -q --ignore-unmatch ${gone.map(shellQuote).join(' ')}`);
  err();
  err('To enable auto staging, run:');
  err();
  err('\ttrove config core.autostage true');
}

function shellQuote(s: string): string {
  return /^[\w./@%+=:,-]+$/.test(s) ? s : `'${s.replace(/'/g, "'\\''")}'`;
}
