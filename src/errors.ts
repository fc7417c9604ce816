/**
 * The one error base class. `code` is stable (tests and scripts may match on it), `message` says
 * what failed, `hint` says what to do next. `userError` marks mistakes the user can fix: the CLI
 * prints those without a stack trace.
 */
export class TroveError extends Error {
  readonly code: string;
  readonly hint: string | undefined;
  readonly userError: boolean;
  /** Exit code the CLI should use (1 = failed, 2 = usage). */
  readonly exitCode: number;

  constructor(
    code: string,
    message: string,
    opts: { hint?: string; cause?: unknown; userError?: boolean; exitCode?: number } = {},
  ) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'TroveError';
    this.code = code;
    this.hint = opts.hint;
    this.userError = opts.userError ?? true;
    this.exitCode = opts.exitCode ?? 1;
  }
}

/** A file the user wrote (YAML, config, pointer file) is malformed. */
export class FileFormatError extends TroveError {
  readonly file: string;
  readonly line: number | undefined;
  constructor(file: string, line: number | undefined, message: string, hint?: string) {
    super('FILE_FORMAT', `${file}${line ? `:${line}` : ''}: ${message}`, { hint });
    this.file = file;
    this.line = line;
  }
}

/** Several independent problems, reported together (validation, batch work). */
export class MultiError extends TroveError {
  readonly errors: TroveError[];
  constructor(code: string, summary: string, errors: TroveError[], hint?: string) {
    super(code, [summary, ...errors.map((e) => `  ${e.message}`)].join('\n'), { hint });
    this.errors = errors;
  }
}

export class NotARepoError extends TroveError {
  constructor(cwd: string) {
    super('NOT_A_REPO', `you are not inside of a DVC repository (checked up to mount point from '${cwd}')`, {
      hint: 'run `trove init` in the root of a git repository first',
    });
  }
}

export class PathOutsideRepoError extends TroveError {
  constructor(path: string, where?: string) {
    super('PATH_OUTSIDE_REPO', `${where ? `${where}: ` : ''}path '${path}' is outside of the repository`, {
      hint: 'tracked paths must stay inside the repository: no `..`, absolute paths or symlinks that lead out',
    });
  }
}

export function isNodeError(e: unknown): e is NodeJS.ErrnoException {
  return e instanceof Error && typeof (e as NodeJS.ErrnoException).code === 'string';
}

export function errnoOf(e: unknown): string | undefined {
  return isNodeError(e) ? e.code : undefined;
}

/** Throws nothing for no errors, the error itself for one, a MultiError listing them for several. */
export function throwCollected(errors: readonly TroveError[], code: string, summary: (n: number) => string, hint?: string): void {
  if (errors.length === 1) throw errors[0];
  if (errors.length > 1) throw new MultiError(code, summary(errors.length), [...errors], hint);
}
