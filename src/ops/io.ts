import type { LinkType } from '../fs/links.js';
import { silentReporter, type Reporter } from '../progress.js';

/** What an op may ask of its caller: progress and messages, and a yes/no question. */
export interface OpIo {
  reporter: Reporter;
  /** Asks the user; resolves false when nobody can answer (no TTY). */
  confirm?: (question: string) => Promise<boolean>;
}

/** Says which link type was settled on: info when the preferred types were not supported, else debug. */
export function reportLinkType(io: OpIo, type: LinkType, skipped: readonly LinkType[]): void {
  if (skipped.length > 0) io.reporter.info(`Using '${type}' links (${skipped.join(', ')} not supported here)`);
  else io.reporter.debug(`Using '${type}' links`);
}

export const silentIo: OpIo = { reporter: silentReporter };
