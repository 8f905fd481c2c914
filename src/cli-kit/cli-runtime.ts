import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { getConnectionToken } from '@nestjs/mongoose';
import type { Connection } from 'mongoose';
import type { Env, MongoConfig } from '../config/index.js';
import { describeMongoError, IndexManager } from '../database/index.js';
import { loadConfigSubset } from '../config/index.js';
import { CliError } from './cli-errors.js';
import type { CliIO } from './cli-io.js';
import { CliLogger } from './cli-logger.js';
import { CliModule } from './cli.module.js';
import type { CommandGroup, GroupContext } from './command-group.js';

/** Index creation is quick; this only bounds a server that accepts connections but stalls. */
const INDEX_WAIT_MS = 15_000;

/** Builds each command's application context: config subset, the group's modules, no HTTP. */
export class CliRuntime {
  constructor(
    private readonly io: CliIO,
    private readonly env: Env,
    private readonly verbose: () => boolean,
  ) {}

  contextFor(group: CommandGroup): GroupContext {
    return { io: this.io, run: (fn) => this.run(group, fn) };
  }

  private async run<T>(
    group: CommandGroup,
    fn: (app: INestApplicationContext) => Promise<T>,
  ): Promise<T> {
    const config = loadConfigSubset(this.env, group.configNamespaces);
    const imports =
      typeof group.imports === 'function'
        ? group.imports(config)
        : group.imports;
    const app = await NestFactory.createApplicationContext(
      CliModule.forRoot(config, imports),
      { logger: new CliLogger(this.io, this.verbose()), abortOnError: false },
    );
    try {
      if (group.needsDatabase && config.mongo) {
        await waitForDatabase(app, config.mongo);
      }
      return await fn(app);
    } finally {
      await app.close();
    }
  }
}

/**
 * The first connection attempt's outcome, bounded by the server-selection timeout: an unreachable
 * MongoDB is one readable line within a few seconds, not the service's endless retry. Then the
 * declared indexes (the unique username index must exist before anything is written).
 */
async function waitForDatabase(
  app: INestApplicationContext,
  mongo: MongoConfig,
): Promise<void> {
  const connection = app.get<Connection>(getConnectionToken());
  try {
    await withTimeout(
      connection.asPromise(),
      mongo.serverSelectionTimeoutMs + 1000,
      'timed out',
    );
  } catch (error) {
    throw new CliError(
      `MongoDB is not reachable (${describeMongoError(error)}); check MONGODB_URI`,
    );
  }
  try {
    await withTimeout(
      app.get(IndexManager).whenReady(),
      INDEX_WAIT_MS,
      'index creation timed out',
    );
  } catch (error) {
    throw new CliError(`MongoDB is not usable (${describeMongoError(error)})`);
  }
}

async function withTimeout<T>(
  promise: Promise<T>,
  ms: number,
  message: string,
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(message)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
