import { getConnectionToken } from '@nestjs/mongoose';
import { Types, type Connection } from 'mongoose';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { UserAdminService } from '../../src/users/index.js';
import { SessionService } from '../../src/session/index.js';
import { OrphanSweeper } from '../../src/rocketchat/tokens/orphan-sweeper.service.js';
import { RevocationQueueRepository } from '../../src/rocketchat/tokens/revocation-queue.repository.js';
import { BrowserLikeClient, csrfOf } from '../support/browser-like-client.js';
import { RcClient } from '../rc-emulator/test-helpers.js';
import { fakeClock } from '../support/fake-clock.js';
import { callApiUrl, loginAs, startHarness, type Harness } from './harness.js';

const PASSWORD = 'correct horse battery';
let counter = 0;

interface Visitor {
  readonly client: BrowserLikeClient;
  readonly sessionId: string;
  readonly token: string;
  readonly rcUserId: string;
}

/** A bridge user who logged in and whose Rocket.Chat page got its token from the API URL. */
async function visitor(h: Harness): Promise<Visitor> {
  counter += 1;
  const username = `person${counter}`;
  await h.app.get(UserAdminService).create({ username, password: PASSWORD });
  const client = await loginAs(h.app, username, PASSWORD);
  const answer = await callApiUrl(h.app, client, h.rc.origin);
  const token = answer.json<{ loginToken: string }>().loginToken;
  const check = await h.rc.control.checkToken(token);
  const session = await h.app.get(SessionService).resolve({
    headers: { cookie: client.cookieHeader() },
  } as never);
  return {
    client,
    sessionId: session?.id ?? '',
    token,
    rcUserId: check.userId ?? '',
  };
}

/** Logs out at the bridge with its own form (shown on the "Continue as" page). */
async function bridgeLogout(h: Harness, v: Visitor): Promise<number> {
  await h.app.get(SessionService).setInteractionRequired(v.sessionId, true);
  const page = await v.client.get('/login?next=/rocketchat/redirect');
  const answer = await v.client.post('/logout', { csrf: csrfOf(page.body) });
  return answer.statusCode;
}

async function adminStillWorks(h: Harness): Promise<number> {
  const me = await new RcClient(h.rc.url).get('/api/v1/me', {
    auth: { userId: h.admin.userId, token: h.admin.pat ?? '' },
  });
  return me.status;
}

describe('Bridge logout → Rocket.Chat (token mode)', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness({
      env: { ROCKETCHAT_REVOCATION_INTERVAL: '100ms' },
    });
  });

  afterAll(async () => {
    await h.close();
  });

  afterEach(() => {
    h.rc.control.clearFaults();
  });

  it('should revoke exactly the token it issued, leaving the user’s other logins alone', async () => {
    const v = await visitor(h);
    const mobile = await h.rc.control.issueResumeToken(v.rcUserId);
    expect(await bridgeLogout(h, v)).toBe(200);
    await expect
      .poll(async () => (await h.rc.control.checkToken(v.token)).valid)
      .toBe(false);
    expect((await h.rc.control.checkToken(mobile)).valid).toBe(true);
    expect(h.rc.control.countCalls('users.logout')).toBe(0);
    expect(await adminStillWorks(h)).toBe(200);
  });

  it('should not wait for Rocket.Chat: the logout completes while it is down, and the revocation follows', async () => {
    const v = await visitor(h);
    h.rc.control.injectFault({ route: 'logout', action: { type: 'hang' } });
    const started = Date.now();
    expect(await bridgeLogout(h, v)).toBe(200);
    expect(Date.now() - started).toBeLessThan(1000);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await h.rc.control.checkToken(v.token)).valid).toBe(true);
    h.rc.control.clearFaults();
    await expect
      .poll(async () => (await h.rc.control.checkToken(v.token)).valid, {
        timeout: 15_000,
      })
      .toBe(false);
    await expect
      .poll(() => h.app.get(RevocationQueueRepository).count(), {
        timeout: 5000,
      })
      .toBe(0);
  });

  it('should revoke the token of a session that expired or was replaced', async () => {
    const v = await visitor(h);
    expect(
      await h.app.get(SessionService).destroy(v.sessionId, 'expired'),
    ).toBe(true);
    await expect
      .poll(async () => (await h.rc.control.checkToken(v.token)).valid)
      .toBe(false);
  });

  it('should find and revoke a token whose session vanished without an event', async () => {
    const v = await visitor(h);
    // As if the process died between deleting the session and announcing it.
    await h.app
      .get<Connection>(getConnectionToken())
      .collection('bridge_sessions')
      .deleteOne({ _id: new Types.ObjectId(v.sessionId) });
    // Younger than the grace period (12 × 100 ms), the record might be a mint in progress.
    const clock = fakeClock();
    const sweeper = h.app.get(OrphanSweeper);
    expect(await h.app.get(SessionService).exists(v.sessionId)).toBe(false);
    clock.advance(1300);
    expect(await sweeper.sweep()).toBeGreaterThanOrEqual(1);
    await expect
      .poll(async () => (await h.rc.control.checkToken(v.token)).valid)
      .toBe(false);
  });
});

