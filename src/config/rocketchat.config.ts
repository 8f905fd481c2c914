import type { EnvReader } from './env.js';
import { parseMongoUri } from './mongo.config.js';
import {
  readProvisioningConfig,
  type ProvisioningConfig,
} from './rocketchat-provisioning.config.js';
import {
  readTokenConfig,
  type TokenConfig,
} from './rocketchat-tokens.config.js';
import {
  isLoopbackHost,
  normaliseOrigin,
  parseBaseUrl,
  withoutTrailingSlash,
} from './urls.js';

export type {
  LinkRule,
  ProvisioningConfig,
  SyncMode,
} from './rocketchat-provisioning.config.js';
export type {
  LogoutMode,
  PostLoginMessage,
  TokenConfig,
  TokenStrategyName,
} from './rocketchat-tokens.config.js';

export type AdminCredentials =
  | {
      readonly kind: 'token';
      readonly userId: string;
      readonly authToken: string;
    }
  | {
      readonly kind: 'password';
      readonly username: string;
      readonly password: string;
    };

/** A Rocket.Chat release as far as the bridge cares (createToken's body changed in 8.0). */
export interface RocketChatVersion {
  readonly major: number;
  readonly minor: number;
}

export interface RocketChatHttpConfig {
  /** Deadline of one REST call, body included. */
  readonly timeoutMs: number;
  /** Extra attempts for idempotent reads (GET) after a timeout, network error or 5xx. */
  readonly readRetries: number;
  /** The circuit breaker opens after this many failures within `breakerWindowMs`... */
  readonly breakerFailures: number;
  readonly breakerWindowMs: number;
  /** ...and lets one probe through after this long. */
  readonly breakerCooldownMs: number;
}

export interface RocketChatConfig {
  /** Rocket.Chat as browsers see it, without trailing slash (django-rocketchat-auth's ROCKETCHAT_URL). */
  readonly url: string;
  /** The origin of `url`: the only postMessage target of the post-login page. */
  readonly origin: string;
  /** Base for the bridge's own REST calls (a compose service name, say); defaults to `url`. */
  readonly apiUrl: string;
  /** Exact origins allowed to call the API URL and to frame the login page. */
  readonly allowedOrigins: readonly string[];
  readonly admin: AdminCredentials;
  /** Rocket.Chat's own database (MONGO_DB), only for the Mongo-based token strategies. Never logged. */
  readonly mongoUri: string | undefined;
  /** ROCKETCHAT_VERSION; undefined = ask Rocket.Chat (`GET /api/info`). */
  readonly version: RocketChatVersion | undefined;
  readonly http: RocketChatHttpConfig;
  readonly tokens: TokenConfig;
  readonly provisioning: ProvisioningConfig;
}

export function readRocketChatConfig(r: EnvReader): RocketChatConfig {
  const url =
    readUrl(r, 'ROCKETCHAT_URL', true) ?? new URL('http://localhost:3000');
  const internalUrl = readUrl(r, 'ROCKETCHAT_INTERNAL_URL', false);
  const apiUrl = internalUrl ?? url;
  if (
    internalUrl?.protocol === 'http:' &&
    !isPrivateHost(internalUrl.hostname)
  ) {
    r.fail(
      'ROCKETCHAT_INTERNAL_URL',
      'must be https unless it names localhost, a private address or a single-label host (a compose service)',
    );
  }
  const mongoUri = readRocketChatMongo(r);
  const version = readVersion(r);

  return {
    url: withoutTrailingSlash(url),
    origin: url.origin,
    apiUrl: withoutTrailingSlash(apiUrl),
    allowedOrigins: readAllowedOrigins(r, url),
    admin: readAdmin(r),
    mongoUri,
    version,
    http: readHttp(r),
    tokens: readTokenConfig(r, { mongoUri, version }),
    provisioning: readProvisioningConfig(r),
  };
}

function readUrl(
  r: EnvReader,
  name: string,
  required: boolean,
): URL | undefined {
  const value = r.string(name, { required });
  if (value === undefined) {
    return undefined;
  }
  const parsed = parseBaseUrl(value);
  if (!parsed.ok) {
    r.fail(name, parsed.rule);
    return undefined;
  }
  if (
    name === 'ROCKETCHAT_URL' &&
    parsed.url.protocol === 'http:' &&
    !isLoopbackHost(parsed.url.hostname)
  ) {
    r.fail(
      name,
      'must be https unless it is a localhost URL: browsers send it login tokens',
    );
  }
  return parsed.url;
}

function readVersion(r: EnvReader): RocketChatVersion | undefined {
  const value = r.string('ROCKETCHAT_VERSION', { default: 'auto' }).trim();
  if (value.toLowerCase() === 'auto') {
    return undefined;
  }
  const match = /^(\d{1,3})(?:\.(\d{1,3}|x))?(?:\.(?:\d{1,3}|x))?$/i.exec(
    value,
  );
  if (!match) {
    r.fail(
      'ROCKETCHAT_VERSION',
      'must be auto or a Rocket.Chat version such as 7.10, 8 or 8.0.1',
    );
    return undefined;
  }
  const major = Number(match[1]);
  if (major < 1) {
    r.fail('ROCKETCHAT_VERSION', 'must be a Rocket.Chat version (1 or later)');
    return undefined;
  }
  const minor = match[2] && /^\d+$/.test(match[2]) ? Number(match[2]) : 0;
  return { major, minor };
}

