import { Command, CommanderError } from 'commander';
import { ConfigValidationError, type Env } from '../config/index.js';
import { describeMongoError } from '../database/index.js';
import {
  CliError,
  EXIT_FAILURE,
  EXIT_OK,
  EXIT_USAGE,
  printable,
  type CliIO,
  CliRuntime,
  type CommandGroup,
} from '../cli-kit/index.js';

/** Commander's own outcomes that are not usage errors. */
const COMMANDER_SUCCESS = new Set([
  'commander.helpDisplayed',
  'commander.version',
]);

/**
 * Runs one invocation and returns its exit code: 0 done, 1 failed, 2 wrong usage (130 when a
 * prompt was cancelled). Every failure is one readable line on stderr, never a stack trace.
 */
export async function runCli(
  argv: readonly string[],
  io: CliIO,
  env: Env,
  groups: readonly CommandGroup[],
  version: string,
): Promise<number> {
  const program = new Command('rc-bridge')
    .description(
      'Administration of rocketchat-identity-bridge. Reads the same environment as the service ' +
        '(MONGODB_URI, MONGO_COLLECTION_PREFIX, ARGON2_*, …).',
    )
    .version(version)
    .option('-v, --verbose', 'also print the service log lines')
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
    })
    .exitOverride()
    .showHelpAfterError('(add --help for usage)');
  const runtime = new CliRuntime(
    io,
    env,
    () => program.opts<{ verbose?: boolean }>().verbose === true,
  );
  for (const group of groups) {
    // Groups of the same name share one command (`users` has parts that need more modules).
    const command =
      program.commands.find((c) => c.name() === group.name) ??
      program.command(group.name).description(group.description);
    group.register(command, runtime.contextFor(group));
  }

  try {
    await program.parseAsync([...argv], { from: 'user' });
    return EXIT_OK;
  } catch (error) {
    return report(error, io);
  }
}

function report(error: unknown, io: CliIO): number {
  if (error instanceof CommanderError) {
    // Commander has printed its message (or the help) already.
    return COMMANDER_SUCCESS.has(error.code) ? EXIT_OK : EXIT_USAGE;
  }
  if (error instanceof CliError) {
    fail(io, error.message);
    return error.exitCode;
  }
  if (error instanceof ConfigValidationError) {
    fail(io, error.message);
    return EXIT_FAILURE;
  }
  if (isMongoError(error)) {
    fail(io, `MongoDB failed: ${describeMongoError(error)}`);
    return EXIT_FAILURE;
  }
  // Domain errors carry messages written for people; anything else is named, not dumped.
  fail(
    io,
    error instanceof Error ? error.message || error.name : 'unexpected failure',
  );
  return EXIT_FAILURE;
}

function fail(io: CliIO, message: string): void {
  const lines = message.split('\n').map((line) => printable(line));
  io.stderr.write(`rc-bridge: ${lines.join('\n')}\n`);
}

function isMongoError(error: unknown): boolean {
  return (
    error instanceof Error &&
    /^Mongo|^Mongoose|^MongooseServerSelectionError$/.test(error.name)
  );
}
