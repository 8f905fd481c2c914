import { readAppConfig, type AppConfig } from './app.config.js';
import { readAuthConfig, type AuthConfig } from './auth.config.js';
import { ConfigValidationError, EnvReader, type Env } from './env.js';
import {
  readGroupMappingConfig,
  type GroupMappingConfig,
} from './group-mapping.config.js';
import { readLdapConfig, type LdapConfig } from './ldap.config.js';
import { readMongoConfig, type MongoConfig } from './mongo.config.js';
import { readOidcConfig, type OidcConfig } from './oidc.config.js';
import {
  readRocketChatConfig,
  type RocketChatConfig,
} from './rocketchat.config.js';
import { readSessionConfig, type SessionConfig } from './session.config.js';

/** Prefix of the throw-away secrets in docker-compose.yml, usable for a trial on localhost only. */
export const QUICK_START_PREFIX = 'quickstart-only-';

/** Every namespace, one per module; read with `@InjectConfig('name')` or `ConfigService`. */
export interface AllConfig {
  readonly app: AppConfig;
  readonly mongo: MongoConfig;
  readonly session: SessionConfig;
  readonly auth: AuthConfig;
  readonly rocketchat: RocketChatConfig;
  readonly oidc: OidcConfig;
  readonly groupMapping: GroupMappingConfig;
  readonly ldap: LdapConfig;
}

export type ConfigNamespace = keyof AllConfig;

export const CONFIG_NAMESPACES: readonly ConfigNamespace[] = [
  'app',
  'mongo',
  'session',
  'auth',
  'rocketchat',
  'oidc',
  'groupMapping',
  'ldap',
];

/**
 * Reads and validates the whole configuration. Throws one ConfigValidationError that lists every
 * problem (variable and rule, never the value) so a start-up reports them all at once.
 */
export function loadConfig(
  env: Env,
  readFile?: (path: string) => string,
): AllConfig {
  return loadConfigSubset(env, CONFIG_NAMESPACES, readFile) as AllConfig;
}

export type ConfigSubset = Partial<AllConfig>;

/**
 * Reads and validates only some namespaces, with the same rules: `rc-bridge users add` must not
 * require a Rocket.Chat token or a session secret, nor stop over a bad PORT.
 */
export function loadConfigSubset(
  env: Env,
  namespaces: readonly ConfigNamespace[],
  readFile?: (path: string) => string,
): ConfigSubset {
  const r = new EnvReader(env, readFile);
  const wanted = new Set(namespaces);
  // The session and OpenID rules depend on PUBLIC_URL, so `app` is read whenever they are.
  const app =
    wanted.has('app') || wanted.has('session') || wanted.has('oidc')
      ? readAppConfig(r)
      : undefined;
  const config: { -readonly [K in ConfigNamespace]?: AllConfig[K] } = {};
  for (const namespace of CONFIG_NAMESPACES.filter((n) => wanted.has(n))) {
    switch (namespace) {
      case 'app':
        config.app = app;
        break;
      case 'mongo':
        config.mongo = readMongoConfig(r);
        break;
      case 'session':
        config.session = readSessionConfig(r, app!);
        break;
      case 'auth':
        config.auth = readAuthConfig(r);
        break;
      case 'rocketchat':
        config.rocketchat = readRocketChatConfig(r);
        break;
      case 'oidc':
        config.oidc = readOidcConfig(r, app!);
        break;
      case 'groupMapping':
        config.groupMapping = readGroupMappingConfig(r);
        break;
      case 'ldap':
        config.ldap = readLdapConfig(r);
        break;
    }
  }
  if (app) {
    refuseQuickStartSecrets(r, env, app);
  }
  if (
    config.session?.cookieSameSite === 'strict' &&
    (config.oidc?.providers.length ?? 0) > 0
  ) {
    // The provider sends the browser back cross-site: a Strict session cookie set at the callback
    // would not reach the post-login page in that same navigation.
    r.fail(
      'SESSION_COOKIE_SAMESITE',
      'must be lax or none when OpenID providers are configured (their redirect back is cross-site)',
    );
  }
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
