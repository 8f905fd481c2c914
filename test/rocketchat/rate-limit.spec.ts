import {
  afterAll,
  beforeAll,
  beforeEach,
  describe,
  expect,
  it,
  vi,
} from 'vitest';
import { UserAdminService } from '../../src/users/index.js';
import { Clock } from '../../src/common/index.js';
import { SessionService } from '../../src/session/index.js';
import type { BrowserLikeClient } from '../support/browser-like-client.js';
import { callApiUrl, loginAs, startHarness, type Harness } from './harness.js';

const PASSWORD = 'correct horse battery';
const T0 = Date.UTC(2034, 2, 1, 9);

/** The API URL's budget is 5 a minute here; the tests take far less than a minute. */
describe('rate limit of the Rocket.Chat endpoints (RATE_LIMIT_API_URL)', () => {
  let h: Harness;
  let client: BrowserLikeClient;
  let now = T0;

  beforeAll(async () => {
    h = await startHarness({ env: { RATE_LIMIT_API_URL: '5/1m' } });
    await h.app
      .get(UserAdminService)
      .create({ username: 'rita', password: PASSWORD });
  });

  afterAll(async () => {
    await h.close();
  });

  beforeEach(async () => {
    now += 10 * 60_000;
    vi.spyOn(Clock.prototype, 'now').mockImplementation(() => now);
    client = await loginAs(h.app, 'rita', PASSWORD);
  });

  function apiUrl(ip: string, origin = h.rc.origin) {
    return h.app.inject({
      method: 'POST',
      url: '/rocketchat/api',
      remoteAddress: ip,
      headers: { origin, cookie: client.cookieHeader() ?? '' },
    });
  }

  it('should answer 429 with Retry-After and the CORS grant past the budget, before reading the session or calling Rocket.Chat', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 5; i += 1) {
      statuses.push((await apiUrl('192.0.2.50')).statusCode);
    }
    // The first call mints, the next ones within the window get it again (same clock instant).
    expect(statuses).toEqual([200, 200, 200, 200, 200]);
    const mints = h.rc.control.countCalls('users.createToken');
    const resolve = vi.spyOn(h.app.get(SessionService), 'resolve');

    const refused = await apiUrl('192.0.2.50');
    expect(refused.statusCode).toBe(429);
    expect(refused.headers).toMatchObject({
      'access-control-allow-origin': h.rc.origin,
      'access-control-allow-credentials': 'true',
      vary: 'Origin',
      'cache-control': 'no-store',
      'retry-after': expect.stringMatching(/^[1-9]\d*$/),
    });
    // A window from the address's first call: its end is at most one window away.
    const retryAfter = Number(refused.headers['retry-after']);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(refused.body).not.toContain('loginToken');
    expect(resolve).not.toHaveBeenCalled();
    expect(h.rc.control.countCalls('users.createToken')).toBe(mints);

    // The origin check comes first: a foreign origin still gets its 403, without any grant.
    const foreign = await apiUrl('192.0.2.50', 'https://evil.example');
    expect(foreign.statusCode).toBe(403);
    expect(foreign.headers['access-control-allow-origin']).toBeUndefined();
    // Another address has its own budget.
    expect((await apiUrl('192.0.2.51')).statusCode).toBe(200);
    // Once Retry-After has passed, the address is served again (the flood limits are in this
    // replica's memory, on the system time).
    now += retryAfter * 1000;
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() + retryAfter * 1000 });
    try {
      expect((await apiUrl('192.0.2.50')).statusCode).not.toBe(429);
    } finally {
      vi.useRealTimers();
    }
  });

  it('should count the logout endpoint against the same budget, leaving the session alone when it refuses', async () => {
    for (let i = 0; i < 5; i += 1) {
      expect(
        (await callApiUrl(h.app, client, h.rc.origin)).statusCode,
      ).not.toBe(429);
    }
    const refused = await h.app.inject({
      method: 'POST',
      url: '/rocketchat/logout',
      headers: { origin: h.rc.origin, cookie: client.cookieHeader() ?? '' },
    });
    expect(refused.statusCode).toBe(429);
    expect(refused.headers).toMatchObject({
      'access-control-allow-origin': h.rc.origin,
      'retry-after': expect.stringMatching(/^[1-9]\d*$/),
    });
    const session = await h.app.get(SessionService).resolve({
      headers: { cookie: client.cookieHeader() },
    } as never);
    expect(session).not.toBeNull();
  });
});
