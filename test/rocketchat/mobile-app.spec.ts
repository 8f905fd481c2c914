import { getConnectionToken } from '@nestjs/mongoose';
import type { CommandStartedEvent } from 'mongodb';
import { Types, type Connection } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { SessionService } from '../../src/session/index.js';
import { OrphanSweeper } from '../../src/rocketchat/tokens/orphan-sweeper.service.js';
import { UserAdminService } from '../../src/users/index.js';
import { UserLinksRepository } from '../../src/rocketchat/provisioning/user-links.repository.js';
import { MOBILE_WEBVIEW_USER_AGENTS } from '../rc-emulator/page/mobile-app.js';
import { BrowserLikeClient, csrfOf } from '../support/browser-like-client.js';
import { fakeClock } from '../support/fake-clock.js';
import { callApiUrl, loginAs, startHarness, type Harness } from './harness.js';
import {
  appLinkOf,
  DESKTOP_CHROME,
  IPHONE_SAFARI,
  topLevel,
} from './mobile-app-helpers.js';

const PASSWORD = 'correct horse battery mobile';
const NATIVE_UA = 'RC Mobile; ios 17.5; v4.65.0 (999999)';
let counter = 0;

async function person(
  h: Harness,
): Promise<{ client: BrowserLikeClient; id: string }> {
  counter += 1;
  const username = `phone${counter}`;
  const user = await h.app
    .get(UserAdminService)
    .create({ username, password: PASSWORD });
  return { client: await loginAs(h.app, username, PASSWORD), id: user.id };
}

function rcUserOf(h: Harness, bridgeUserId: string): Promise<string> {
  return h.app
    .get(UserLinksRepository)
    .find(bridgeUserId)
    .then((link) => link?.rcUserId ?? '');
}

/** Every MongoDB command the bridge starts while `action` runs. */
async function commandsDuring(
  h: Harness,
  action: () => Promise<unknown>,
): Promise<string[]> {
  const client = h.app.get<Connection>(getConnectionToken()).getClient();
  const seen: string[] = [];
  const listener = (event: CommandStartedEvent) => {
    seen.push(event.commandName);
  };
  // Let the writes of earlier requests (audit trail, session touches) land first.
  let quiet = 0;
  const probe = () => {
    quiet = 0;
  };
  client.on('commandStarted', probe);
  for (let waited = 0; quiet < 300 && waited < 5000; waited += 50) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    quiet += 50;
  }
  client.off('commandStarted', probe);
  client.on('commandStarted', listener);
  try {
    await action();
  } finally {
    client.off('commandStarted', listener);
  }
  return seen;
}

