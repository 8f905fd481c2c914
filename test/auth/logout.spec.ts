import { getConnectionToken } from '@nestjs/mongoose';
import { Types, type Connection } from 'mongoose';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { UsersRepository } from '../../src/users/index.js';
import { SessionService } from '../../src/session/index.js';
import {
  BrowserLikeClient,
  csrfOf,
  setCookies,
} from '../support/browser-like-client.js';
import {
  createLoginApp,
  DEFAULT_TARGET,
  PASSWORD,
  SESSION_COOKIE,
  type LoginApp,
} from './login-fixtures.js';

describe('continue as / logout', () => {
  let t: LoginApp;
  beforeAll(async () => {
    t = await createLoginApp('logout');
  });
  afterAll(() => t.close());
  beforeEach(() => {
    t.events.length = 0;
  });

  const sessions = () =>
    t.app.get<Connection>(getConnectionToken()).collection('bridge_sessions');

  async function loggedIn(): Promise<{
    client: BrowserLikeClient;
    sessionId: string;
  }> {
    const client = new BrowserLikeClient(t.app);
    const { csrf } = await client.open('/login');
    await client.post('/login', {
      csrf,
      username: 'alice',
      password: PASSWORD,
    });
    const session = await t.app.get(SessionService).resolve({
      headers: { cookie: client.cookieHeader() },
    } as never);
    return { client, sessionId: session!.id };
  }

  /** What the Rocket.Chat module does when Rocket.Chat dropped the token it was given. */
  async function requireInteraction(sessionId: string): Promise<void> {
    expect(
      await t.app.get(SessionService).setInteractionRequired(sessionId, true),
    ).toBe(true);
  }

  it('should ask "Continue as" instead of logging in silently once interaction is required', async () => {
    const { client, sessionId } = await loggedIn();
    await requireInteraction(sessionId);
    const page = await client.get('/login/?next=/rocketchat/redirect');
    expect(page.statusCode).toBe(200);
    // The page's policy, and framing by the Rocket.Chat origin only (its last directive).
    expect(page.headers['content-security-policy']).toMatch(
      /(?:^|; )frame-ancestors http:\/\/localhost:3000$/,
    );
    expect(page.body).toContain('Continue as Alice Liddell');
    expect(page.body).toContain('action="/login/continue"');
    expect(page.body).toContain('action="/logout"');

    const next = await client.post('/login/continue', {
      csrf: csrfOf(page.body),
    });
    expect(next.statusCode).toBe(303);
    expect(next.headers.location).toBe(DEFAULT_TARGET);
    // The flag is cleared: the next visit goes straight on again.
    expect((await client.get('/login')).statusCode).toBe(303);
    expect(t.events).toEqual([]);
  });

  it('should refuse "continue" without the CSRF token', async () => {
    const { client, sessionId } = await loggedIn();
    await requireInteraction(sessionId);
    await client.get('/login');
    const response = await client.post('/login/continue', {});
    expect(response.statusCode).toBe(403);
    expect((await client.get('/login')).body).toContain('Continue as');
  });

  it('should log out: delete the session, clear the cookie with its attributes, show the page, announce it once', async () => {
    const { client, sessionId } = await loggedIn();
    const old = client.cookies.get(SESSION_COOKIE)!;
    await requireInteraction(sessionId);
    const page = await client.get('/login');
    const response = await client.post('/logout', { csrf: csrfOf(page.body) });
    expect(response.statusCode).toBe(200);
    // The page's policy, and framing by the Rocket.Chat origin only (its last directive).
    expect(response.headers['content-security-policy']).toMatch(
      /(?:^|; )frame-ancestors http:\/\/localhost:3000$/,
    );
    expect(response.headers['cache-control']).toBe('no-store');
    expect(response.body).toContain('You are logged out');
    expect(setCookies(response)).toContainEqual(
      `${SESSION_COOKIE}=; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Path=/; HttpOnly; SameSite=Lax; Secure`,
    );
    expect(
      await sessions().countDocuments({ _id: new Types.ObjectId(sessionId) }),
    ).toBe(0);
    expect(t.events).toHaveLength(1);
    expect(t.events[0]).toMatchObject({
      userId: t.users.alice,
      sessionId,
      reason: 'logout',
    });
    expect(JSON.stringify(t.events[0])).not.toContain(old);

    // The old cookie is worthless now, and logging out again ends nothing more.
    const replay = new BrowserLikeClient(t.app);
    replay.cookies.set(SESSION_COOKIE, old);
    const form = await replay.get('/login');
    expect(form.statusCode).toBe(200);
    expect(form.body).toContain('name="password"');
    const again = await replay.post('/logout', { csrf: csrfOf(form.body) });
    expect(again.statusCode).toBe(200);
    expect(t.events).toHaveLength(1);
  });

  it('should not log out on GET (it shows the log-out button) nor on a post that fails the CSRF checks (403)', async () => {
    const { client, sessionId } = await loggedIn();
    const get = await client.get('/logout');
    expect(get.statusCode).toBe(200);
    expect(get.body).toContain('Signed in as Alice Liddell');
    await requireInteraction(sessionId);
    const page = await client.get('/login');
    const crossSite = await client.post(
      '/logout',
      { csrf: csrfOf(page.body) },
      { 'sec-fetch-site': 'cross-site' },
    );
    expect(crossSite.statusCode).toBe(403);
    const noToken = await client.post('/logout', {});
    expect(noToken.statusCode).toBe(403);
    expect(t.events).toEqual([]);
    expect((await client.get('/login')).body).toContain('Continue as');
  });

  it('should end the session of a disabled user instead of offering to continue', async () => {
    const { client, sessionId } = await loggedIn();
    await requireInteraction(sessionId);
    await t.app.get(UsersRepository).setActive(t.users.alice, false);
    try {
      const page = await client.get('/login');
      expect(page.statusCode).toBe(200);
      expect(page.body).toContain('name="password"');
      expect(t.events).toEqual([
        expect.objectContaining({ sessionId, reason: 'user-disabled' }),
      ]);
    } finally {
      await t.app.get(UsersRepository).setActive(t.users.alice, true);
    }
  });
});

