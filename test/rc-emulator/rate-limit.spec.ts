import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { CreatedUser, RocketChatEmulator } from './index.js';
import { RcClient, asCredentials, startTestEmulator } from './test-helpers.js';

describe('rc-emulator: REST rate limiter (protocol doc §5.1)', () => {
  let emu: RocketChatEmulator;
  let rc: RcClient;
  let admin: CreatedUser;
  let plain: CreatedUser;

  beforeAll(async () => {
    emu = await startTestEmulator({ version: '8.0.0', httpForwardedCount: 1 });
    rc = new RcClient(emu.url);
    admin = await emu.control.createAdmin();
    plain = await emu.control.createUser({ pat: true });
  });

  beforeEach(() => {
    emu.control.resetRateLimits();
    emu.control.setRateLimit({ enabled: true, calls: 10, windowMs: 60_000 });
  });

  afterAll(async () => {
    await emu.close();
  });

  it('should allow 10 calls per minute per IP and route, then answer 429 with headers', async () => {
    const started = Date.now();
    for (let i = 1; i <= 10; i += 1) {
      const answer = await rc.get('/api/v1/me', { auth: asCredentials(plain) });
      expect(answer.status).toBe(200);
      expect(answer.headers.get('x-ratelimit-limit')).toBe('10');
      expect(answer.headers.get('x-ratelimit-remaining')).toBe(String(10 - i));
    }
    const limited = await rc.get('/api/v1/me', { auth: asCredentials(plain) });
    expect(limited.status).toBe(429);
    expect(limited.body).toEqual({
      success: false,
      error: expect.stringMatching(
        /^Error, too many requests\. Please slow down\. You must wait \d+ seconds before trying this endpoint again\. \[error-too-many-requests\]$/,
      ),
    });
    expect(limited.headers.get('x-ratelimit-remaining')).toBe('0');
    const reset = Number(limited.headers.get('x-ratelimit-reset'));
    expect(reset).toBeGreaterThan(started + 50_000);
    expect(reset).toBeLessThanOrEqual(Date.now() + 60_000);
    // Another route and another IP have their own counters.
    expect(
      (
        await rc.get('/api/v1/users.getPersonalAccessTokens', {
          auth: asCredentials(plain),
        })
      ).status,
    ).toBe(200);
    const otherIp = await rc.get('/api/v1/me', {
      auth: asCredentials(plain),
      headers: { 'x-forwarded-for': '203.0.113.9' },
    });
    expect(otherIp.status).toBe(200);
  });

  it('should let callers with api-bypass-rate-limit skip it, without limit headers', async () => {
    for (let i = 0; i < 15; i += 1) {
      const answer = await rc.get('/api/v1/me', { auth: asCredentials(admin) });
      expect(answer.status).toBe(200);
      expect(answer.headers.get('x-ratelimit-limit')).toBeNull();
    }
  });

  it('should rate limit login for everyone, admins included', async () => {
    for (let i = 0; i < 10; i += 1) {
      expect(
        (
          await rc.post('/api/v1/login', {
            user: admin.username,
            password: 'wrong',
          })
        ).status,
      ).toBe(401);
    }
    const limited = await rc.post('/api/v1/login', {
      user: admin.username,
      password: admin.password,
    });
    expect(limited.status).toBe(429);
  });

  it('should check credentials before the limiter, so unauthenticated calls are not counted', async () => {
    emu.control.setRateLimit({ calls: 1 });
    for (let i = 0; i < 3; i += 1) {
      expect((await rc.get('/api/v1/me')).status).toBe(401);
    }
    expect(
      (await rc.get('/api/v1/me', { auth: asCredentials(plain) })).status,
    ).toBe(200);
  });

  it('should follow the configured limit and window, and be disable-able', async () => {
    emu.control.setRateLimit({ calls: 2, windowMs: 300 });
    const call = () => rc.get('/api/v1/me', { auth: asCredentials(plain) });
    expect((await call()).status).toBe(200);
    expect((await call()).status).toBe(200);
    expect((await call()).status).toBe(429);
    await new Promise((resolve) => setTimeout(resolve, 350));
    expect((await call()).status).toBe(200);
    emu.control.setRateLimit({ enabled: false });
    for (let i = 0; i < 5; i += 1) {
      const answer = await call();
      expect(answer.status).toBe(200);
      expect(answer.headers.get('x-ratelimit-limit')).toBeNull();
    }
  });

  it('should not rate limit /api/info (not a versioned route)', async () => {
    emu.control.setRateLimit({ calls: 1 });
    for (let i = 0; i < 3; i += 1) {
      expect((await rc.get('/api/info')).status).toBe(200);
    }
  });
});