describe("Rocket.Chat mobile app: the app's own API-URL request", () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness({
      env: {
        // No periodic task may run while commands are counted.
        ROCKETCHAT_REVOCATION_INTERVAL: '1h',
        SESSION_SWEEP_INTERVAL: '1d',
      },
    });
  });

  afterAll(async () => {
    await h.close();
  });

  it('should answer 401 with a JSON body and no-store, at once, without any MongoDB command', async () => {
    const { client } = await person(h);
    const before = h.rc.control.countCalls('users.createToken');
    const answers: Awaited<ReturnType<typeof callApiUrl>>[] = [];
    const commands = await commandsDuring(h, async () => {
      for (const method of ['POST', 'GET'] as const) {
        for (let i = 0; i < 10; i += 1) {
          // As the app sends it: its user agent, no Origin; even with the session's cookie
          // (Android's native requests share the WebView's cookie jar), nothing is looked up.
          answers.push(
            await callApiUrl(h.app, i % 2 ? client : undefined, undefined, {
              method,
              headers: { 'user-agent': NATIVE_UA },
            }),
          );
        }
      }
    });
    expect(commands).toEqual([]);
    for (const answer of answers) {
      expect(answer.statusCode).toBe(401);
      expect(answer.headers).toMatchObject({
        'cache-control': 'no-store',
        vary: 'Origin',
        'content-type': 'application/json; charset=utf-8',
      });
      expect(answer.headers['access-control-allow-origin']).toBeUndefined();
      const body = answer.json<Record<string, unknown>>();
      expect(body).not.toHaveProperty('loginToken');
      expect(body).not.toHaveProperty('login');
    }
    expect(h.rc.control.countCalls('users.createToken')).toBe(before);

    // The same session through Rocket.Chat's web client does read MongoDB (the control).
    const web = await commandsDuring(h, () =>
      callApiUrl(h.app, client, h.rc.origin),
    );
    expect(web.length).toBeGreaterThan(0);
  });

  it('should grant CORS only to a configured origin, and leave other methods to the usual rules', async () => {
    const allowed = await callApiUrl(h.app, undefined, h.rc.origin, {
      headers: { 'user-agent': NATIVE_UA },
    });
    expect(allowed.statusCode).toBe(401);
    expect(allowed.headers['access-control-allow-origin']).toBe(h.rc.origin);
    const foreign = await callApiUrl(h.app, undefined, 'https://evil.example', {
      headers: { 'user-agent': NATIVE_UA },
    });
    expect(foreign.statusCode).toBe(401);
    expect(foreign.headers['access-control-allow-origin']).toBeUndefined();
    const put = await callApiUrl(h.app, undefined, undefined, {
      method: 'PUT',
      headers: { 'user-agent': NATIVE_UA },
    });
    expect(put.statusCode).toBe(403);
  });

  it('should still refuse the app before 4.65.0 (no RC Mobile user agent, no Origin) with 403', async () => {
    const answer = await callApiUrl(h.app, undefined, undefined, {
      headers: { 'user-agent': 'okhttp/4.9.2' },
    });
    expect(answer.statusCode).toBe(403);
  });
});

