import { getConnectionToken } from '@nestjs/mongoose';
import type { Connection } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { CredentialsService } from '../../src/users/index.js';
import {
  BrowserLikeClient,
  decoded,
  setCookies,
} from '../support/browser-like-client.js';
import {
  createLoginApp,
  DEFAULT_TARGET,
  LOGIN_COOKIE,
  PASSWORD,
  PUBLIC_ORIGIN,
  SESSION_COOKIE,
  stable,
  type LoginApp,
} from './login-fixtures.js';

describe('POST /login', () => {
  let t: LoginApp;
  beforeAll(async () => {
    t = await createLoginApp('login_submit');
  });
  afterAll(() => t.close());

  const sessions = () =>
    t.app.get<Connection>(getConnectionToken()).collection('bridge_sessions');

  it('should log in through passport-local on Fastify, set the session cookie and go on to next (303)', async () => {
    const client = new BrowserLikeClient(t.app);
    const { csrf } = await client.open('/login/?next=/rocketchat/redirect');
    const response = await client.post('/login', {
      csrf,
      username: 'alice',
      password: PASSWORD,
    });
    expect(response.statusCode).toBe(303);
    expect(response.headers.location).toBe(DEFAULT_TARGET);
    // The page's policy, and framing by the Rocket.Chat origin only (its last directive).
    expect(response.headers['content-security-policy']).toMatch(
      /(?:^|; )frame-ancestors http:\/\/localhost:3000$/,
    );
    const cookies = setCookies(response);
    expect(cookies).toContainEqual(
      expect.stringMatching(
        new RegExp(
          `^${SESSION_COOKIE}=[\\w-]{43}; Max-Age=604800; Path=/; HttpOnly; SameSite=Lax; Secure$`,
        ),
      ),
    );
    // The login flow ends with the login: its cookie is cleared.
    expect(cookies).toContainEqual(
      expect.stringMatching(new RegExp(`^${LOGIN_COOKIE}=; Max-Age=0;`)),
    );
    expect(
      await sessions().countDocuments({ userId: t.users.alice }),
    ).toBeGreaterThan(0);
  });

  it('should accept a user name typed in another case (normalised by the credential check)', async () => {
    const client = new BrowserLikeClient(t.app);
    const { csrf } = await client.open('/login');
    const response = await client.post('/login', {
      csrf,
      username: 'ALICE',
      password: PASSWORD,
    });
    expect(response.statusCode).toBe(303);
  });

  it('should refuse session fixation: a planted cookie is never adopted, and a login always issues a new token', async () => {
    const planted = 'A'.repeat(43);
    const client = new BrowserLikeClient(t.app);
    client.cookies.set(SESSION_COOKIE, planted);
    const { response: page, csrf } = await client.open('/login');
    expect(page.statusCode).toBe(200); // the planted cookie is no session
    await client.post('/login', {
      csrf,
      username: 'alice',
      password: PASSWORD,
    });
    const issued = client.cookies.get(SESSION_COOKIE)!;
    expect(issued).not.toBe(planted);
    const attacker = new BrowserLikeClient(t.app);
    attacker.cookies.set(SESSION_COOKIE, planted);
    expect((await attacker.get('/login')).statusCode).toBe(200);
  });

  it('should replace a session the browser already holds with a new one at login', async () => {
    const earlier = new BrowserLikeClient(t.app);
    const { csrf: first } = await earlier.open('/login');
    await earlier.post('/login', {
      csrf: first,
      username: 'alice',
      password: PASSWORD,
    });
    const before = earlier.cookies.get(SESSION_COOKIE)!;

    const client = new BrowserLikeClient(t.app);
    const { csrf } = await client.open('/login');
    client.cookies.set(SESSION_COOKIE, before);
    const response = await client.post('/login', {
      csrf,
      username: 'alice',
      password: PASSWORD,
    });
    expect(response.statusCode).toBe(303);
    expect(client.cookies.get(SESSION_COOKIE)).not.toBe(before);
    expect((await earlier.get('/login')).statusCode).toBe(200); // the old token is dead
    expect(t.events).toContainEqual(
      expect.objectContaining({ userId: t.users.alice, reason: 'replaced' }),
    );
  });

  it('should answer unknown user, wrong password and disabled account identically (401, one message)', async () => {
    const bodies: string[] = [];
    for (const [username, password] of [
      ['nobody', PASSWORD],
      ['alice', 'wrong password'],
      ['dora', PASSWORD],
    ]) {
      const client = new BrowserLikeClient(t.app);
      const { csrf } = await client.open('/login');
      const response = await client.post('/login', {
        csrf,
        username,
        password,
      });
      expect({
        username,
        status: response.statusCode,
        cookies: setCookies(response),
      }).toEqual({
        username,
        status: 401,
        cookies: [],
      });
      expect(response.body).toContain('role="alert"');
      expect(response.body).toContain('The username or password is incorrect.');
      expect(response.body).toMatch(/id="password"[^>]*aria-invalid="true"/);
      bodies.push(
        stable(
          response.body
            .replace(`value="${username}"`, 'value=""')
            .replace(csrf, ''),
        ),
      );
    }
    expect(new Set(bodies).size).toBe(1);
  });

  it.each([
    ['no fields', {}],
    ['an empty password', { username: 'alice', password: '' }],
    ['a blank username', { username: '   ', password: PASSWORD }],
    ['a repeated field', { username: ['alice', 'bob'], password: PASSWORD }],
    [
      'an operator in the field name',
      { 'username[$ne]': 'x', password: PASSWORD },
    ],
    ['a 10 KB username', { username: 'a'.repeat(10_240), password: PASSWORD }],
    ['a 2 KB password', { username: 'alice', password: 'p'.repeat(2048) }],
  ])(
    'should answer 400 with the form again for %s, before any credential check',
    async (_case, fields) => {
      const verify = vi.spyOn(t.app.get(CredentialsService), 'verify');
      const client = new BrowserLikeClient(t.app);
      const { csrf } = await client.open('/login');
      const response = await client.post('/login', { csrf, ...fields });
      expect(response.statusCode).toBe(400);
      expect(response.body).toContain('role="alert"');
      expect(response.body).toContain('name="csrf"');
      expect(verify).not.toHaveBeenCalled();
      expect(response.body).not.toContain('a'.repeat(300));
    },
  );

  it('should answer 400 for a JSON body with objects for credentials (NoSQL operators)', async () => {
    const client = new BrowserLikeClient(t.app);
    const { csrf } = await client.open('/login');
    const response = await client.post(
      '/login',
      JSON.stringify({ csrf, username: { $ne: null }, password: { $gt: '' } }),
      { 'content-type': 'application/json' },
    );
    expect(response.statusCode).toBe(400);
    expect(setCookies(response)).toEqual([]);
  });

  it('should ignore a next sent with the form and use the one validated when the page was served', async () => {
    const client = new BrowserLikeClient(t.app);
    const { csrf } = await client.open(
      '/login?next=/rocketchat/redirect%3Fchosen%3D1',
    );
    const response = await client.post('/login?next=https://evil.example', {
      csrf,
      username: 'alice',
      password: PASSWORD,
      next: 'https://evil.example',
    });
    expect(response.headers.location).toBe(
      `${PUBLIC_ORIGIN}/rocketchat/redirect?chosen=1`,
    );
  });

  it('should carry the popup flag of a top-level login window into next', async () => {
    const client = new BrowserLikeClient(t.app);
    const { csrf } = await client.open(
      '/login/?next=/rocketchat/redirect&popup=1',
    );
    const response = await client.post('/login', {
      csrf,
      username: 'alice',
      password: PASSWORD,
    });
    expect(response.headers.location).toBe(`${DEFAULT_TARGET}?popup=1`);
  });
});

