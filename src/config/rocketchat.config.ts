import type { EnvReader } from './env.js';
import { parseMongoUri } from './mongo.config.js';
import {
  isLoopbackHost,
  normaliseOrigin,
  parseBaseUrl,
  withoutTrailingSlash,
} from './urls.js';

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

export interface RocketChatConfig {
  /** Rocket.Chat as browsers see it, without trailing slash (django-rocketchat-auth's ROCKETCHAT_URL). */
  readonly url: string;
  readonly origin: string;
  /** Base for the bridge's own REST calls (a compose service name, say); defaults to `url`. */
  readonly apiUrl: string;
  /** Exact origins allowed to call the API URL and to frame the login page. */
  readonly allowedOrigins: readonly string[];
  readonly admin: AdminCredentials;
  /** Rocket.Chat's own database (MONGO_DB), only for the Mongo-based token strategies. Never logged. */
  readonly mongoUri: string | undefined;
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

  return {
    url: withoutTrailingSlash(url),
    origin: url.origin,
    apiUrl: withoutTrailingSlash(apiUrl),
    allowedOrigins: readAllowedOrigins(r, url),
    admin: readAdmin(r),
    mongoUri: readRocketChatMongo(r),
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
  const authToken = r.string('ROCKETCHAT_AUTH_TOKEN', { secret: true });
  const username = r.string('ROCKETCHAT_ADMIN_USERNAME');
  const password = r.string('ROCKETCHAT_ADMIN_PASSWORD', { secret: true });

  if (userId !== undefined || authToken !== undefined) {
    if (userId === undefined) {
      r.fail('ROCKETCHAT_USER_ID', 'is required with ROCKETCHAT_AUTH_TOKEN');
    }
    if (authToken === undefined) {
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
    if (password === undefined) {
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
