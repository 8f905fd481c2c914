import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { UserAdminService, UsersRepository } from '../../src/users/index.js';
import { UserLinksRepository } from '../../src/rocketchat/provisioning/user-links.repository.js';
import { BrowserLikeClient } from '../support/browser-like-client.js';
import { fakeClock } from '../support/fake-clock.js';
import { callApiUrl, loginAs, startHarness, type Harness } from './harness.js';

const PASSWORD = 'correct horse battery';
let counter = 0;

async function newUser(h: Harness): Promise<{ id: string; username: string }> {
  counter += 1;
  const username = `user${counter}`;
  const user = await h.app
    .get(UserAdminService)
    .create({ username, password: PASSWORD, email: `${username}@example.org` });
  return { id: user.id, username };
}

async function loggedIn(
  h: Harness,
): Promise<{ client: BrowserLikeClient; id: string }> {
  const user = await newUser(h);
  return { client: await loginAs(h.app, user.username, PASSWORD), id: user.id };
}

function rcUserOf(h: Harness, bridgeUserId: string): Promise<string> {
  return h.app
    .get(UserLinksRepository)
    .find(bridgeUserId)
    .then((link) => link?.rcUserId ?? '');
}

describe.each(['7.10.0', '8.0.0', '9.0.1'])(
  'API URL (Rocket.Chat %s)',
  (version) => {
    let h: Harness;

    beforeAll(async () => {
      h = await startHarness({ version });
    });

    afterAll(async () => {
      await h.close();
    });

    afterEach(() => {
      h.rc.control.clearFaults();
    });

    it('should answer 200 {"loginToken"} with the exact CORS grant and no-store, and the token logs in', async () => {
      const { client, id } = await loggedIn(h);
      const answer = await callApiUrl(h.app, client, h.rc.origin);
      expect(answer.statusCode).toBe(200);
      expect(answer.headers).toMatchObject({
        'access-control-allow-origin': h.rc.origin,
        'access-control-allow-credentials': 'true',
        vary: 'Origin',
        'cache-control': 'no-store',
        'content-type': 'application/json; charset=utf-8',
      });
      const body = answer.json<Record<string, string>>();
      expect(Object.keys(body)).toEqual(['loginToken']);
      expect(await h.rc.control.checkToken(body.loginToken)).toMatchObject({
        valid: true,
        kind: 'resume',
        userId: await rcUserOf(h, id),
      });
    });

    it('should answer GET too, and the React-era POST with Content-Type and no body', async () => {
      const { client } = await loggedIn(h);
      const get = await callApiUrl(h.app, client, h.rc.origin, {
        method: 'GET',
      });
      expect(get.statusCode).toBe(200);
      const react = await callApiUrl(h.app, client, h.rc.origin, {
        headers: { 'content-type': 'application/json' },
      });
      expect(react.statusCode).toBe(200);
      expect(react.json()).toEqual(get.json());
    });

    it('should answer 401 with the CORS grant and no body when there is no session', async () => {
      const answer = await callApiUrl(h.app, undefined, h.rc.origin);
      expect(answer.statusCode).toBe(401);
      expect(answer.body).toBe('');
      expect(answer.headers).toMatchObject({
        'access-control-allow-origin': h.rc.origin,
        'access-control-allow-credentials': 'true',
        vary: 'Origin',
      });
    });

    it.each([
      ['an unknown origin', { origin: 'https://evil.example' }],
      ['a null origin', { origin: 'null' }],
      ['a look-alike origin', { origin: 'http://127.0.0.1.evil.example' }],
      ['no origin, cross-site', { 'sec-fetch-site': 'cross-site' }],
      ['no origin at all', {}],
    ])(
      'should refuse %s with 403 before reading the session, minting nothing',
      async (_case, headers: Record<string, string>) => {
        const { client } = await loggedIn(h);
        const before = h.rc.control.countCalls('users.createToken');
        const answer = await h.app.inject({
          method: 'POST',
          url: '/rocketchat/api',
          headers: { ...headers, cookie: client.cookieHeader() ?? '' },
        });
        expect(answer.statusCode).toBe(403);
        expect(answer.headers['access-control-allow-origin']).toBeUndefined();
        expect(
          answer.headers['access-control-allow-credentials'],
        ).toBeUndefined();
        expect(answer.headers.vary).toBe('Origin');
        expect(answer.body).not.toContain('loginToken');
        expect(h.rc.control.countCalls('users.createToken')).toBe(before);
      },
    );

    it('should answer preflights with fixed lists, never echoing the requested headers', async () => {
      const allowed = await callApiUrl(h.app, undefined, h.rc.origin, {
        method: 'OPTIONS',
        headers: {
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'x-evil, authorization',
        },
      });
      expect(allowed.statusCode).toBe(204);
      expect(allowed.headers).toMatchObject({
        'access-control-allow-origin': h.rc.origin,
        'access-control-allow-credentials': 'true',
        'access-control-allow-methods': 'GET, POST',
        'access-control-allow-headers': 'Content-Type',
        'access-control-max-age': '600',
        vary: 'Origin',
      });
      const evil = await callApiUrl(h.app, undefined, 'https://evil.example', {
        method: 'OPTIONS',
        headers: { 'access-control-request-method': 'POST' },
      });
      expect(evil.statusCode).toBe(403);
      expect(evil.headers['access-control-allow-origin']).toBeUndefined();
      const bare = await callApiUrl(h.app, undefined, h.rc.origin, {
        method: 'OPTIONS',
      });
      expect(bare.statusCode).toBe(400);
    });

    it('should answer 405 to other methods', async () => {
      const answer = await callApiUrl(h.app, undefined, h.rc.origin, {
        method: 'PUT',
      });
      expect(answer.statusCode).toBe(405);
      expect(answer.headers.allow).toBe('GET, POST, OPTIONS');
      expect(answer.headers.vary).toBe('Origin');
    });

    it('should hand the session’s token out again on every call, hours later too, without calling Rocket.Chat', async () => {
      const { client, id } = await loggedIn(h);
      // Rocket.Chat 7.8+ asks on every page load while it holds the token: no call means it lost it.
      const clock = fakeClock();
      const first = (await callApiUrl(h.app, client, h.rc.origin)).json<{
        loginToken: string;
      }>();
      const calls = h.rc.control.calls().length;
      for (const step of [0, 1, 999, 1000, 10 * 60_000, 3 * 3_600_000]) {
        clock.advance(step);
        const again = await callApiUrl(h.app, client, h.rc.origin);
        expect(again.statusCode).toBe(200);
        expect(again.json()).toEqual(first);
      }
      // A re-delivery is the bridge's own store: not one Rocket.Chat call, no new token.
      expect(h.rc.control.calls().length).toBe(calls);
      expect(
        await h.rc.control.tokenCount(await rcUserOf(h, id), 'resume'),
      ).toBe(1);
      expect((await h.rc.control.checkToken(first.loginToken)).valid).toBe(
        true,
      );
    });

    it('should mint once for concurrent calls of one session', async () => {
      const { client } = await loggedIn(h);
      // Tokens Rocket.Chat handed out; a brand-new person costs an extra refused call on a
      // release with bug #40598 (7.10, 8.0.0).
      const minted = () =>
        h.rc.control.countCalls({ route: 'users.createToken', status: 200 });
      const before = minted();
      const answers = await Promise.all(
        Array.from({ length: 5 }, () => callApiUrl(h.app, client, h.rc.origin)),
      );
      expect(answers.map((a) => a.statusCode)).toEqual([
        200, 200, 200, 200, 200,
      ]);
      expect(new Set(answers.map((a) => a.body)).size).toBe(1);
      expect(minted()).toBe(before + 1);
    });

    it('should give each bridge login its own token, and bound the tokens per login', async () => {
      const user = await newUser(h);
      const one = await loginAs(h.app, user.username, PASSWORD);
      const two = await loginAs(h.app, user.username, PASSWORD);
      const a = (await callApiUrl(h.app, one, h.rc.origin)).json<{
        loginToken: string;
      }>();
      const b = (await callApiUrl(h.app, two, h.rc.origin)).json<{
        loginToken: string;
      }>();
      expect(a.loginToken).not.toBe(b.loginToken);
      for (let i = 0; i < 10; i += 1) {
        expect((await callApiUrl(h.app, one, h.rc.origin)).json()).toEqual(a);
        expect((await callApiUrl(h.app, two, h.rc.origin)).json()).toEqual(b);
      }
      expect(
        await h.rc.control.tokenCount(await rcUserOf(h, user.id), 'resume'),
      ).toBe(2);
    });

    it('should answer 503 with the CORS grant and Retry-After when Rocket.Chat fails', async () => {
      const { client } = await loggedIn(h);
      h.rc.control.injectFault({
        route: 'users.createToken',
        action: { type: 'status', status: 500 },
        times: 1,
      });
      const answer = await callApiUrl(h.app, client, h.rc.origin);
      expect(answer.statusCode).toBe(503);
      expect(answer.headers).toMatchObject({
        'access-control-allow-origin': h.rc.origin,
        'retry-after': expect.stringMatching(/^\d+$/),
      });
      expect(answer.body).not.toContain('loginToken');
      // Nothing half-done stays behind: the next call mints normally.
      expect((await callApiUrl(h.app, client, h.rc.origin)).statusCode).toBe(
        200,
      );
    });

    it('should never answer 200 for a malformed createToken answer', async () => {
      const { client } = await loggedIn(h);
      for (const action of [
        { type: 'no-auth-token' as const },
        { type: 'success-false' as const },
        { type: 'html' as const, status: 200 },
        { type: 'truncated-json' as const, status: 200 },
      ]) {
        h.rc.control.injectFault({
          route: 'users.createToken',
          action,
          times: 1,
        });
        const answer = await callApiUrl(h.app, client, h.rc.origin);
        expect(answer.statusCode).toBe(503);
      }
    });

    it('should end the session and answer 401 for a user disabled in the bridge', async () => {
      const { client, id } = await loggedIn(h);
      await h.app.get(UsersRepository).setActive(id, false);
      expect((await callApiUrl(h.app, client, h.rc.origin)).statusCode).toBe(
        401,
      );
      const page = await client.get('/login');
      expect(page.body).toContain('name="password"');
    });

    it('should answer 401 for a user deactivated in Rocket.Chat', async () => {
      const { client, id } = await loggedIn(h);
      expect((await callApiUrl(h.app, client, h.rc.origin)).statusCode).toBe(
        200,
      );
      const second = await loginAs(
        h.app,
        (await h.app.get(UsersRepository).findById(id))?.username ?? '',
        PASSWORD,
      );
      await h.rc.control.updateUser(await rcUserOf(h, id), { active: false });
      expect((await callApiUrl(h.app, second, h.rc.origin)).statusCode).toBe(
        401,
      );
    });

    it('should ignore identity parameters from the request', async () => {
      const { client, id } = await loggedIn(h);
      const answer = await h.app.inject({
        method: 'POST',
        url: `/rocketchat/api?userId=${h.admin.userId}&username=${h.admin.username}`,
        headers: {
          origin: h.rc.origin,
          cookie: client.cookieHeader() ?? '',
          'content-type': 'application/json',
          'x-user-id': h.admin.userId,
        },
        payload: JSON.stringify({ userId: h.admin.userId }),
      });
      const token = answer.json<{ loginToken: string }>().loginToken;
      expect((await h.rc.control.checkToken(token)).userId).toBe(
        await rcUserOf(h, id),
      );
    });
  },
);

describe('API URL with the legacy iframe token', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness({
      withMongoDb: true,
      env: { ROCKETCHAT_TOKEN_STRATEGY: 'legacy-iframe-token' },
    });
  });

  afterAll(async () => {
    await h.close();
  });

  it('should answer {"token"} only, never loginToken as well', async () => {
    const { client } = await loggedIn(h);
    const answer = await callApiUrl(h.app, client, h.rc.origin);
    expect(answer.statusCode).toBe(200);
    expect(Object.keys(answer.json())).toEqual(['token']);
  });
});

describe('API URL with mongo-resume tokens', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness({
      withMongoDb: true,
      env: { ROCKETCHAT_TOKEN_STRATEGY: 'mongo-resume' },
    });
  });

  afterAll(async () => {
    await h.close();
  });

  it('should answer a loginToken written into Rocket.Chat without users.createToken', async () => {
    const { client } = await loggedIn(h);
    const answer = await callApiUrl(h.app, client, h.rc.origin);
    const token = answer.json<{ loginToken: string }>().loginToken;
    expect((await h.rc.control.checkToken(token)).valid).toBe(true);
    expect(h.rc.control.countCalls('users.createToken')).toBe(0);
  });
});
