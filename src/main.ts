import { Logger } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createApp } from './app.factory.js';
import {
  ConfigValidationError,
  loadConfig,
  processEnv,
  readLoggingSettings,
  type AllConfig,
} from './config/index.js';
import { Logging, flushLogs } from './observability/index.js';

const logger = new Logger('Bootstrap');
/** How long an exit waits for stdout to take the queued log lines. */
const LOG_FLUSH_MS = 2000;

async function main(): Promise<void> {
  const env = processEnv();
  // Until the app exists, lines (configuration problems, start-up failures) go through a logger
  // built from the logging settings alone, in the format the operator asked for.
  Logger.overrideLogger(new Logging(readLoggingSettings(env)).nestLogger);
  process.on('uncaughtException', (error) => die('Uncaught exception', error));
  process.on('unhandledRejection', (error) =>
    die('Unhandled rejection', error),
  );

  let config: AllConfig;
  try {
    config = loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigValidationError) {
      for (const problem of error.problems) {
        logger.fatal(
          `Invalid configuration: ${problem.variable}: ${problem.rule}`,
        );
      }
      logger.fatal(
        `Not starting: ${error.problems.length} configuration problem(s)`,
      );
      return exit(1);
    }
    throw error;
  }

  const app = await createApp({ config });
  stopOnSignals(app, config.app.shutdownTimeoutMs);
  await app.listen({ port: config.app.port, host: config.app.host });
  logger.log(
    `Listening on ${config.app.host}:${config.app.port}; public URL ${config.app.publicUrl}, ` +
      `Rocket.Chat ${config.rocketchat.url}`,
  );
}

/** SIGTERM/SIGINT: stop accepting, let in-flight requests finish, close MongoDB, exit 0. */
function stopOnSignals(app: NestFastifyApplication, timeoutMs: number): void {
  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) {
      logger.warn(`${signal} received again: exiting now`);
      return exit(1);
    }
    stopping = true;
    logger.log(
      `${signal} received: draining requests (at most ${Math.round(timeoutMs / 1000)} s)`,
    );
    setTimeout(() => {
      logger.error('Shutdown took too long: exiting with requests still open');
      exit(1);
    }, timeoutMs).unref();
    app.close().then(
      () => {
        logger.log('Shut down cleanly');
        exit(0);
      },
      (error: unknown) => {
        logger.error(
          `Shutdown failed: ${error instanceof Error ? error.message : String(error)}`,
        );
        exit(1);
      },
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

/** Logged through the sanitizing logger: Node's own report would print, say, an axios error whole. */
function die(what: string, error: unknown): void {
  logger.fatal(`${what}: the process stops`, error);
  exit(1);
}

/** process.exit() once stdout took the queued log lines, or after LOG_FLUSH_MS if it does not. */
function exit(code: number): void {
  process.exitCode = code;
  void flushLogs(LOG_FLUSH_MS).finally(() => process.exit(code));
}

main().catch((error: unknown) => {
  logger.fatal('Start-up failed', error);
  exit(1);
});
