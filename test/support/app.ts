import type { LoggerService } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { DestinationStream } from 'pino';
import { createApp } from '../../src/app.factory.js';
import type { Env } from '../../src/config/index.js';
import {
  IndexManager,
  MongoConnectionService,
} from '../../src/database/index.js';
import { freshDatabaseUri } from './mongo.js';

/** Settings every test app starts from; tests override what they exercise. */
export const TEST_ENV: Env = {
  NODE_ENV: 'test',
  PUBLIC_URL: 'http://localhost:8000',
  ROCKETCHAT_URL: 'http://localhost:3000',
  ROCKETCHAT_USER_ID: 'bridgeadminid',
  ROCKETCHAT_AUTH_TOKEN: 'test-admin-personal-access-token-9f8e7d',
  SESSION_SECRET: 'test-session-secret-a1b2c3d4e5f6a7b8c9d0e1f2a3b4',
  TOKEN_ENCRYPTION_KEY: 'dGVzdC10b2tlbi1lbmNyeXB0aW9uLWtleS0wMTIzNDU=',
  MONGO_SERVER_SELECTION_TIMEOUT: '2s',
  LOG_LEVEL: 'error',
};

export interface TestApp {
  readonly app: NestFastifyApplication;
  readonly mongoUri: string;
  readonly dbName: string;
  close(): Promise<void>;
}

/**
 * The real application on a fresh database of the run's MongoDB server, ready for `app.inject()`.
 * With `waitForMongo: false` it returns without waiting for MongoDB (outage tests). With
 * `logDestination` its log lines (at LOG_LEVEL) go there instead of nowhere.
 */
export async function createTestApp(
  options: {
    env?: Env;
    label?: string;
    waitForMongo?: boolean;
    logDestination?: DestinationStream;
  } = {},
): Promise<TestApp> {
  const { uri, dbName } = freshDatabaseUri(options.label);
  const mongoUri = options.env?.MONGODB_URI ?? uri;
  const app = await createApp({
    env: { ...TEST_ENV, MONGODB_URI: mongoUri, ...options.env },
    ...(options.logDestination
      ? { logDestination: options.logDestination }
      : { logger: false as const }),
  });
  await app.getHttpAdapter().getInstance().ready();
  if (options.waitForMongo !== false) {
    await app.get(MongoConnectionService).waitUntilConnected(15_000);
    await app.get(IndexManager).whenReady();
  }
  return { app, mongoUri, dbName, close: () => app.close() };
}

/** For Nest testing modules whose logs would only be noise. */
export const silentLogger: LoggerService = {
  log: () => undefined,
  error: () => undefined,
  warn: () => undefined,
};
