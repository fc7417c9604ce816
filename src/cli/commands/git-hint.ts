import { err } from '../output.js';

/** DVC's reminder to stage the files a command changed. */
export function printGitHint(files: string[], staged: boolean, quiet: boolean): void {
  if (quiet || files.length === 0 || staged) return;
  err();
  err('To track the changes with git, run:');
  err();
  err(`\tgit add ${files.map(shellQuote).join(' ')}`);
  err();
  err('To enable auto staging, run:');
  err();
  err('\ttrove config core.autostage true');
}

function shellQuote(s: string): string {
  return /^[\w./@%+=:,-]+$/.test(s) ? s : `'${s.replace(/'/g, "'\\''")}'`;
}
