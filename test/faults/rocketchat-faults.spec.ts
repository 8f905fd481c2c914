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
import { RocketChatHttp } from '../../src/rocketchat/client/rocketchat-http.service.js';
import { RocketChatVersionService } from '../../src/rocketchat/client/rocketchat-version.service.js';
import { UserLinksRepository } from '../../src/rocketchat/provisioning/user-links.repository.js';
import { hashLoginToken } from '../../src/rocketchat/tokens/login-token.js';
import { RevocationWorker } from '../../src/rocketchat/tokens/revocation-worker.service.js';
import type { FaultAction } from '../rc-emulator/core/faults.js';
import {
  callApiUrl,
  loginAs,
  startHarness,
  type Harness,
} from '../rocketchat/harness.js';
import type { BrowserLikeClient } from '../support/browser-like-client.js';
import { fakeClock, type FakeClock } from '../support/fake-clock.js';
import { settleAndCheck } from './settle.js';

const PASSWORD = 'rocket.chat faults password';
/** ROCKETCHAT_TIMEOUT is 3 s (the default): a request waits for Rocket.Chat at most 1.5 × that. */
const TIMEOUT_MS = 3000;
/** Loose: the budget plus room for a loaded 2-core runner. */
const ANSWER_BOUND_MS = 8000;
/** Past the breaker's window (10 s) and cool-down (30 s), and a 429's reset (60 s). */
const QUIET_MS = 65_000;

const ACTIONS: readonly [string, FaultAction][] = [
  ['latency beyond the timeout', { type: 'latency', ms: TIMEOUT_MS + 1500 }],
  ['a hang', { type: 'hang' }],
  ['500', { type: 'status', status: 500 }],
  ['502', { type: 'status', status: 502 }],
  ['503', { type: 'status', status: 503 }],
  ['429 with rate-limit headers', { type: 'status', status: 429 }],
  ['a closed socket', { type: 'close' }],
  ['an HTML error page', { type: 'html' }],
  ['truncated JSON', { type: 'truncated-json' }],
  ['success: false', { type: 'success-false' }],
  ['no auth token in a success', { type: 'no-auth-token' }],
  [
    'a 200 answer over 1 MiB',
    {
      type: 'status',
      status: 200,
      body: { success: true, padding: 'x'.repeat(1_100_000) },
    },
  ],
];

/** What a case starts from: how the request reaches the faulty route. */
type Route = 'users.create' | 'users.info' | 'users.createToken' | 'info';

const ROUTES: readonly Route[] = [
  'users.create',
  'users.info',
  'users.createToken',
  'info',
];