describe('Rocket.Chat mobile app: "Open in the Rocket.Chat app"', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness({ version: '9.0.1' });
  });

  afterAll(async () => {
    await h.close();
  });

  it("should offer a phone a rocketchat://auth link with the app's own valid token, the account's id and Rocket.Chat's address", async () => {
    const { client, id } = await person(h);
    const page = await client.get(
      '/rocketchat/redirect',
      topLevel(IPHONE_SAFARI),
    );
    expect(page.statusCode).toBe(200);
    expect(page.headers['cache-control']).toBe('no-store');
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    const csp = String(page.headers['content-security-policy']);
    expect(csp).toMatch(/script-src 'nonce-/);
    const link = appLinkOf(page.body);
    expect(link).toBeDefined();
    expect(link?.protocol).toBe('rocketchat:');
    expect(link?.host).toBe('auth');
    expect([...(link?.searchParams.keys() ?? [])]).toEqual([
      'host',
      'token',
      'userId',
    ]);
    expect(link?.searchParams.get('host')).toBe(h.rc.url);
    const rcUserId = await rcUserOf(h, id);
    expect(link?.searchParams.get('userId')).toBe(rcUserId);
    const token = link?.searchParams.get('token') ?? '';
    expect(await h.rc.control.checkToken(token)).toMatchObject({
      valid: true,
      kind: 'resume',
      userId: rcUserId,
    });
    // Nothing is posted anywhere: the page is not in a frame.
    expect(page.body).not.toContain('login-with-token');
    expect(page.body).toContain('Open in the Rocket.Chat app');
    expect(page.body).toContain(`href="${h.rc.url}"`);
  });

  it("should give the app a second token of the session's own, the same one on every visit", async () => {
    const { client } = await person(h);
    const browser = (await callApiUrl(h.app, client, h.rc.origin)).json<{
      loginToken: string;
    }>().loginToken;
    const minted = h.rc.control.countCalls('users.createToken');
    const first = appLinkOf(
      (await client.get('/rocketchat/redirect', topLevel(IPHONE_SAFARI))).body,
    )?.searchParams.get('token');
    expect(first).toBeTruthy();
    expect(first).not.toBe(browser);
    expect(h.rc.control.countCalls('users.createToken')).toBe(minted + 1);
    for (let i = 0; i < 3; i += 1) {
      const again = appLinkOf(
        (await client.get('/rocketchat/redirect', topLevel(IPHONE_SAFARI)))
          .body,
      )?.searchParams.get('token');
      expect(again).toBe(first);
    }
    expect(h.rc.control.countCalls('users.createToken')).toBe(minted + 1);
    // The browser's own token is untouched by the app's.
    expect(
      (await callApiUrl(h.app, client, h.rc.origin)).json<{
        loginToken: string;
      }>().loginToken,
    ).toBe(browser);
  });

  it('should end both tokens with the bridge session (logout)', async () => {
    const { client } = await person(h);
    const browser = (await callApiUrl(h.app, client, h.rc.origin)).json<{
      loginToken: string;
    }>().loginToken;
    const app =
      appLinkOf(
        (await client.get('/rocketchat/redirect', topLevel(IPHONE_SAFARI)))
          .body,
      )?.searchParams.get('token') ?? '';
    expect((await h.rc.control.checkToken(app)).valid).toBe(true);
    const home = await client.get('/');
    const out = await client.post('/logout', { csrf: csrfOf(home.body) });
    expect(out.statusCode).toBeLessThan(400);
    await expect
      .poll(
        async () =>
          [
            (await h.rc.control.checkToken(browser)).valid,
            (await h.rc.control.checkToken(app)).valid,
          ].join(),
        { timeout: 10_000 },
      )
      .toBe('false,false');
  });

  it("should leave the app's token to a living session, and sweep it with the browser's when the session vanished", async () => {
    const { client } = await person(h);
    const browser = (await callApiUrl(h.app, client, h.rc.origin)).json<{
      loginToken: string;
    }>().loginToken;
    const app =
      appLinkOf(
        (await client.get('/rocketchat/redirect', topLevel(IPHONE_SAFARI)))
          .body,
      )?.searchParams.get('token') ?? '';
    const session = await h.app
      .get(SessionService)
      .resolve({ headers: { cookie: client.cookieHeader() } } as never);
    const sweeper = h.app.get(OrphanSweeper);
    try {
      // Past the grace period that protects a mint in progress.
      fakeClock().advance(120_000);
      await sweeper.sweep();
      expect((await h.rc.control.checkToken(app)).valid).toBe(true);
      // As if the process died between deleting the session and announcing it.
      await h.app
        .get<Connection>(getConnectionToken())
        .collection('bridge_sessions')
        .deleteOne({ _id: new Types.ObjectId(session?.id) });
      expect(await sweeper.sweep()).toBeGreaterThanOrEqual(2);
    } finally {
      vi.restoreAllMocks();
    }
    await expect
      .poll(
        async () =>
          [
            (await h.rc.control.checkToken(browser)).valid,
            (await h.rc.control.checkToken(app)).valid,
          ].join(),
        { timeout: 10_000 },
      )
      .toBe('false,false');
  });

  it.each([
    ['Chromium on Android (Sec-CH-UA-Mobile)', { 'sec-ch-ua-mobile': '?1' }],
    [
      'an Android tablet',
      {
        'user-agent':
          'Mozilla/5.0 (Linux; Android 14; SM-X710) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36',
        'sec-ch-ua-mobile': '?0',
      },
    ],
  ])('should offer it to %s', async (_name, headers) => {
    const { client } = await person(h);
    const page = await client.get('/rocketchat/redirect', {
      ...topLevel(DESKTOP_CHROME),
      ...headers,
    });
    expect(appLinkOf(page.body)).toBeDefined();
  });

  it('should not offer it to a desktop browser, which goes on to Rocket.Chat without any token minted', async () => {
    const { client } = await person(h);
    const minted = h.rc.control.countCalls('users.createToken');
    const page = await client.get(
      '/rocketchat/redirect',
      topLevel(DESKTOP_CHROME),
    );
    expect(page.statusCode).toBe(303);
    expect(page.headers.location).toBe(h.rc.url);
    expect(page.body).not.toContain('rocketchat://');
    expect(h.rc.control.countCalls('users.createToken')).toBe(minted);
  });

  it.each([
    ["in Rocket.Chat's frame", { 'sec-fetch-dest': 'iframe' }, ''],
    ['in the login window', {}, '?popup=1'],
    ['without fetch metadata', { 'sec-fetch-dest': '' }, ''],
    [
      "in the mobile app's own WebView",
      { 'user-agent': MOBILE_WEBVIEW_USER_AGENTS.android },
      '',
    ],
  ])(
    'should never show it %s',
    async (_name, headers: Record<string, string>, query) => {
      const { client } = await person(h);
      const page = await client.get(`/rocketchat/redirect${query}`, {
        ...topLevel(IPHONE_SAFARI),
        ...headers,
      });
      expect(page.body).not.toContain('rocketchat://');
      expect(page.body).not.toContain('rc-app-link');
    },
  );

  it('should speak German', async () => {
    const { client } = await person(h);
    const page = await client.get('/rocketchat/redirect', {
      ...topLevel(IPHONE_SAFARI),
      'accept-language': 'de-DE,de;q=0.9',
    });
    expect(appLinkOf(page.body)).toBeDefined();
    expect(page.body).toContain('In der Rocket.Chat-App öffnen');
    expect(page.body).toContain('Im Browser fortfahren');
    expect(page.body).toContain('lang="de"');
  });

  it('should fall back to sending the phone on to Rocket.Chat when no token can be had', async () => {
    const { client } = await person(h);
    h.rc.control.injectFault({
      route: 'users.createToken',
      action: { type: 'status', status: 500 },
      times: 3,
    });
    try {
      const page = await client.get(
        '/rocketchat/redirect',
        topLevel(IPHONE_SAFARI),
      );
      expect(page.statusCode).toBe(303);
      expect(page.headers.location).toBe(h.rc.url);
    } finally {
      h.rc.control.clearFaults();
    }
  });
});