describe('POST /login CSRF checks', () => {
  let t: LoginApp;
  beforeAll(async () => {
    t = await createLoginApp('login_csrf');
  });
  afterAll(() => t.close());

  async function attempt(
    prepare: (
      client: BrowserLikeClient,
      csrf: string,
    ) => {
      url?: string;
      fields?: Record<string, string>;
      headers?: Record<string, string>;
    },
  ) {
    const verify = vi.spyOn(t.app.get(CredentialsService), 'verify');
    const client = new BrowserLikeClient(t.app);
    const { csrf } = await client.open('/login');
    const {
      url = '/login',
      fields = { csrf, username: 'alice', password: PASSWORD },
      headers = {},
    } = prepare(client, csrf);
    const response = await client.post(url, fields, headers);
    return { response, verified: verify.mock.calls.length };
  }

  it.each([
    [
      'a cross-site post',
      () => ({ headers: { 'sec-fetch-site': 'cross-site' } }),
    ],
    [
      'a same-site sibling',
      () => ({ headers: { 'sec-fetch-site': 'same-site' } }),
    ],
    [
      'a post without Fetch Metadata from another Origin',
      () => ({
        headers: { 'sec-fetch-site': '', origin: 'https://evil.example' },
      }),
    ],
    [
      'a post with Origin null',
      () => ({ headers: { 'sec-fetch-site': '', origin: 'null' } }),
    ],
    [
      'a post with neither Fetch Metadata nor Origin',
      () => ({ headers: { 'sec-fetch-site': '' } }),
    ],
    ['no token', () => ({ fields: { username: 'alice', password: PASSWORD } })],
    [
      'a wrong token',
      () => ({
        fields: { csrf: 'x'.repeat(43), username: 'alice', password: PASSWORD },
      }),
    ],
    [
      'a short token',
      (_c: BrowserLikeClient, csrf: string) => ({
        fields: { csrf: csrf.slice(1), username: 'alice', password: PASSWORD },
      }),
    ],
    [
      'the token only in the query string',
      (_c: BrowserLikeClient, csrf: string) => ({
        url: `/login?csrf=${csrf}`,
        fields: { username: 'alice', password: PASSWORD },
      }),
    ],
    [
      'a tampered login-flow cookie',
      (client: BrowserLikeClient) => {
        const value = client.cookies.get('__Host-rcbridge_session_login')!;
        client.cookies.set(
          '__Host-rcbridge_session_login',
          `${value.slice(0, -2)}xx`,
        );
        return {};
      },
    ],
  ])(
    'should refuse %s with 403 before checking credentials',
    async (_case, prepare) => {
      const { response, verified } = await attempt(prepare);
      expect(response.statusCode).toBe(403);
      expect(verified).toBe(0);
      expect(
        setCookies(response).some((l) =>
          l.startsWith('__Host-rcbridge_session='),
        ),
      ).toBe(false);
      expect(response.body).toContain('This form could not be accepted');
    },
  );

  it('should never log in from credentials in a GET query: the page is shown, nothing is checked', async () => {
    const verify = vi.spyOn(t.app.get(CredentialsService), 'verify');
    const client = new BrowserLikeClient(t.app);
    await client.open('/login/?next=/rocketchat/redirect');
    const before = await t.app
      .get<Connection>(getConnectionToken())
      .collection('bridge_sessions')
      .countDocuments();
    const response = await client.get(
      `/login/?next=/rocketchat/redirect&username=alice&password=${encodeURIComponent(PASSWORD)}`,
    );
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/html/);
    expect(setCookies(response).join('\n')).not.toContain(`${SESSION_COOKIE}=`);
    expect(response.body).not.toContain(PASSWORD);
    expect(verify).not.toHaveBeenCalled();
    expect(
      await t.app
        .get<Connection>(getConnectionToken())
        .collection('bridge_sessions')
        .countDocuments(),
    ).toBe(before);
    verify.mockRestore();
  });

  it('should refuse a token from another login flow', async () => {
    const other = new BrowserLikeClient(t.app);
    const { csrf: foreign } = await other.open('/login');
    const { response } = await attempt(() => ({
      fields: { csrf: foreign, username: 'alice', password: PASSWORD },
    }));
    expect(response.statusCode).toBe(403);
  });

  it('should accept Origin equal to PUBLIC_URL when the browser sends no Fetch Metadata', async () => {
    const { response } = await attempt(() => ({
      headers: { 'sec-fetch-site': '', origin: PUBLIC_ORIGIN },
    }));
    expect(response.statusCode).toBe(303);
  });

  it('should show the cookies-blocked page with a top-level login window when the cookie did not come back', async () => {
    const { response, verified } = await attempt((client) => {
      client.cookies.delete('__Host-rcbridge_session_login');
      return {};
    });
    expect(verified).toBe(0);
    expect(response.statusCode).toBe(403);
    // The page's policy, and framing by the Rocket.Chat origin only (its last directive).
    expect(response.headers['content-security-policy']).toMatch(
      /(?:^|; )frame-ancestors http:\/\/localhost:3000$/,
    );
    expect(response.body).toContain('Your browser blocked this login');
    expect(decoded(response.body)).toMatch(
      /<a class="button" id="open-login-window" href="\/login\?popup=1" target="_blank" rel="opener">/,
    );
  });

  it('should keep next (validated again) in the way out of the cookies-blocked page', async () => {
    const client = new BrowserLikeClient(t.app);
    const { response: page, csrf } = await client.open(
      '/login/?next=/rocketchat/redirect%3Fx%3D1',
    );
    expect(decoded(page.body)).toContain(
      'action="/login?next=%2Frocketchat%2Fredirect%3Fx%3D1"',
    );
    client.cookies.clear();
    const blocked = await client.post(
      '/login?next=%2Frocketchat%2Fredirect%3Fx%3D1',
      {
        csrf,
        username: 'alice',
        password: PASSWORD,
      },
    );
    expect(decoded(blocked.body)).toContain(
      'href="/login?next=%2Frocketchat%2Fredirect%3Fx%3D1&popup=1"',
    );
    const forged = await client.post('/login?next=https://evil.example', {
      csrf,
      username: 'a',
      password: 'b',
    });
    expect(decoded(forged.body)).toContain('href="/login?popup=1"');
    expect(forged.body).not.toContain('evil.example');
  });
});
