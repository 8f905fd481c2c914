import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { loadConfig } from './configuration.js';
import { ConfigValidationError, type Env } from './env.js';

const VALID: Env = {
  MONGODB_URI: 'mongodb://db.internal:27017/bridge',
  ROCKETCHAT_URL: 'https://chat.example.org',
  ROCKETCHAT_USER_ID: 'adminid',
  ROCKETCHAT_AUTH_TOKEN: 'pat-value-that-is-secret',
  SESSION_SECRET: 'abcdefghijklmnopqrstuvwxyz0123456789ABCD',
  TOKEN_ENCRYPTION_KEY: 'bMXvzX2g3c8yq6J0v7kP1n4Rz9sT5wQe2aYh8LdF0uc=',
  PUBLIC_URL: 'https://sso.example.org',
};

function problems(env: Env): string[] {
  try {
    loadConfig({ ...VALID, ...env });
  } catch (error) {
    if (error instanceof ConfigValidationError) {
      return error.problems.map((p) => `${p.variable}: ${p.rule}`);
    }
    throw error;
  }
  return [];
}

const MINUTE = 60_000;

describe('security settings', () => {
  it('should default to near-Authelia lockout, an address budget, rate limits, a check cap, HSTS and 90 days of audit', () => {
    const config = loadConfig(VALID);
    expect(config.auth.protection).toEqual({
      lockout: {
        maxFailures: 5,
        windowMs: 2 * MINUTE,
        durationMs: 5 * MINUTE,
        maxDurationMs: 15 * MINUTE,
      },
      ipFailures: { limit: 50, windowMs: 10 * MINUTE },
      deviceCookieLifetimeMs: 90 * 24 * 60 * MINUTE,
      passwordChecks: { concurrency: 2 * availableParallelism(), queue: 50 },
    });
    expect(config.app.security).toEqual({
      trustProxy: [],
      hsts: { maxAgeSeconds: 31_536_000, includeSubDomains: true },
      requestTimeoutMs: 30_000,
      rateLimits: {
        forms: { limit: 150, windowMs: MINUTE },
        apiUrl: { limit: 600, windowMs: MINUTE },
      },
    });
    expect(config.app.audit.retentionMs).toBe(90 * 24 * 60 * MINUTE);
  });

  it('should read every setting, and `0`/`off` as "turned off"', () => {
    const config = loadConfig({
      ...VALID,
      TRUST_PROXY: '10.0.0.0/8, 192.168.1.10,fd00::/8 , loopback',
      HSTS_MAX_AGE: '0',
      HTTP_REQUEST_TIMEOUT: '10s',
      RATE_LIMIT_FORMS: '30 / 5m',
      RATE_LIMIT_API_URL: 'off',
      LOCKOUT_MAX_FAILURES: '0',
      LOGIN_IP_MAX_FAILURES: '0',
      DEVICE_COOKIE_LIFETIME: '0',
      PASSWORD_CHECK_CONCURRENCY: '3',
      PASSWORD_CHECK_QUEUE: '0',
      AUDIT_RETENTION: '400d',
    });
    expect(config.app.security).toEqual({
      trustProxy: ['10.0.0.0/8', '192.168.1.10', 'fd00::/8', 'loopback'],
      hsts: undefined,
      requestTimeoutMs: 10_000,
      rateLimits: {
        forms: { limit: 30, windowMs: 5 * MINUTE },
        apiUrl: undefined,
      },
    });
    expect(config.auth.protection).toEqual({
      lockout: undefined,
      ipFailures: undefined,
      deviceCookieLifetimeMs: undefined,
      passwordChecks: { concurrency: 3, queue: 0 },
    });
    expect(config.app.audit.retentionMs).toBe(400 * 24 * 60 * MINUTE);
  });

  it('should send no HSTS while PUBLIC_URL is plain http (localhost)', () => {
    const config = loadConfig({
      ...VALID,
      PUBLIC_URL: 'http://localhost:8000',
      ROCKETCHAT_URL: 'http://localhost:3000',
      HSTS_MAX_AGE: '365d',
    });
    expect(config.app.security.hsts).toBeUndefined();
  });

  it.each([
    ['2', /TRUST_PROXY: .*hop counts and true are refused/],
    ['true', /TRUST_PROXY: .*hop counts and true are refused/],
    ['0.0.0.0/0', /TRUST_PROXY: .*\/0 would trust every client/],
    ['::/0', /TRUST_PROXY: .*\/0 would trust every client/],
    ['10.0.0.0/33', /TRUST_PROXY: must use CIDR prefixes/],
    ['proxy.example.org', /TRUST_PROXY: must list IP addresses or CIDR ranges/],
    ['10.0.0.1/8/8', /TRUST_PROXY: must list IP addresses or CIDR ranges/],
  ])('should refuse TRUST_PROXY=%s, naming the rule', (value, rule) => {
    expect(problems({ TRUST_PROXY: value })).toEqual([
      expect.stringMatching(rule),
    ]);
  });

  it.each([
    ['RATE_LIMIT_FORMS', 'sixty'],
    ['RATE_LIMIT_FORMS', '0/1m'],
    ['RATE_LIMIT_API_URL', '10/2d'],
    ['RATE_LIMIT_API_URL', '10'],
  ])('should refuse %s=%s', (name, value) => {
    expect(problems({ [name]: value })).toEqual([
      `${name}: must be a count per duration such as 60/1m (1 second to 24 hours), or off`,
    ]);
  });

  it('should refuse a maximum lock shorter than the first lock, and out-of-range values', () => {
    expect(
      problems({
        LOCKOUT_DURATION: '20m',
        LOCKOUT_MAX_DURATION: '10m',
        LOCKOUT_WINDOW: '1s',
        PASSWORD_CHECK_CONCURRENCY: '0',
        AUDIT_RETENTION: '10m',
        HTTP_REQUEST_TIMEOUT: '0s',
      }),
    ).toEqual([
      'HTTP_REQUEST_TIMEOUT: must be at least 1s',
      'AUDIT_RETENTION: must be at least 1h',
      'LOCKOUT_WINDOW: must be at least 10s',
      'LOCKOUT_MAX_DURATION: must not be shorter than LOCKOUT_DURATION',
      'PASSWORD_CHECK_CONCURRENCY: must be at least 1',
    ]);
  });

  it('should never quote the value in a message', () => {
    const value = '203.0.113.0/99-secret-looking';
    const found = problems({ TRUST_PROXY: value, RATE_LIMIT_FORMS: value });
    expect(found).toHaveLength(2);
    expect(found.join('\n')).not.toContain('secret-looking');
  });
});