describe('cookies in the cross-site deployment', () => {
  it('should set and clear every bridge cookie as SameSite=None; Secure; Partitioned', async () => {
    const t = await createLoginApp('cross_site_cookies', {
      SESSION_COOKIE_SAMESITE: 'none',
    });
    try {
      const attributes = 'Path=/; HttpOnly; SameSite=None; Secure; Partitioned';
      const client = new BrowserLikeClient(t.app);
      const { response: page, csrf } = await client.open('/login');
      expect(setCookies(page)).toEqual([
        expect.stringMatching(
          new RegExp(`^__Host-rcbridge_session_login=[^;]+; ${attributes}$`),
        ),
      ]);
      const login = await client.post('/login', {
        csrf,
        username: 'alice',
        password: PASSWORD,
      });
      expect(setCookies(login)).toEqual([
        expect.stringMatching(
          new RegExp(
            `^${SESSION_COOKIE}=[\\w-]{43}; Max-Age=604800; ${attributes}$`,
          ),
        ),
        // The device cookie: kept for DEVICE_COOKIE_LIFETIME (90 days), across logouts.
        expect.stringMatching(
          new RegExp(
            `^__Host-rcbridge_session_device=d1\\.[\\w-]+\\.[\\w-]{43}; Max-Age=7776000; ${attributes}$`,
          ),
        ),
        `__Host-rcbridge_session_login=; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; ${attributes}`,
      ]);
      const session = await t.app.get(SessionService).resolve({
        headers: { cookie: client.cookieHeader() },
      } as never);
      await t.app.get(SessionService).setInteractionRequired(session!.id, true);
      const continuePage = await client.get('/login');
      const logout = await client.post('/logout', {
        csrf: csrfOf(continuePage.body),
      });
      expect(setCookies(logout)).toContainEqual(
        `${SESSION_COOKIE}=; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; ${attributes}`,
      );
    } finally {
      await t.close();
    }
  });
});
