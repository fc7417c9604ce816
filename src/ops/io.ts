import { silentReporter, type Reporter } from '../progress.js';

/** What an op may ask of its caller: progress and messages, and a yes/no question. */
export interface OpIo {
  reporter: Reporter;
  /** Asks the user; resolves false when nobody can answer (no TTY). */
  confirm?: (question: string) => Promise<boolean>;
}

export const silentIo: OpIo = { reporter: silentReporter };
