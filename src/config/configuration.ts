import { readAppConfig, type AppConfig } from './app.config.js';
import { readAuthConfig, type AuthConfig } from './auth.config.js';
import { ConfigValidationError, EnvReader, type Env } from './env.js';

/** Prefix of the throw-away secrets in docker-compose.yml, usable for a trial on localhost only. */
export const QUICK_START_PREFIX = 'quickstart-only-';
import { readMongoConfig, type MongoConfig } from './mongo.config.js';
import {
  readRocketChatConfig,
  type RocketChatConfig,
} from './rocketchat.config.js';
import { readSessionConfig, type SessionConfig } from './session.config.js';

/** Every namespace, one per module; read with `@InjectConfig('name')` or `ConfigService`. */
export interface AllConfig {
  readonly app: AppConfig;
  readonly mongo: MongoConfig;
  readonly session: SessionConfig;
  readonly auth: AuthConfig;
  readonly rocketchat: RocketChatConfig;
}

export type ConfigNamespace = keyof AllConfig;

export const CONFIG_NAMESPACES: readonly ConfigNamespace[] = [
  'app',
  'mongo',
  'session',
  'auth',
  'rocketchat',
];

/**
 * Reads and validates the whole configuration. Throws one ConfigValidationError that lists every
 * problem (variable and rule, never the value) so a start-up reports them all at once.
 */
export function loadConfig(
  env: Env,
  readFile?: (path: string) => string,
): AllConfig {
  const r = new EnvReader(env, readFile);
  const app = readAppConfig(r);
  const config: AllConfig = {
    app,
    mongo: readMongoConfig(r),
    session: readSessionConfig(r, app),
    auth: readAuthConfig(r),
    rocketchat: readRocketChatConfig(r),
  };
  refuseQuickStartSecrets(r, env, app);
  if (r.problems.length > 0) {
    throw new ConfigValidationError(r.problems);
  }
  return config;
}

function refuseQuickStartSecrets(r: EnvReader, env: Env, app: AppConfig): void {
  if (app.publicUrlIsLoopback) {
    return;
  }
  for (const [name, value] of Object.entries(env)) {
    if (value?.startsWith(QUICK_START_PREFIX)) {
      r.fail(
        name,
        'is a quick-start placeholder from docker-compose.yml: set a real value in .env before using a non-localhost PUBLIC_URL',
      );
    }
  }
}

/** The process environment: the only place outside tests where `process.env` is read. */
export function processEnv(): Env {
  return process.env;
}
