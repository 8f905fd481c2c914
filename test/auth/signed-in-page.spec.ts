import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsersRepository } from '../../src/users/index.js';
import { BrowserLikeClient, csrfOf } from '../support/browser-like-client.js';
import {
  createLoginApp,
  DEFAULT_TARGET,
  PASSWORD,
  SESSION_COOKIE,
  type LoginApp,
} from './login-fixtures.js';

const NOT_FRAMEABLE = /(?:^|; )frame-ancestors 'none'$/;

describe('the signed-in page (GET / and GET /logout)', () => {
  let t: LoginApp;
  beforeAll(async () => {
    t = await createLoginApp('signedin');
  });
  afterAll(() => t.close());

  async function signedIn(): Promise<BrowserLikeClient> {
    const client = new BrowserLikeClient(t.app);
    const { csrf } = await client.open('/login');
    const login = await client.post('/login', {
      csrf,
      username: 'alice',
      password: PASSWORD,
    });
    expect(login.statusCode).toBe(303);
    return client;
  }

  it.each(['/', '/logout'])(
    'should show the login form at %s to a visitor without a session, not frameable',
    async (url) => {
      const client = new BrowserLikeClient(t.app);
      const page = await client.get(url);
      expect(page.statusCode).toBe(200);
      expect(page.body).toContain(
        '<form class="form" method="post" action="/login">',
      );
      expect(page.body).toContain('id="password"');
      expect(page.body).not.toContain('Signed in as');
      expect(page.headers['content-security-policy']).toMatch(NOT_FRAMEABLE);
      expect(page.headers['x-frame-options']).toBe('DENY');
      expect(page.headers['cache-control']).toBe('no-store');

      // The form works from here: the login goes on to Rocket.Chat's post-login page.
      const login = await client.post('/login', {
        csrf: csrfOf(page.body),
        username: 'alice',
        password: PASSWORD,
      });
      expect(login.statusCode).toBe(303);
      expect(login.headers.location).toBe(DEFAULT_TARGET);
    },
  );

  it.each(['/', '/logout'])(
    'should show "Signed in as … · Open Rocket.Chat · Log out" at %s to a signed-in person, not frameable',
    async (url) => {
      const client = await signedIn();
      const page = await client.get(url);
      expect(page.statusCode).toBe(200);
      expect(page.body).toContain('<h1>Signed in as Alice Liddell</h1>');
      expect(page.body).toContain(
        '<a class="button" id="open-rocketchat" href="http://localhost:3000">Open Rocket.Chat</a>',
      );
      expect(page.body).toContain(
        '<form class="form" method="post" action="/logout">',
      );
      expect(page.body).not.toContain('id="password"');
      expect(csrfOf(page.body)).toMatch(/^[A-Za-z0-9_-]{20,}$/);
      expect(page.headers['content-security-policy']).toMatch(NOT_FRAMEABLE);
      expect(page.headers['x-frame-options']).toBe('DENY');
      expect(page.headers['cache-control']).toBe('no-store');
    },
  );

  it("should log out with the page's button (a POST with its CSRF token), never with the GET itself", async () => {
    const client = await signedIn();
    const before = t.events.length;
    const page = await client.get('/logout');
    // Showing the page ended nothing.
    expect(client.cookies.has(SESSION_COOKIE)).toBe(true);
    expect(t.events.length).toBe(before);
    expect((await client.get('/')).body).toContain('Signed in as');

    const refused = await client.post('/logout', {});
    expect(refused.statusCode).toBe(403);
    expect((await client.get('/')).body).toContain('Signed in as');

    const loggedOut = await client.post('/logout', { csrf: csrfOf(page.body) });
    expect(loggedOut.statusCode).toBe(200);
    expect(loggedOut.body).toContain('You are logged out');
    expect(client.cookies.has(SESSION_COOKIE)).toBe(false);
    expect(t.events.length).toBe(before + 1);
    expect((await client.get('/')).body).toContain('id="password"');
  });

  it('should speak German to a German browser', async () => {
    const client = await signedIn();
    const page = await client.get('/', { 'accept-language': 'de-DE' });
    expect(page.body).toContain('<html lang="de">');
    expect(page.body).toContain('<h1>Angemeldet als Alice Liddell</h1>');
    expect(page.body).toContain('>Rocket.Chat öffnen</a>');
    expect(page.body).toContain('>Abmelden</button>');
    const form = await new BrowserLikeClient(t.app).get('/', {
      'accept-language': 'de',
    });
    expect(form.body).toContain('<label for="password">Passwort</label>');
  });

  it('should show the login form once the account was disabled', async () => {
    const admin = await t.app.get(UsersRepository).findByUsername('alice');
    const client = await signedIn();
    await t.app.get(UsersRepository).setActive(admin!.id, false);
    try {
      // The session check caches a user's state for a few seconds; the page reads the user itself.
      const page = await client.get('/');
      expect(page.body).not.toContain('Signed in as');
      expect(page.body).toContain('id="password"');
    } finally {
      await t.app.get(UsersRepository).setActive(admin!.id, true);
    }
  });
});
