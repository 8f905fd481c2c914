import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp } from '../support/app.js';
import {
  BrowserLikeClient,
  setCookies,
} from '../support/browser-like-client.js';
import {
  createLoginApp,
  DEFAULT_TARGET,
  LOGIN_COOKIE,
  PASSWORD,
  PUBLIC_ORIGIN,
  type LoginApp,
} from './login-fixtures.js';

describe('login page (GET /login)', () => {
  let t: LoginApp;
  beforeAll(async () => {
    t = await createLoginApp('login_page');
  });
  afterAll(() => t.close());

  it.each(['/login', '/login/', '/login/?next=/rocketchat/redirect'])(
    'should serve the form on %s, frameable by Rocket.Chat only and never cached',
    async (url) => {
      const response = await new BrowserLikeClient(t.app).get(url);
      expect(response.statusCode).toBe(200);
      expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
      // The page's policy, and framing by the Rocket.Chat origin only (its last directive).
      expect(response.headers['content-security-policy']).toMatch(
        /(?:^|; )frame-ancestors http:\/\/localhost:3000$/,
      );
      expect(response.headers['x-frame-options']).toBeUndefined();
      expect(response.headers['cache-control']).toBe('no-store');
      expect(setCookies(response)).toEqual([
        expect.stringMatching(
          new RegExp(
            `^${LOGIN_COOKIE}=v1\\.[\\w-]+\\.[\\w-]{43}; Path=/; HttpOnly; SameSite=Lax; Secure$`,
          ),
        ),
      ]);
    },
  );

  it.each([
    ['unknown', 'Z'.repeat(43)],
    ['malformed', 'not-a-token;;=='],
    ['10 KB', 'a'.repeat(10 * 1024)],
  ])(
    'should treat a %s session cookie as no session over HTTP (the form, never a 500)',
    async (_kind, value) => {
      const response = await t.app.inject({
        method: 'GET',
        url: '/login/',
        headers: { cookie: `__Host-rcbridge_session=${value}; rc_token=x` },
      });
      expect(response.statusCode).toBe(200);
      expect(response.body).toContain('name="password"');
    },
  );

  it('should make the form accessible: language, labels, autocomplete, required fields', async () => {
    const { body } = await new BrowserLikeClient(t.app).get('/login');
    expect(body).toContain('<html lang="en">');
    expect(body).toContain('<label for="username">Username</label>');
    expect(body).toMatch(
      /<input id="username" name="username" type="text"[^>]*autocomplete="username"[^>]*required/,
    );
    expect(body).toContain('<label for="password">Password</label>');
    expect(body).toMatch(
      /<input id="password" name="password" type="password"[^>]*autocomplete="current-password"/,
    );
    expect(body).toMatch(/<input type="hidden" name="csrf" value="[\w-]{43}">/);
    expect(body).not.toContain('role="alert"');
  });

  it('should translate the page by Accept-Language, with English as the fallback', async () => {
    const client = new BrowserLikeClient(t.app);
    const de = await client.get('/login', {
      'accept-language': 'fr-CH, de;q=0.8, en;q=0.5',
    });
    expect(de.body).toContain('<html lang="de">');
    expect(de.body).toContain('<label for="password">Passwort</label>');
    expect(de.headers['content-language']).toBe('de');
    const fallback = await client.get('/login', { 'accept-language': 'ja' });
    expect(fallback.body).toContain('<html lang="en">');
  });

  it.each(['/health/live', '/nowhere', '/assets/login.css', '/logout'])(
    'should forbid framing of %s',
    async (url) => {
      const response = await t.app.inject({ method: 'GET', url });
      expect(response.headers['content-security-policy']).toMatch(
        /(?:^|; )frame-ancestors 'none'$/,
      );
      expect(response.headers['x-frame-options']).toBe('DENY');
    },
  );

  it('should serve the built-in assets under /assets/', async () => {
    const css = await t.app.inject({ method: 'GET', url: '/assets/login.css' });
    expect(css.statusCode).toBe(200);
    expect(css.headers['content-type']).toMatch(/^text\/css/);
    const logo = await t.app.inject({ method: 'GET', url: '/assets/logo.svg' });
    expect(logo.statusCode).toBe(200);
    expect(
      (await t.app.inject({ method: 'GET', url: '/assets/../package.json' }))
        .statusCode,
    ).toBe(404);
  });

  it('should send a visitor who has a session straight on to the validated next (303)', async () => {
    const client = new BrowserLikeClient(t.app);
    const { csrf } = await client.open('/login');
    const login = await client.post('/login', {
      csrf,
      username: 'alice',
      password: PASSWORD,
    });
    expect(login.statusCode).toBe(303);
    const again = await client.get('/login/?next=/rocketchat/redirect%3Fa%3D1');
    expect(again.statusCode).toBe(303);
    expect(again.headers.location).toBe(
      `${PUBLIC_ORIGIN}/rocketchat/redirect?a=1`,
    );
  });

  /** Written for this project after the checklist's RDR-1/RDR-2 categories. */
  const HOSTILE_NEXT = [
    '//evil.example',
    'https://evil.example',
    '/\\evil.example',
    '\\\\evil.example',
    'javascript:alert(document.domain)',
    'JaVaScRiPt:alert(1)',
    'data:text/html,hi',
    '/%2F%2Fevil.example',
    '%2F%2Fevil.example',
    '/%2fevil.example',
    '/%5cevil.example',
    '/%09/evil.example',
    '/%0d%0aSet-Cookie:%20pwned=1',
    '%0d%0aLocation:%20https://evil.example',
    'https://localhost:8000@evil.example',
    '//localhost:8000@evil.example',
    'https://a@b@evil.example',
    'http://localhost:8000.evil.example/',
    'https://evil.example#@localhost:8000',
    '/..//evil.example',
    'http://localhost:8001/rocketchat/redirect',
    '%EF%BC%8F%EF%BC%8Fevil.example',
  ];

  it('should never let next leave the bridge, nor echo it, whatever the payload', async () => {
    const client = new BrowserLikeClient(t.app);
    const { csrf } = await client.open('/login');
    await client.post('/login', {
      csrf,
      username: 'alice',
      password: PASSWORD,
    });
    const redirects = [];
    for (const payload of HOSTILE_NEXT) {
      const url = `/login/?next=${payload.includes('%') ? payload : encodeURIComponent(payload)}`;
      const response = await client.get(url);
      redirects.push({
        payload,
        status: response.statusCode,
        location: response.headers.location,
        injected: Object.keys(response.headers).some((name) =>
          /pwned|set-cookie/i.test(name),
        ),
      });
    }
    expect(redirects).toEqual(
      HOSTILE_NEXT.map((payload) => ({
        payload,
        status: 303,
        location: DEFAULT_TARGET,
        injected: false,
      })),
    );
    const anonymous = new BrowserLikeClient(t.app);
    const forms = [];
    for (const payload of HOSTILE_NEXT) {
      const response = await anonymous.get(
        `/login?next=${encodeURIComponent(payload)}`,
      );
      forms.push({
        payload,
        echoed: response.body.includes('evil.example'),
        action: /action="([^"]*)"/.exec(response.body)?.[1],
      });
    }
    expect(forms).toEqual(
      HOSTILE_NEXT.map((payload) => ({
        payload,
        echoed: false,
        action: '/login',
      })),
    );
  });
});