describe('Bridge logout → Rocket.Chat (all mode)', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness({ env: { ROCKETCHAT_LOGOUT_MODE: 'all' } });
  });

  afterAll(async () => {
    await h.close();
  });

  it("should log the user out everywhere with the user's id, and the admin's token survives", async () => {
    const v = await visitor(h);
    const mobile = await h.rc.control.issueResumeToken(v.rcUserId);
    expect(await bridgeLogout(h, v)).toBe(200);
    await expect.poll(() => h.rc.control.tokenCount(v.rcUserId)).toBe(0);
    expect((await h.rc.control.checkToken(mobile)).valid).toBe(false);
    expect(h.rc.control.calls({ route: 'users.logout' })).toEqual([
      expect.objectContaining({ status: 200, userId: h.admin.userId }),
    ]);
    expect(await adminStillWorks(h)).toBe(200);
  });

  it('should only revoke the session token when a session merely expires', async () => {
    const v = await visitor(h);
    const mobile = await h.rc.control.issueResumeToken(v.rcUserId);
    await h.app.get(SessionService).destroy(v.sessionId, 'expired');
    await expect
      .poll(async () => (await h.rc.control.checkToken(v.token)).valid)
      .toBe(false);
    expect((await h.rc.control.checkToken(mobile)).valid).toBe(true);
  });
});

describe('Rocket.Chat logout → bridge (Custom_Script_On_Logout endpoint)', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness();
  });

  afterAll(async () => {
    await h.close();
  });

  function reverseLogout(
    v: Visitor | undefined,
    origin: string | undefined,
    method: 'POST' | 'GET' | 'OPTIONS' = 'POST',
    headers: Record<string, string> = {},
  ) {
    return h.app.inject({
      method,
      url: '/rocketchat/logout',
      headers: {
        ...(origin ? { origin } : {}),
        ...(v ? { cookie: v.client.cookieHeader() ?? '' } : {}),
        ...headers,
      },
    });
  }

  it('should end the bridge session for an allowed origin, with CORS, and revoke the token once', async () => {
    const v = await visitor(h);
    // Rocket.Chat removed its token itself when the person logged out there.
    await h.rc.control.revokeToken(v.rcUserId, v.token);
    const answer = await reverseLogout(v, h.rc.origin);
    expect(answer.statusCode).toBe(204);
    expect(answer.headers).toMatchObject({
      'access-control-allow-origin': h.rc.origin,
      'access-control-allow-credentials': 'true',
      vary: 'Origin',
    });
    expect(String(answer.headers['set-cookie'])).toMatch(/Max-Age=0/);
    expect(await h.app.get(SessionService).exists(v.sessionId)).toBe(false);
    // Rocket.Chat then asks the API URL: no session, so the login form shows (no loop).
    expect((await callApiUrl(h.app, v.client, h.rc.origin)).statusCode).toBe(
      401,
    );
    // The revocation runs after the answer: wait for its effects, generously (a loaded CI machine).
    await expect
      .poll(() => h.rc.control.countCalls('logout'), { timeout: 10_000 })
      .toBe(1);
    await expect
      .poll(() => h.app.get(RevocationQueueRepository).count(), {
        timeout: 10_000,
      })
      .toBe(0);
  });

  it('should revoke once when Rocket.Chat asked the API URL before the logout endpoint', async () => {
    const v = await visitor(h);
    const before = h.rc.control.countCalls('logout');
    // The person logged out in Rocket.Chat, which destroyed the token...
    await h.rc.control.revokeToken(v.rcUserId, v.token);
    // ...and its client asks the API URL at once: a call is no evidence, the token comes back
    // (Rocket.Chat refuses it and shows the login frame, where the bridge asks "Continue as")...
    expect(
      (await callApiUrl(h.app, v.client, h.rc.origin)).json<{
        loginToken: string;
      }>().loginToken,
    ).toBe(v.token);
    // ...then the custom logout script ends the bridge session, which is the evidence.
    expect((await reverseLogout(v, h.rc.origin)).statusCode).toBe(204);
    expect((await callApiUrl(h.app, v.client, h.rc.origin)).statusCode).toBe(
      401,
    );
    await expect
      .poll(() => h.rc.control.countCalls('logout') - before, {
        timeout: 10_000,
      })
      .toBeGreaterThanOrEqual(1);
    await expect
      .poll(() => h.app.get(RevocationQueueRepository).count(), {
        timeout: 10_000,
      })
      .toBe(0);
    // Settled: nothing left that could revoke a second time.
    expect(h.rc.control.countCalls('logout') - before).toBe(1);
  });

  it('should refuse other origins and leave the session alone', async () => {
    const v = await visitor(h);
    for (const origin of ['https://evil.example', 'null', undefined]) {
      const answer = await reverseLogout(v, origin);
      expect(answer.statusCode).toBe(403);
      expect(answer.headers['access-control-allow-origin']).toBeUndefined();
    }
    expect(await h.app.get(SessionService).exists(v.sessionId)).toBe(true);
  });

  it('should not change state on GET, and answer preflights', async () => {
    const v = await visitor(h);
    expect((await reverseLogout(v, h.rc.origin, 'GET')).statusCode).toBe(405);
    expect(await h.app.get(SessionService).exists(v.sessionId)).toBe(true);
    const preflight = await reverseLogout(undefined, h.rc.origin, 'OPTIONS', {
      'access-control-request-method': 'POST',
    });
    expect(preflight.statusCode).toBe(204);
  });

  it('should accept sendBeacon and fetch bodies and answer 204 without a session', async () => {
    const answer = await reverseLogout(undefined, h.rc.origin, 'POST', {
      'content-type': 'text/plain;charset=UTF-8',
    });
    expect(answer.statusCode).toBe(204);
    const json = await reverseLogout(undefined, h.rc.origin, 'POST', {
      'content-type': 'application/json',
    });
    expect(json.statusCode).toBe(204);
  });
});