function readHttp(r: EnvReader): RocketChatHttpConfig {
  return {
    timeoutMs: r.durationMs('ROCKETCHAT_TIMEOUT', {
      default: 3000,
      min: 100,
      max: 60_000,
    }),
    readRetries: r.int('ROCKETCHAT_READ_RETRIES', {
      default: 2,
      min: 0,
      max: 5,
    }),
    breakerFailures: r.int('ROCKETCHAT_BREAKER_FAILURES', {
      default: 5,
      min: 1,
      max: 1000,
    }),
    breakerWindowMs: r.durationMs('ROCKETCHAT_BREAKER_WINDOW', {
      default: 10_000,
      min: 100,
      max: 3_600_000,
    }),
    breakerCooldownMs: r.durationMs('ROCKETCHAT_BREAKER_COOLDOWN', {
      default: 30_000,
      min: 100,
      max: 3_600_000,
    }),
  };
}

function readAllowedOrigins(r: EnvReader, rocketChatUrl: URL): string[] {
  const entries = r.list('CORS_ORIGIN_WHITELIST');
  if (entries === undefined) {
    return [rocketChatUrl.origin];
  }
  const scheme = rocketChatUrl.protocol === 'https:' ? 'https' : 'http';
  const origins = new Set<string>();
  for (const item of entries.items) {
    const checked = normaliseOrigin(item, scheme);
    if (!checked.ok) {
      r.fail(entries.name, checked.rule);
      return [rocketChatUrl.origin];
    }
    origins.add(checked.origin);
  }
  if (origins.size === 0) {
    r.fail(entries.name, 'must list at least one origin');
  }
  return [...origins];
}

function readAdmin(r: EnvReader): AdminCredentials {
  const userId = r.string('ROCKETCHAT_USER_ID');
  const authToken = r.string('ROCKETCHAT_AUTH_TOKEN', {
    secret: true,
    randomSecret: true,
  });
  const username = r.string('ROCKETCHAT_ADMIN_USERNAME');
  const password = r.string('ROCKETCHAT_ADMIN_PASSWORD', {
    secret: true,
    randomSecret: true,
  });

  if (userId !== undefined || authToken !== undefined) {
    if (userId === undefined) {
      r.fail('ROCKETCHAT_USER_ID', 'is required with ROCKETCHAT_AUTH_TOKEN');
    }
    // Set but refused (a placeholder) is already reported.
    if (authToken === undefined && !r.has('ROCKETCHAT_AUTH_TOKEN', true)) {
      r.fail('ROCKETCHAT_AUTH_TOKEN', 'is required with ROCKETCHAT_USER_ID');
    }
    return { kind: 'token', userId: userId ?? '', authToken: authToken ?? '' };
  }
  if (username !== undefined || password !== undefined) {
    if (username === undefined) {
      r.fail(
        'ROCKETCHAT_ADMIN_USERNAME',
        'is required with ROCKETCHAT_ADMIN_PASSWORD',
      );
    }
    if (password === undefined && !r.has('ROCKETCHAT_ADMIN_PASSWORD', true)) {
      r.fail(
        'ROCKETCHAT_ADMIN_PASSWORD',
        'is required with ROCKETCHAT_ADMIN_USERNAME',
      );
    }
    return {
      kind: 'password',
      username: username ?? '',
      password: password ?? '',
    };
  }
  r.fail(
    'ROCKETCHAT_AUTH_TOKEN',
    'is required: set ROCKETCHAT_USER_ID and ROCKETCHAT_AUTH_TOKEN (a personal access token), ' +
      'or ROCKETCHAT_ADMIN_USERNAME and ROCKETCHAT_ADMIN_PASSWORD to create one at start-up',
  );
  return { kind: 'token', userId: '', authToken: '' };
}

/**
 * MONGO_DB in django-rocketchat-auth's forms (`host:port`, `user:pass@host:port/db?opts`) or as a
 * full `mongodb://` URI. Without a database name, Rocket.Chat's default `rocketchat` is used.
 */
function readRocketChatMongo(r: EnvReader): string | undefined {
  const value = r.string('MONGO_DB', { secret: true });
  if (value === undefined) {
    return undefined;
  }
  const uri = /^mongodb(\+srv)?:\/\//.test(value)
    ? value
    : `mongodb://${value}`;
  const parsed = parseMongoUri(uri);
  if (!parsed.ok) {
    r.fail(
      'MONGO_DB',
      `${parsed.rule} (accepted: host:port, user:pass@host:port/db?options or mongodb://...)`,
    );
    return undefined;
  }
  if (parsed.database !== undefined) {
    return uri;
  }
  const at = uri.search(/[?]/);
  const [base, query] =
    at === -1 ? [uri, ''] : [uri.slice(0, at), uri.slice(at)];
  return `${base.replace(/\/$/, '')}/rocketchat${query}`;
}

function isPrivateHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '');
  return (
    isLoopbackHost(host) ||
    !host.includes('.') ||
    host.startsWith('10.') ||
    host.startsWith('192.168.') ||
    /^172\.(1[6-9]|2\d|3[01])\./.test(host) ||
    /^f[cd][0-9a-f]{2}:/i.test(host)
  );
}