describe('Rocket.Chat slow, down, failing or rate limiting on each route the bridge calls', () => {
  let h: Harness;
  let clock: FakeClock;
  /**
   * The suite's time only moves forward, across tests too (the breaker remembers), and runs ahead
   * of the real one: users are created in real time, and a session older than its user's
   * password would have ended.
   */
  let last = Date.now() + 60_000;
  const usernames: string[] = [];
  /** Logins a test made in Rocket.Chat itself (not the bridge's). */
  const foreignTokens: string[] = [];
  let counter = 0;

  beforeAll(async () => {
    h = await startHarness({
      label: 'rc_faults',
      // Revocations through Rocket.Chat's database: its REST logout allows 10 a minute per IP.
      withMongoDb: true,
      env: { ROCKETCHAT_REVOCATION_INTERVAL: '200ms' },
    });
    // One user provisioned while everything works, for the routes of an existing account.
    await newUser('linked');
    const client = await loginAs(h.app, 'linked', PASSWORD);
    const first = await callApiUrl(h.app, client, h.rc.origin);
    if (first.statusCode !== 200) {
      throw new Error(`set-up: the API URL answered ${first.statusCode}`);
    }
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

  async function newUser(username: string): Promise<void> {
    await h.app.get(UserAdminService).create({
      username,
      password: PASSWORD,
      displayName: `Display ${username}`,
      email: `${username}@example.org`,
    });
    usernames.push(username);
  }

  /** A browser logged in to the bridge, ready for Rocket.Chat to call the API URL. */
  async function visitorFor(route: Route): Promise<BrowserLikeClient> {
    if (route === 'users.create') {
      counter += 1;
      await newUser(`fresh${counter}`);
      return loginAs(h.app, `fresh${counter}`, PASSWORD);
    }
    if (route === 'info') {
      h.app.get(RocketChatVersionService).forget();
    }
    return loginAs(h.app, 'linked', PASSWORD);
  }

  describe.each(ROUTES)('%s', (route) => {
    it.each(
      ACTIONS.filter(
        ([, action]) =>
          action.type !== 'no-auth-token' || route === 'users.createToken',
      ),
    )(
      'should answer the API URL 503 within a bounded time on %s, then recover',
      async (_name, action) => {
        const client = await visitorFor(route);
        const fault = h.rc.control.injectFault({ route, action });
        const started = Date.now();
        const answer = await callApiUrl(h.app, client, h.rc.origin);
        const ms = Date.now() - started;
        // The call reached the faulty route (a slow one is logged only when it ends).
        expect(
          h.rc.control.faults().find((f) => f.id === fault)?.hits,
        ).toBeGreaterThan(0);
        expect(answer.statusCode).toBe(503);
        expect(ms).toBeLessThan(ANSWER_BOUND_MS);
        expect(answer.headers).toMatchObject({
          'access-control-allow-origin': h.rc.origin,
          'retry-after': expect.stringMatching(/^[1-9]\d*$/),
          'cache-control': 'no-store',
        });
        expect(answer.body).not.toMatch(/loginToken|token|stack|<html/i);

        h.rc.control.clearFaults();
        clock.advance(QUIET_MS);
        const again = await callApiUrl(h.app, client, h.rc.origin);
        expect(again.statusCode).toBe(200);
        expect(again.json()).toEqual({ loginToken: expect.any(String) });
      },
      30_000,
    );
  });

  it('should keep logging in while users.update fails: a stale profile is no reason to refuse', async () => {
    const link = await h.app
      .get(UserLinksRepository)
      .find((await h.app.get(UserAdminService).require('linked')).id);
    for (const [, action] of ACTIONS.filter(
      ([, a]) => a.type !== 'no-auth-token',
    )) {
      await h.rc.control.updateUser(link?.rcUserId ?? '', { name: 'Stale' });
      const client = await loginAs(h.app, 'linked', PASSWORD);
      h.rc.control.injectFault({ route: 'users.update', action });
      const started = Date.now();
      const answer = await callApiUrl(h.app, client, h.rc.origin);
      expect(answer.statusCode).toBe(200);
      expect(Date.now() - started).toBeLessThan(ANSWER_BOUND_MS);
      h.rc.control.clearFaults();
      clock.advance(QUIET_MS);
    }
  }, 120_000);

  it("should bound a request's Rocket.Chat calls together, not one timeout each", async () => {
    const link = await h.app
      .get(UserLinksRepository)
      .find((await h.app.get(UserAdminService).require('linked')).id);
    await h.rc.control.updateUser(link?.rcUserId ?? '', { name: 'Stale' });
    const client = await loginAs(h.app, 'linked', PASSWORD);
    // Slow but in time, then two calls that never answer: one budget of 1.5 × 3 s for all.
    h.rc.control.injectFault({
      route: 'users.info',
      action: { type: 'latency', ms: TIMEOUT_MS - 100 },
      times: 1,
    });
    h.rc.control.injectFault({
      route: 'users.update',
      action: { type: 'hang' },
    });
    const mint = h.rc.control.injectFault({
      route: 'users.createToken',
      action: { type: 'hang' },
    });
    const started = Date.now();
    const answer = await callApiUrl(h.app, client, h.rc.origin);
    const ms = Date.now() - started;
    expect(answer.statusCode).toBe(503);
    // One timeout per call would be about 9 s; the budget ends it at about 4.5 s.
    expect(ms).toBeLessThan(7000);
    expect(h.rc.control.faults().find((f) => f.id === mint)?.hits).toBe(0);
    h.rc.control.clearFaults();
    clock.advance(QUIET_MS);
  });

  it('should say in plain words in the frame that the chat is not reachable', async () => {
    const client = await visitorFor('users.createToken');
    h.rc.control.injectFault({
      route: 'users.createToken',
      action: { type: 'status', status: 503 },
    });
    const page = await client.get('/rocketchat/redirect', {
      'sec-fetch-dest': 'iframe',
      'sec-fetch-site': 'cross-site',
      accept: 'text/html',
    });
    expect(page.statusCode).toBe(503);
    expect(page.body).toContain('The chat is not reachable');
    expect(page.body).toContain(
      'Logging in to the chat is not possible right now. Please try again in a few minutes.',
    );
    expect(page.body).not.toMatch(/users\.createToken|503|stack/);
    h.rc.control.clearFaults();
    clock.advance(QUIET_MS);
  });

  it('should stop calling a dead Rocket.Chat once the breaker opens, probe after the cool-down, and close on success', async () => {
    const client = await visitorFor('users.createToken');
    h.rc.control.injectFault({
      route: '*',
      action: { type: 'status', status: 502 },
    });
    const before = h.rc.control.countCalls({});
    const statuses: number[] = [];
    for (let i = 0; i < 12; i += 1) {
      statuses.push((await callApiUrl(h.app, client, h.rc.origin)).statusCode);
    }
    // Five failures within ten seconds open it (reads are retried, so fewer requests do it).
    const reached = h.rc.control.countCalls({}) - before;
    expect(reached).toBeLessThanOrEqual(5);
    expect(h.app.get(RocketChatHttp).breaker.state).toBe('open');
    expect(statuses).toEqual(Array(12).fill(503));
    const fast = Date.now();
    const refused = await callApiUrl(h.app, client, h.rc.origin);
    expect(Date.now() - fast).toBeLessThan(1000);
    expect(refused.statusCode).toBe(503);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect(h.rc.control.countCalls({}) - before).toBe(reached);

    // After the cool-down one probe goes through; it fails, so the breaker opens again.
    clock.advance(30_000);
    expect((await callApiUrl(h.app, client, h.rc.origin)).statusCode).toBe(503);
    expect(h.rc.control.countCalls({}) - before).toBe(reached + 1);
    expect(h.app.get(RocketChatHttp).breaker.state).toBe('open');
    expect((await callApiUrl(h.app, client, h.rc.origin)).statusCode).toBe(503);
    expect(h.rc.control.countCalls({}) - before).toBe(reached + 1);

    // Rocket.Chat is back: the next probe succeeds and closes it.
    h.rc.control.clearFaults();
    clock.advance(30_000);
    expect((await callApiUrl(h.app, client, h.rc.origin)).statusCode).toBe(200);
    expect(h.app.get(RocketChatHttp).breaker.state).toBe('closed');
    clock.advance(QUIET_MS);
  });

  it('should find and remove the token Rocket.Chat issued for a users.createToken the bridge stopped waiting for', async () => {
    const link = await h.app
      .get(UserLinksRepository)
      .find((await h.app.get(UserAdminService).require('linked')).id);
    const rcUserId = link?.rcUserId ?? '';
    // The person's phone logged in to Rocket.Chat itself, earlier: that login is not the bridge's.
    const phone = await h.rc.control.issueResumeToken(rcUserId, {
      when: Date.now() - 10 * 60_000,
    });
    foreignTokens.push(hashLoginToken(phone));
    const client = await loginAs(h.app, 'linked', PASSWORD);
    const before = await h.rc.control.tokenCount(rcUserId, 'resume');
    h.rc.control.injectFault({
      route: 'users.createToken',
      action: { type: 'latency', ms: TIMEOUT_MS + 1000 },
      times: 1,
    });
    expect((await callApiUrl(h.app, client, h.rc.origin)).statusCode).toBe(503);
    // Rocket.Chat carries the call out after the bridge stopped waiting: a token nobody received.
    await expect
      .poll(() => h.rc.control.tokenCount(rcUserId, 'resume'))
      .toBe(before + 1);
    // Nothing is removed while Rocket.Chat might still be working on the call...
    await h.app.get(RevocationWorker).drain();
    expect(await h.rc.control.tokenCount(rcUserId, 'resume')).toBe(before + 1);
    // ...and once it surely has finished, the stray token goes; the phone's login stays.
    clock.advance(3 * 60_000);
    await h.app.get(RevocationWorker).drain();
    await expect
      .poll(() => h.rc.control.tokenCount(rcUserId, 'resume'))
      .toBe(before);
    expect((await h.rc.control.checkToken(phone)).valid).toBe(true);
    const again = await callApiUrl(h.app, client, h.rc.origin);
    expect(again.statusCode).toBe(200);
    const minted = again.json<{ loginToken: string }>().loginToken;
    expect((await h.rc.control.checkToken(minted)).valid).toBe(true);
    clock.advance(QUIET_MS);
  });

  it('should leave nothing orphaned or half-written in either database', async () => {
    expect(
      await settleAndCheck(h, usernames, PASSWORD, { clock, foreignTokens }),
    ).toEqual([]);
  }, 120_000);
});
