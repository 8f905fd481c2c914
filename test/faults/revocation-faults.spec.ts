import {
  afterAll,
  afterEach,
  beforeAll,
  beforeEach,
  describe,
  expect,
  it,
} from 'vitest';
import { UserAdminService } from '../../src/users/index.js';
import { RevocationQueueRepository } from '../../src/rocketchat/tokens/revocation-queue.repository.js';
import { RevocationWorker } from '../../src/rocketchat/tokens/revocation-worker.service.js';
import type { FaultAction } from '../rc-emulator/core/faults.js';
import {
  callApiUrl,
  loginAs,
  startHarness,
  type Harness,
} from '../rocketchat/harness.js';
import { fakeClock, type FakeClock } from '../support/fake-clock.js';
import { settleAndCheck } from './settle.js';

const PASSWORD = 'revocation faults password';
const TIMEOUT_MS = 3000;
/** A logout never waits for Rocket.Chat: loose bound for a loaded runner. */
const LOGOUT_BOUND_MS = 2000;

const ACTIONS: readonly [string, FaultAction][] = [
  ['latency beyond the timeout', { type: 'latency', ms: TIMEOUT_MS + 1500 }],
  ['a hang', { type: 'hang' }],
  ['500', { type: 'status', status: 500 }],
  ['503', { type: 'status', status: 503 }],
  ['429 with rate-limit headers', { type: 'status', status: 429 }],
  ['a closed socket', { type: 'close' }],
  ['an HTML error page', { type: 'html' }],
  ['truncated JSON', { type: 'truncated-json' }],
  ['success: false', { type: 'success-false' }],
];

/**
 * Ending Rocket.Chat logins while Rocket.Chat misbehaves: `POST /api/v1/logout` with the token
 * (token mode, no MONGO_DB) and `users.logout` (ROCKETCHAT_LOGOUT_MODE=all).
 */
describe.each([
  { mode: 'token', route: 'logout' },
  { mode: 'all', route: 'users.logout' },
])('revocation ($route) while Rocket.Chat fails', ({ mode, route }) => {
  let h: Harness;
  let clock: FakeClock;
  let last = Date.now() + 60_000;
  const usernames: string[] = [];

  beforeAll(async () => {
    h = await startHarness({
      label: `revocation_faults_${mode}`,
      env: {
        ROCKETCHAT_LOGOUT_MODE: mode,
        ROCKETCHAT_REVOCATION_INTERVAL: '100ms',
      },
      // Its REST logout would allow the bridge only 10 a minute (calls with the user's token).
      emulator: { rateLimit: { enabled: false, calls: 10, windowMs: 60_000 } },
    });
  });

  afterAll(async () => {
    await h.close();
  });

  beforeEach(() => {
    clock = fakeClock(Math.max(Date.now() + 60_000, last));
  });

  afterEach(() => {
    last = clock.now();
    h.rc.control.clearFaults();
  });

  it.each(ACTIONS)(
    'should log out at once on %s, and end the Rocket.Chat login once it answers again',
    async (_name, action) => {
      const username = `${mode}-${usernames.length}`;
      usernames.push(username);
      await h.app.get(UserAdminService).create({
        username,
        password: PASSWORD,
        displayName: `Name ${username}`,
      });
      const client = await loginAs(h.app, username, PASSWORD);
      const minted = await callApiUrl(h.app, client, h.rc.origin);
      const token = minted.json<{ loginToken: string }>().loginToken;
      const fault = h.rc.control.injectFault({ route, action });

      const started = Date.now();
      const logout = await h.app.inject({
        method: 'POST',
        url: '/rocketchat/logout',
        headers: { origin: h.rc.origin, cookie: client.cookieHeader() ?? '' },
      });
      expect(logout.statusCode).toBe(204);
      expect(Date.now() - started).toBeLessThan(LOGOUT_BOUND_MS);
      await expect
        .poll(() => h.rc.control.faults().find((f) => f.id === fault)?.hits)
        .toBeGreaterThan(0);
      expect((await h.rc.control.checkToken(token)).valid).toBe(true);

      // Rocket.Chat answers again: the queued revocation, due after its backoff, goes through.
      h.rc.control.clearFaults();
      const queue = h.app.get(RevocationQueueRepository);
      const worker = h.app.get(RevocationWorker);
      await expect
        .poll(
          async () => {
            clock.advance(70_000);
            await worker.drain();
            return (await h.rc.control.checkToken(token)).valid;
          },
          { timeout: 30_000, interval: 500 },
        )
        .toBe(false);
      await expect.poll(() => queue.count()).toBe(0);
    },
    60_000,
  );

  it('should leave nothing orphaned or half-written', async () => {
    expect(await settleAndCheck(h, usernames, PASSWORD, { clock })).toEqual([]);
  }, 120_000);
});
