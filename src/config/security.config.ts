import { availableParallelism } from 'node:os';
import { isIP } from 'node:net';
import type { EnvReader } from './env.js';

/** "At most `limit` requests per `windowMs`, per client address" (a window from the first request). */
export interface RateLimit {
  readonly limit: number;
  readonly windowMs: number;
}

/** The `app` namespace's security section: the HTTP server's limits and headers. */
export interface HttpSecurityConfig {
  /**
   * Reverse proxies whose `X-Forwarded-For` is believed (addresses, CIDR ranges or proxy-addr's
   * `loopback`, `linklocal`, `uniquelocal`); empty: the peer address is the client. Never hop counts.
   */
  readonly trustProxy: readonly string[];
  /** Strict-Transport-Security, sent only when PUBLIC_URL is https; undefined: not sent. */
  readonly hsts:
    | { readonly maxAgeSeconds: number; readonly includeSubDomains: boolean }
    | undefined;
  /** A request (headers and body) must arrive within this time or its socket is closed. */
  readonly requestTimeoutMs: number;
  /** Per client address and per replica (in memory); undefined: that limit is off. */
  readonly rateLimits: {
    /** POST /login, /login/continue and /logout together. */
    readonly forms: RateLimit | undefined;
    /** Rocket.Chat's API URL. */
    readonly apiUrl: RateLimit | undefined;
  };
}

export interface AuditConfig {
  /** Audit events older than this are deleted from MongoDB (their log lines stay wherever logs go). */
  readonly retentionMs: number;
}

/** The `auth` namespace's protection of the password check. */
export interface LoginProtectionConfig {
  /** Per account (normalised username); undefined: no account lockout. */
  readonly lockout:
    | {
        readonly maxFailures: number;
        readonly windowMs: number;
        readonly durationMs: number;
        readonly maxDurationMs: number;
      }
    | undefined;
  /**
   * Per client address: failed logins (of clients without a device cookie for the account, and
   * not followed by a success of that account from that address) before further attempts get
   * 429; undefined: off.
   */
  readonly ipFailures: RateLimit | undefined;
  /** How long a device cookie (proof of an earlier login in that browser) is valid; undefined: none issued. */
  readonly deviceCookieLifetimeMs: number | undefined;
  readonly passwordChecks: {
    /** Password checks (hash computations) running at once. */
    readonly concurrency: number;
    /** Checks waiting for a free slot; beyond that, 503 at once. */
    readonly queue: number;
  };
}

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

const PROXY_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);

export function readHttpSecurityConfig(
  r: EnvReader,
  publicUrlIsHttps: boolean,
): HttpSecurityConfig {
  const hstsMaxAgeMs = r.durationMs('HSTS_MAX_AGE', {
    default: 365 * DAY,
    min: 0,
    max: 2 * 365 * DAY,
  });
  const includeSubDomains = r.bool('HSTS_INCLUDE_SUBDOMAINS', true);
  return {
    trustProxy: readTrustProxy(r),
    hsts:
      publicUrlIsHttps && hstsMaxAgeMs > 0
        ? { maxAgeSeconds: Math.floor(hstsMaxAgeMs / 1000), includeSubDomains }
        : undefined,
    requestTimeoutMs: r.durationMs('HTTP_REQUEST_TIMEOUT', {
      default: 30 * SECOND,
      min: SECOND,
      max: 10 * MINUTE,
    }),
    rateLimits: {
      forms: readRateLimit(r, 'RATE_LIMIT_FORMS', {
        limit: 150,
        windowMs: MINUTE,
      }),
      apiUrl: readRateLimit(r, 'RATE_LIMIT_API_URL', {
        limit: 600,
        windowMs: MINUTE,
      }),
    },
  };
}

export function readAuditConfig(r: EnvReader): AuditConfig {
  return {
    retentionMs: r.durationMs('AUDIT_RETENTION', {
      default: 90 * DAY,
      min: HOUR,
      max: 3650 * DAY,
    }),
  };
}