describe('operator templates (VIEWS_DIR)', () => {
  it('should use the operator files that exist and the built-in ones for the rest', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'views-'));
    mkdirSync(join(dir, 'partials'));
    mkdirSync(join(dir, 'assets'));
    mkdirSync(join(dir, 'locales'));
    writeFileSync(
      join(dir, 'login.hbs'),
      '<h1 id="custom">{{t "login.heading"}} – {{brand.title}}</h1>\n<form method="post" action="{{formAction}}"><input type="hidden" name="csrf" value="{{csrfToken}}"></form>\n',
    );
    writeFileSync(
      join(dir, 'partials', 'footer.hbs'),
      '<footer id="imprint">Acme Ltd</footer>\n',
    );
    writeFileSync(
      join(dir, 'assets', 'login.css'),
      'body { color: rebeccapurple; }\n',
    );
    writeFileSync(
      join(dir, 'locales', 'en.json'),
      JSON.stringify({ login: { heading: 'Sign in' } }),
    );
    const t = await createTestApp({
      label: 'views_dir',
      env: {
        VIEWS_DIR: dir,
        BRAND_TITLE: 'Acme Chat',
        BRAND_PRIMARY_COLOR: '#aa0000',
      },
    });
    try {
      const page = await t.app.inject({ method: 'GET', url: '/login' });
      expect(page.statusCode).toBe(200);
      expect(page.body).toContain('<h1 id="custom">Sign in – Acme Chat</h1>');
      expect(page.body).toContain('<footer id="imprint">Acme Ltd</footer>');
      // The layout and the other partials are still the built-in ones.
      expect(page.body).toContain('<title>Log in · Acme Chat</title>');
      expect(page.body).toContain('--brand-primary: #aa0000');
      const css = await t.app.inject({
        method: 'GET',
        url: '/assets/login.css',
      });
      expect(css.body).toContain('rebeccapurple');
      const logo = await t.app.inject({
        method: 'GET',
        url: '/assets/logo.svg',
      });
      expect(logo.statusCode).toBe(200);
      // Pages the operator did not override come from views/.
      const loggedOut = await t.app.inject({ method: 'GET', url: '/logout' });
      expect(loggedOut.body).toContain(
        '<footer id="imprint">Acme Ltd</footer>',
      );
    } finally {
      await t.close();
    }
  });
});