describe('Rocket.Chat mobile app with ROCKETCHAT_POST_LOGIN_MESSAGE=try-iframe-login', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness({
      env: { ROCKETCHAT_POST_LOGIN_MESSAGE: 'try-iframe-login' },
    });
  });

  afterAll(async () => {
    await h.close();
  });

  it("should post the token itself to the app's login WebView, which cannot use try-iframe-login", async () => {
    for (const userAgent of Object.values(MOBILE_WEBVIEW_USER_AGENTS)) {
      const { client, id } = await person(h);
      const page = await client.get('/rocketchat/redirect', {
        'sec-fetch-dest': 'iframe',
        'user-agent': userAgent,
      });
      const token = /"loginToken":"([^"]+)"/.exec(page.body)?.[1] ?? '';
      expect(page.body).toContain('"event":"login-with-token"');
      expect(await h.rc.control.checkToken(token)).toMatchObject({
        valid: true,
        userId: await rcUserOf(h, id),
      });
    }
  });

  it('should keep posting only try-iframe-login to any other browser, phones included', async () => {
    for (const userAgent of [IPHONE_SAFARI, DESKTOP_CHROME]) {
      const { client } = await person(h);
      const page = await client.get('/rocketchat/redirect', {
        'sec-fetch-dest': 'iframe',
        'user-agent': userAgent,
      });
      expect(page.body).toContain('"event":"try-iframe-login"');
      expect(page.body).not.toContain('loginToken');
    }
  });
});

describe('Rocket.Chat mobile app with the legacy-iframe-token strategy', () => {
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

  it('should offer no app link (the apps only resume tokens) and send the phone on to Rocket.Chat', async () => {
    const { client } = await person(h);
    const page = await client.get(
      '/rocketchat/redirect',
      topLevel(IPHONE_SAFARI),
    );
    expect(page.statusCode).toBe(303);
    expect(page.headers.location).toBe(h.rc.url);
  });
});
