import type { AppConfig } from './app.config.js';
import type { EnvReader } from './env.js';

export type SameSite = 'lax' | 'strict' | 'none';

export interface SessionConfig {
  /** Base cookie name; the session module adds `__Host-` when the cookie is Secure. */
  readonly cookieName: string;
  readonly cookieSameSite: SameSite;
  readonly cookieSecure: boolean;
  /** CHIPS: required by Chromium for a cookie in a cross-site iframe. */
  readonly cookiePartitioned: boolean;
  /** A session unused for this long ends (sliding). */
  readonly idleTimeoutMs: number;
  /** A session ends this long after login, however active. */
  readonly absoluteTimeoutMs: number;
  /**
   * A session's last-seen time (and so its sliding expiry) is written at most this often, not on
   * every request: the API URL is on Rocket.Chat's start-up path. Derived: a tenth of the idle
   * timeout, at most a minute.
   */
  readonly touchIntervalMs: number;
  /** How often expired sessions are deleted (servers without TTL indexes rely on it). */
  readonly sweepIntervalMs: number;
  /** Keys the login-form cookie's signature and the CSRF tokens' MACs. Never logged. */
  readonly secret: string;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

export function readSessionConfig(r: EnvReader, app: AppConfig): SessionConfig {
  const secret =
    r.string('SESSION_SECRET', {
      required: true,
      secret: true,
      randomSecret: true,
      minLength: 32,
    }) ?? '';
  if (secret && new Set(secret).size < 8) {
    r.fail(
      'SESSION_SECRET',
      'is too repetitive: use a random value (openssl rand -base64 48)',
    );
  }

  const cookieSameSite = r.oneOf(
    'SESSION_COOKIE_SAMESITE',
    ['lax', 'strict', 'none'] as const,
    'lax',
  );
  const cookieSecure = r.bool('SESSION_COOKIE_SECURE', true);
  const cookiePartitioned = r.bool(
    'SESSION_COOKIE_PARTITIONED',
    cookieSameSite === 'none',
  );

  if (cookieSameSite === 'none' && !cookieSecure) {
    r.fail(
      'SESSION_COOKIE_SAMESITE',
      'none requires SESSION_COOKIE_SECURE=true (browsers drop it otherwise)',
    );
  }
  if (cookiePartitioned && !cookieSecure) {
    r.fail('SESSION_COOKIE_PARTITIONED', 'requires SESSION_COOKIE_SECURE=true');
  }
  if (!cookieSecure && !app.publicUrlIsLoopback) {
    r.fail(
      'SESSION_COOKIE_SECURE',
      'may be false only when PUBLIC_URL is a localhost URL (development)',
    );
  }
  if (cookieSecure && !app.publicUrlIsHttps && !app.publicUrlIsLoopback) {
    r.fail(
      'PUBLIC_URL',
      'must be https (or a localhost URL): browsers refuse Secure cookies over plain http',
    );
  }

  const cookieName = r.string('SESSION_COOKIE_NAME', {
    default: 'rcbridge_session',
    pattern: /^(?!__Host-|__Secure-)(?!rc_)(?!meteor_)[A-Za-z0-9_-]{1,64}$/,
    patternRule:
      '1-64 letters, digits, _ or -, without a __Host-/__Secure- prefix (added automatically) and not ' +
      'starting with rc_ or meteor_ (Rocket.Chat uses those, and cookies are not port-scoped)',
  });

  const idleTimeoutMs = r.durationMs('SESSION_IDLE_TIMEOUT', {
    default: 8 * HOUR,
    min: MINUTE,
    max: 90 * DAY,
  });
  const absoluteTimeoutMs = r.durationMs('SESSION_ABSOLUTE_TIMEOUT', {
    default: 7 * DAY,
    min: 5 * MINUTE,
    max: 365 * DAY,
  });
  if (absoluteTimeoutMs < idleTimeoutMs) {
    r.fail(
      'SESSION_ABSOLUTE_TIMEOUT',
      'must not be shorter than SESSION_IDLE_TIMEOUT',
    );
  }

  return {
    cookieName,
    cookieSameSite,
    cookieSecure,
    cookiePartitioned,
    idleTimeoutMs,
    absoluteTimeoutMs,
    touchIntervalMs: Math.min(MINUTE, Math.floor(idleTimeoutMs / 10)),
    sweepIntervalMs: r.durationMs('SESSION_SWEEP_INTERVAL', {
      default: 10 * MINUTE,
      min: 1000,
      max: DAY,
    }),
    secret,
  };
}
