import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { DestinationStream } from 'pino';
import type { Env } from '../../src/config/index.js';
import { startTestEmulator } from '../rc-emulator/test-helpers.js';
import type {
  CreatedUser,
  RocketChatEmulator,
  RocketChatEmulatorOptions,
} from '../rc-emulator/index.js';
import { BrowserLikeClient } from '../support/browser-like-client.js';
import { createTestApp } from '../support/app.js';
import { freshDatabaseUri } from '../support/mongo.js';

/** The 8.x createToken secret both sides share in these tests. */
export const CREATE_TOKEN_SECRET = 'test-create-token-secret-4f1d9c';

export interface Harness {
  readonly rc: RocketChatEmulator;
  /** The bridge's Rocket.Chat account (role admin, a bypassTwoFactor PAT). */
  readonly admin: CreatedUser;
  readonly app: NestFastifyApplication;
  /** The bridge's own database. */
  readonly mongoUri: string;
  /** The database standing in for Rocket.Chat's (what MONGO_DB names). */
  readonly rcMongoUri: string;
  close(): Promise<void>;
}

export interface HarnessOptions {
  /** Emulated Rocket.Chat version (default 8.0.0). */
  readonly version?: string;
  /** Extra bridge environment (overrides the defaults below). */
  readonly env?: Env;
  readonly emulator?: Partial<RocketChatEmulatorOptions>;
  /** `password`: the bridge gets the admin's user name and password instead of a PAT. */
  readonly adminMode?: 'pat' | 'password';
  readonly label?: string;
  /** Give the bridge MONGO_DB (Rocket.Chat's database), for the Mongo token strategies. */
  readonly withMongoDb?: boolean;
  /** Where the bridge's log lines go (at its LOG_LEVEL); none are written without it. */
  readonly logDestination?: DestinationStream;
}

/** An emulated Rocket.Chat with createToken enabled, and the bridge configured against it. */
export async function startHarness(
  options: HarnessOptions = {},
): Promise<Harness> {
  const rcMongoUri = freshDatabaseUri('rc').uri;
  const rc = await startTestEmulator({
    mongoUri: rcMongoUri,
    version: options.version ?? '8.0.0',
    env: {
      CREATE_TOKENS_FOR_USERS: 'true',
      CREATE_TOKENS_FOR_USERS_SECRET: CREATE_TOKEN_SECRET,
    },
    ...options.emulator,
  });
  try {
    const admin = await rc.control.createAdmin();
    const adminEnv: Env =
      options.adminMode === 'password'
        ? {
            ROCKETCHAT_USER_ID: undefined,
            ROCKETCHAT_AUTH_TOKEN: undefined,
            ROCKETCHAT_ADMIN_USERNAME: admin.username,
            ROCKETCHAT_ADMIN_PASSWORD: admin.password,
          }
        : {
            ROCKETCHAT_USER_ID: admin.userId,
            ROCKETCHAT_AUTH_TOKEN: admin.pat,
          };
    const { app, mongoUri } = await createTestApp({
      label: options.label ?? 'rcbridge',
      logDestination: options.logDestination,
      env: {
        ROCKETCHAT_URL: rc.url,
        CREATE_TOKENS_FOR_USERS_SECRET: CREATE_TOKEN_SECRET,
        ...(options.withMongoDb ? { MONGO_DB: rcMongoUri } : {}),
        ...adminEnv,
        ...options.env,
      },
    });
    return {
      rc,
      admin,
      app,
      mongoUri,
      rcMongoUri,
      async close() {
        await app.close();
        await rc.close();
      },
    };
  } catch (error) {
    await rc.close();
    throw error;
  }
}

/** Logs a bridge user in through the real login form; the client then holds the session cookie. */
export async function loginAs(
  app: NestFastifyApplication,
  username: string,
  password: string,
  next = '/rocketchat/redirect',
): Promise<BrowserLikeClient> {
  const client = new BrowserLikeClient(app);
  const { csrf } = await client.open(`/login?next=${encodeURIComponent(next)}`);
  const answer = await client.post('/login', { csrf, username, password });
  if (answer.statusCode !== 303) {
    throw new Error(`login of ${username} answered ${answer.statusCode}`);
  }
  return client;
}

/** The API URL as Rocket.Chat's web client calls it (7.8+: no headers, no body). */
export function callApiUrl(
  app: NestFastifyApplication,
  client: BrowserLikeClient | undefined,
  origin: string | undefined,
  options: {
    method?: 'GET' | 'POST' | 'OPTIONS' | 'PUT';
    headers?: Record<string, string>;
  } = {},
) {
  const headers: Record<string, string> = { ...options.headers };
  if (origin !== undefined) {
    headers.origin = origin;
  }
  const cookie = client?.cookieHeader();
  if (cookie) {
    headers.cookie = cookie;
  }
  return app.inject({
    method: options.method ?? 'POST',
    url: '/rocketchat/api',
    headers,
  });
}
