/** A failure the CLI reports as one readable line (never a stack trace) and exits with. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/** Wrong arguments or options: exit code 2, like the argument parser's own errors. */
export class UsageError extends CliError {
  constructor(message: string) {
    super(message, 2);
    this.name = 'UsageError';
  }
}

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;
/** The user pressed Ctrl-C at a prompt (128 + SIGINT, as shells report it). */
export const EXIT_INTERRUPTED = 130;
