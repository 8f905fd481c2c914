import type { FastifyReply } from 'fastify';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { CredentialsService } from '../../src/users/index.js';
import {
  enforceRateLimit,
  RateLimitedError,
  RateLimiter,
  LoginFlowService,
} from '../../src/security/index.js';
import { Clock } from '../../src/common/index.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { freshDatabaseUri } from '../support/mongo.js';

const T0 = Date.UTC(2033, 0, 1, 8);

function clockAt(start: number): void {
  vi.spyOn(Clock.prototype, 'now').mockImplementation(() => start);
}

/** A form post with no CSRF token at all: whatever passes the rate limit is then refused 403. */
function post(t: TestApp, url: string, ip: string) {
  return t.app.inject({
    method: 'POST',
    url,
    remoteAddress: ip,
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'sec-fetch-site': 'same-origin',
    },
    payload: 'username=alice&password=whatever',
  });
}

describe('rate limits of the form posts (RATE_LIMIT_FORMS)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({
      label: 'rate_forms',
      env: { RATE_LIMIT_FORMS: '10/1m' },
    });
  });
  afterAll(() => t.close());

  it('should answer the 11th form post of a minute 429 with Retry-After, before the CSRF check', async () => {
    clockAt(T0);
    const csrf = vi.spyOn(t.app.get(LoginFlowService), 'read');
    const verify = vi.spyOn(t.app.get(CredentialsService), 'verify');
    const statuses = [];
    for (let i = 0; i < 10; i++) {
      statuses.push((await post(t, '/login', '192.0.2.1')).statusCode);
    }
    expect(statuses).toEqual(Array(10).fill(403));
    csrf.mockClear();
    const refused = await post(t, '/login', '192.0.2.1');
    expect(refused.statusCode).toBe(429);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(refused.body).toContain('Too many requests');
    expect(csrf).not.toHaveBeenCalled();
    expect(verify).not.toHaveBeenCalled();
    // The budget is per address and shared by /login, /login/continue and /logout.
    expect((await post(t, '/logout', '192.0.2.1')).statusCode).toBe(429);
    expect((await post(t, '/login/continue', '192.0.2.1')).statusCode).toBe(
      429,
    );
    expect((await post(t, '/login', '192.0.2.2')).statusCode).toBe(403);
    // Pages are not form posts.
    expect(
      (
        await t.app.inject({
          method: 'GET',
          url: '/login',
          remoteAddress: '192.0.2.1',
        })
      ).statusCode,
    ).toBe(200);
  });

  it('should let exactly 10 of 40 parallel posts through, whatever the interleaving', async () => {
    clockAt(T0 + 3 * 60_000);
    const answers = await Promise.all(
      Array.from({ length: 40 }, () => post(t, '/login', '192.0.2.3')),
    );
    const statuses = answers.map((a) => a.statusCode).sort((x, y) => x - y);
    expect(statuses).toEqual([...Array(10).fill(403), ...Array(30).fill(429)]);
  });

  it('should count per replica, in memory: each replica has the whole budget', async () => {
    clockAt(T0 + 6 * 60_000);
    const other = await createTestApp({
      env: { MONGODB_URI: t.mongoUri, RATE_LIMIT_FORMS: '10/1m' },
    });
    try {
      const statuses = [];
      for (let i = 0; i < 22; i++) {
        statuses.push(
          (await post(i % 2 ? t : other, '/login', '192.0.2.4')).statusCode,
        );
      }
      expect(statuses).toEqual([...Array(20).fill(403), 429, 429]);
    } finally {
      await other.close();
    }
  });
});

describe('the api-url policy, for routes that answer a 429 with their own headers', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({
      label: 'rate_api',
      env: { RATE_LIMIT_API_URL: '3/1m' },
    });
  });
  afterAll(() => t.close());

  /** The reply methods RateLimiter uses, recording headers (CORS set by the route stays). */
  function reply(): FastifyReply & { headers: Record<string, string> } {
    const headers: Record<string, string> = {
      'access-control-allow-origin': 'http://localhost:3000',
    };
    const fake = {
      headers,
      header(name: string, value: string) {
        headers[name] = value;
        return fake;
      },
    };
    return fake as unknown as FastifyReply & {
      headers: Record<string, string>;
    };
  }

  it('should count calls per address and throw RateLimitedError (429) with Retry-After on the reply', async () => {
    clockAt(T0 + 10 * 60_000);
    const limiter = t.app.get(RateLimiter);
    for (let i = 0; i < 3; i++) {
      await enforceRateLimit(
        limiter,
        'api-url',
        { ip: '198.51.100.20' },
        reply(),
      );
    }
    const refused = reply();
    const error = await enforceRateLimit(
      limiter,
      'api-url',
      { ip: '198.51.100.20' },
      refused,
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RateLimitedError);
    expect((error as RateLimitedError).getStatus()).toBe(429);
    expect(refused.headers).toEqual({
      'access-control-allow-origin': 'http://localhost:3000',
      'retry-after': String((error as RateLimitedError).retryAfterSeconds),
    });
    await expect(
      limiter.enforce('api-url', '198.51.100.21'),
    ).resolves.toBeUndefined();
  });

  it('should count nothing for a policy that is off', async () => {
    clockAt(T0 + 12 * 60_000);
    const { uri } = freshDatabaseUri('rate_off');
    const off = await createTestApp({
      env: { MONGODB_URI: uri, RATE_LIMIT_API_URL: 'off' },
    });
    try {
      const limiter = off.app.get(RateLimiter);
      for (let i = 0; i < 20; i++) {
        await limiter.enforce('api-url', '198.51.100.22');
      }
      expect(await limiter.enforce('api-url', '198.51.100.22')).toBeUndefined();
    } finally {
      await off.close();
    }
  });
});
