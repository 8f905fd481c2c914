import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyInstance } from 'fastify';
import { createServer } from 'node:net';
import { createApp } from '../../src/app.factory.js';
import type { Env } from '../../src/config/index.js';
import {
  IndexManager,
  MongoConnectionService,
} from '../../src/database/index.js';
import { TEST_ENV } from '../support/app.js';
import { freshDatabaseUri } from '../support/mongo.js';
import { CapturedLines } from './captured-lines.js';

export interface ObservedApp {
  readonly app: NestFastifyApplication;
  readonly logs: CapturedLines;
  close(): Promise<void>;
}

/**
 * The real app (createApp) with its log lines captured. `routes` may add Fastify routes before the
 * server is ready, to play a service that logs while a request is handled.
 */
export async function createObservedApp(
  options: {
    env?: Env;
    routes?: (fastify: FastifyInstance) => void;
    waitForMongo?: boolean;
  } = {},
): Promise<ObservedApp> {
  const logs = new CapturedLines();
  const { uri } = freshDatabaseUri('observability');
  const app = await createApp({
    env: { ...TEST_ENV, MONGODB_URI: uri, LOG_LEVEL: 'info', ...options.env },
    logDestination: logs,
  });
  const fastify = app.getHttpAdapter().getInstance();
  options.routes?.(fastify);
  await fastify.ready();
  if (options.waitForMongo !== false) {
    await app.get(MongoConnectionService).waitUntilConnected(15_000);
    await app.get(IndexManager).whenReady();
  }
  return { app, logs, close: () => app.close() };
}

/** The value of one sample of an exposition text (`name{labels}`), or undefined. */
export function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