export function readLoginProtectionConfig(r: EnvReader): LoginProtectionConfig {
  const maxFailures = r.int('LOCKOUT_MAX_FAILURES', {
    default: 5,
    min: 0,
    max: 100,
  });
  const windowMs = r.durationMs('LOCKOUT_WINDOW', {
    default: 2 * MINUTE,
    min: 10 * SECOND,
    max: DAY,
  });
  const durationMs = r.durationMs('LOCKOUT_DURATION', {
    default: 5 * MINUTE,
    min: 10 * SECOND,
    max: DAY,
  });
  const maxDurationMs = r.durationMs('LOCKOUT_MAX_DURATION', {
    default: 15 * MINUTE,
    min: 10 * SECOND,
    max: DAY,
  });
  if (maxDurationMs < durationMs) {
    r.fail('LOCKOUT_MAX_DURATION', 'must not be shorter than LOCKOUT_DURATION');
  }
  const ipMaxFailures = r.int('LOGIN_IP_MAX_FAILURES', {
    default: 50,
    min: 0,
    max: 100_000,
  });
  const ipWindowMs = r.durationMs('LOGIN_IP_WINDOW', {
    default: 10 * MINUTE,
    min: 10 * SECOND,
    max: DAY,
  });
  const deviceCookieLifetimeMs = r.durationMs('DEVICE_COOKIE_LIFETIME', {
    default: 90 * DAY,
    min: 0,
    // Chromium caps a cookie's lifetime at 400 days.
    max: 400 * DAY,
  });
  const concurrency = r.int('PASSWORD_CHECK_CONCURRENCY', {
    default: 2 * availableParallelism(),
    min: 1,
    max: 256,
  });
  return {
    lockout:
      maxFailures > 0
        ? { maxFailures, windowMs, durationMs, maxDurationMs }
        : undefined,
    ipFailures:
      ipMaxFailures > 0
        ? { limit: ipMaxFailures, windowMs: ipWindowMs }
        : undefined,
    deviceCookieLifetimeMs:
      deviceCookieLifetimeMs > 0 ? deviceCookieLifetimeMs : undefined,
    passwordChecks: {
      concurrency,
      queue: r.int('PASSWORD_CHECK_QUEUE', {
        default: 50,
        min: 0,
        max: 10_000,
      }),
    },
  };
}

/** `60/1m` (60 per minute), `off` for none. */
function readRateLimit(
  r: EnvReader,
  name: string,
  fallback: RateLimit,
): RateLimit | undefined {
  const value = r.string(name);
  if (value === undefined) {
    return fallback;
  }
  if (value.trim().toLowerCase() === 'off') {
    return undefined;
  }
  const match = /^\s*(\d{1,7})\s*\/\s*(\d{1,6})\s*(s|m|h)\s*$/i.exec(value);
  const limit = match ? Number(match[1]) : 0;
  const windowMs = match
    ? Number(match[2]) *
      { s: SECOND, m: MINUTE, h: HOUR }[
        match[3].toLowerCase() as 's' | 'm' | 'h'
      ]
    : 0;
  if (!match || limit < 1 || windowMs < SECOND || windowMs > DAY) {
    r.fail(
      name,
      'must be a count per duration such as 60/1m (1 second to 24 hours), or off',
    );
    return fallback;
  }
  return { limit, windowMs };
}

/** Addresses and CIDR ranges only: a hop count or "everything" would trust spoofed headers. */
function readTrustProxy(r: EnvReader): string[] {
  const entries = r.list('TRUST_PROXY');
  if (entries === undefined) {
    return [];
  }
  const accepted: string[] = [];
  for (const item of entries.items) {
    const rule = trustProxyProblem(item);
    if (rule !== undefined) {
      r.fail(entries.name, rule);
      return [];
    }
    accepted.push(item.toLowerCase());
  }
  return accepted;
}

function trustProxyProblem(item: string): string | undefined {
  if (PROXY_NAMES.has(item.toLowerCase())) {
    return undefined;
  }
  if (/^\d+$/.test(item) || item.toLowerCase() === 'true') {
    return 'must list proxy addresses or CIDR ranges; hop counts and true are refused (any client could spoof X-Forwarded-For)';
  }
  const [address, prefix, extra] = item.split('/');
  const version = isIP(address);
  if (version === 0 || extra !== undefined) {
    return 'must list IP addresses or CIDR ranges such as 10.0.0.0/8, fd00::/8 or loopback';
  }
  if (prefix === undefined) {
    return undefined;
  }
  const bits = /^\d{1,3}$/.test(prefix) ? Number(prefix) : -1;
  if (bits < 1 || bits > (version === 4 ? 32 : 128)) {
    return 'must use CIDR prefixes from /1 to /32 (IPv4) or /128 (IPv6); /0 would trust every client';
  }
  return undefined;
}
