import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { UserAdminService } from '../../src/users/index.js';
import { pageContentSecurityPolicy } from '../../src/web/index.js';
import { SessionService } from '../../src/session/index.js';
import { scriptJson } from '../../src/rocketchat/api/post-login-page.service.js';
import { hashLoginToken } from '../../src/rocketchat/tokens/login-token.js';
import { UserLinksRepository } from '../../src/rocketchat/provisioning/user-links.repository.js';
import { BrowserLikeClient, decoded } from '../support/browser-like-client.js';
import { fakeClock } from '../support/fake-clock.js';
import { callApiUrl, loginAs, startHarness, type Harness } from './harness.js';

const PASSWORD = 'correct horse battery';
const FRAMED = { 'sec-fetch-dest': 'iframe', 'sec-fetch-site': 'cross-site' };
let counter = 0;

interface HandOff {
  message?: { event: string; loginToken?: string; token?: string };
  targetOrigin: string;
  rocketChatUrl: string;
  popup: boolean;
  electron: boolean;
}

function handOffOf(html: string): HandOff {
  const json =
    /<script type="application\/json" id="rc-handoff-data">([^<]*)<\/script>/.exec(
      html,
    )?.[1];
  if (json === undefined) {
    throw new Error('no hand-off data in the page');
  }
  return JSON.parse(json) as HandOff;
}

async function person(
  h: Harness,
): Promise<{ client: BrowserLikeClient; id: string }> {
  counter += 1;
  const username = `visitor${counter}`;
  const user = await h.app.get(UserAdminService).create({
    username,
    password: PASSWORD,
    displayName: `Visitor ${counter}`,
  });
  return { client: await loginAs(h.app, username, PASSWORD), id: user.id };
}

describe('Post-login page /rocketchat/redirect', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness();
  });

  afterAll(async () => {
    await h.close();
  });

  afterEach(() => {
    h.rc.control.clearFaults();
  });

  it('should send a visitor without a session to the login page', async () => {
    const answer = await new BrowserLikeClient(h.app).get(
      '/rocketchat/redirect',
      FRAMED,
    );
    expect(answer.statusCode).toBe(303);
    expect(answer.headers.location).toBe('/login');
  });

  it('should hand the token to the framing Rocket.Chat window: text/html, nonce CSP, frameable, exact targetOrigin', async () => {
    const { client } = await person(h);
    const page = await client.get('/rocketchat/redirect', FRAMED);
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.headers['cache-control']).toBe('no-store');
    expect(page.headers['x-frame-options']).toBeUndefined();
    const csp = String(page.headers['content-security-policy']);
    const nonce = /script-src 'nonce-([A-Za-z0-9_-]+)'/.exec(csp)?.[1];
    expect(nonce).toBeDefined();
    // The same strict policy as every other page, framable by Rocket.Chat only.
    expect(csp).toBe(
      `${pageContentSecurityPolicy(nonce ?? '')}; frame-ancestors ${h.rc.origin}`,
    );
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|https:/);
    expect(page.body).toContain(`<script nonce="${nonce}">`);
    expect(page.body).toContain(`<style nonce="${nonce}">`);
    const data = handOffOf(page.body);
    expect(data).toMatchObject({
      message: { event: 'login-with-token' },
      targetOrigin: h.rc.origin,
      popup: false,
      electron: false,
    });
    expect(Object.keys(data.message ?? {})).toEqual(['event', 'loginToken']);
    expect(page.body).toContain(
      'window.parent.postMessage(data.message, data.targetOrigin)',
    );
    expect(page.body).not.toMatch(/postMessage\([^)]*'\*'/);
    expect(
      (await h.rc.control.checkToken(data.message?.loginToken ?? '')).valid,
    ).toBe(true);
  });

  it('should hand the framed page’s token to later API URL calls (Rocket.Chat 7.8+ asks on every load)', async () => {
    const { client } = await person(h);
    const data = handOffOf(
      (await client.get('/rocketchat/redirect', FRAMED)).body,
    );
    const clock = fakeClock();
    for (const step of [0, 300, 5 * 60_000]) {
      clock.advance(step);
      const api = await callApiUrl(h.app, client, h.rc.origin);
      expect(api.json()).toEqual({ loginToken: data.message?.loginToken });
    }
    expect(
      (await h.rc.control.checkToken(data.message?.loginToken ?? '')).valid,
    ).toBe(true);
  });

  it('should show the session’s current token again each time the page is shown, minting only when it has none', async () => {
    const { client } = await person(h);
    const before = h.rc.control.countCalls({
      route: 'users.createToken',
      status: 200,
    });
    const first = handOffOf(
      (await client.get('/rocketchat/redirect', FRAMED)).body,
    );
    const second = handOffOf(
      (await client.get('/rocketchat/redirect', FRAMED)).body,
    );
    expect(second.message?.loginToken).toBe(first.message?.loginToken);
    expect(
      h.rc.control.countCalls({ route: 'users.createToken', status: 200 }),
    ).toBe(before + 1);
    expect(
      (await h.rc.control.checkToken(first.message?.loginToken ?? '')).valid,
    ).toBe(true);
  });

  it('should tell the page where to report a refusal of exactly this token', async () => {
    const { client } = await person(h);
    const page = await client.get('/rocketchat/redirect', FRAMED);
    const data = handOffOf(page.body) as HandOff & {
      refusedUrl?: string;
      tokenRef?: string;
    };
    expect(data.refusedUrl).toBe('/rocketchat/refused');
    expect(data.tokenRef).toBe(hashLoginToken(data.message?.loginToken ?? ''));
    expect(page.body).toContain('fetch(data.refusedUrl');
  });

  it('should mint a fresh token after "Continue as", revoking the old one', async () => {
    const { client } = await person(h);
    const first = handOffOf(
      (await client.get('/rocketchat/redirect', FRAMED)).body,
    );
    // Rocket.Chat frames the login page again (it has no working token): the page asks.
    const ask = await client.get('/login?next=/rocketchat/redirect', {
      'sec-fetch-dest': 'iframe',
    });
    expect(ask.body).toContain('action="/login/continue"');
    const csrf = /name="csrf" value="([^"]*)"/.exec(ask.body)?.[1] ?? '';
    const go = await client.post('/login/continue', { csrf });
    expect(go.statusCode).toBe(303);
    expect(go.headers.location).toMatch(/\/rocketchat\/redirect$/);
    const second = handOffOf(
      (await client.get('/rocketchat/redirect', FRAMED)).body,
    );
    expect(second.message?.loginToken).not.toBe(first.message?.loginToken);
    expect(
      (await h.rc.control.checkToken(second.message?.loginToken ?? '')).valid,
    ).toBe(true);
    await expect
      .poll(
        async () =>
          (await h.rc.control.checkToken(first.message?.loginToken ?? ''))
            .valid,
      )
      .toBe(false);
  });

  it('should send a top-level visit to Rocket.Chat without minting', async () => {
    const { client } = await person(h);
    const before = h.rc.control.countCalls('users.createToken');
    const answer = await client.get('/rocketchat/redirect', {
      'sec-fetch-dest': 'document',
      'sec-fetch-site': 'same-origin',
    });
    expect(answer.statusCode).toBe(303);
    expect(answer.headers.location).toBe(h.rc.url);
    expect(h.rc.control.countCalls('users.createToken')).toBe(before);
  });

  it('should post to the opener’s parent in popup mode, whatever the fetch metadata', async () => {
    const { client } = await person(h);
    const page = await client.get('/rocketchat/redirect?popup=1', {
      'sec-fetch-dest': 'document',
    });
    const data = handOffOf(page.body);
    expect(data).toMatchObject({
      popup: true,
      message: { event: 'login-with-token' },
    });
    expect(page.body).toContain('window.opener && window.opener.parent');
  });

  it('should keep the desktop app where it is: no redirect, a return message', async () => {
    const { client } = await person(h);
    const page = await client.get('/rocketchat/redirect?client=electron', {
      'sec-fetch-dest': 'document',
    });
    expect(page.statusCode).toBe(200);
    const data = handOffOf(page.body);
    expect(data.message).toBeUndefined();
    expect(data.electron).toBe(true);
    expect(page.body).toMatch(/<section id="rc-handoff-return">/);
    // Framed in the desktop app, it hands the token over as everywhere else.
    const framed = handOffOf(
      (await client.get('/rocketchat/redirect?client=electron', FRAMED)).body,
    );
    expect(framed.message?.event).toBe('login-with-token');
  });

  it('should carry client=electron from the Iframe URL through the login into the redirect', async () => {
    counter += 1;
    const username = `desk${counter}`;
    await h.app.get(UserAdminService).create({ username, password: PASSWORD });
    const client = new BrowserLikeClient(h.app);
    const form = await client.get(
      '/login/?next=/rocketchat/redirect&client=electron',
    );
    const csrf = /name="csrf" value="([^"]*)"/.exec(form.body)?.[1] ?? '';
    const done = await client.post('/login', {
      csrf,
      username,
      password: PASSWORD,
    });
    expect(done.statusCode).toBe(303);
    expect(decoded(String(done.headers.location))).toMatch(
      /\/rocketchat\/redirect\?client=electron$/,
    );
  });

  it('should embed the token as escaped JSON that cannot break out of the script element', () => {
    const json = scriptJson({
      a: '</script><script>alert(1)</script>',
      b: '\u2028&',
    });
    expect(json).not.toMatch(/[<>&\u2028]/);
    expect(JSON.parse(json)).toEqual({
      a: '</script><script>alert(1)</script>',
      b: '\u2028&',
    });
  });

  it('should explain a refusal in the frame and offer the account choice', async () => {
    const { client, id } = await person(h);
    const first = handOffOf(
      (await client.get('/rocketchat/redirect', FRAMED)).body,
    );
    const link = await h.app.get(UserLinksRepository).find(id);
    // Deactivation ends the account's logins: Rocket.Chat refuses the token the page posted, and
    // the page reports it; the person chooses "Continue as", and the fresh mint is refused.
    await h.rc.control.updateUser(link?.rcUserId ?? '', { active: false });
    const reported = await h.app.inject({
      method: 'POST',
      url: '/rocketchat/refused',
      headers: {
        origin: 'http://localhost:8000',
        cookie: client.cookieHeader() ?? '',
        'content-type': 'application/json',
      },
      payload: JSON.stringify({
        token: hashLoginToken(first.message?.loginToken ?? ''),
      }),
    });
    expect(reported.statusCode).toBe(204);
    const ask = await client.get('/login?next=/rocketchat/redirect');
    const csrf = /name="csrf" value="([^"]*)"/.exec(ask.body)?.[1] ?? '';
    await client.post('/login/continue', { csrf });
    const page = await client.get('/rocketchat/redirect', FRAMED);
    expect(page.statusCode).toBe(403);
    expect(page.body).toContain('Your chat account is deactivated.');
    expect(page.body).not.toContain('rc-handoff-data');
    const login = await client.get('/login?next=/rocketchat/redirect');
    expect(login.body).toContain('action="/login/continue"');
  });

  it('should show a retry page (503) when Rocket.Chat fails', async () => {
    const { client } = await person(h);
    h.rc.control.injectFault({
      route: 'users.createToken',
      action: { type: 'status', status: 502 },
      times: 1,
    });
    const page = await client.get('/rocketchat/redirect', FRAMED);
    expect(page.statusCode).toBe(503);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.body).toContain('The chat is not reachable');
    expect(page.body).toContain('href="/rocketchat/redirect"');
    expect(page.body).not.toMatch(/users\.createToken|502|stack/);
    expect(String(page.headers['content-security-policy'])).toContain(
      `frame-ancestors ${h.rc.origin}`,
    );
  });

  it('should answer in the browser’s language', async () => {
    const { client } = await person(h);
    const page = await client.get('/rocketchat/redirect', {
      ...FRAMED,
      'accept-language': 'de-DE,de;q=0.9',
    });
    expect(page.body).toContain('Anmeldung beim Chat');
  });

  it('should ask the session module before handing out when interaction is required', async () => {
    const { client } = await person(h);
    const session = await h.app.get(SessionService).resolve({
      headers: { cookie: client.cookieHeader() },
    } as never);
    await h.app
      .get(SessionService)
      .setInteractionRequired(session?.id ?? '', true);
    const answer = await client.get('/rocketchat/redirect?popup=1', FRAMED);
    expect(answer.statusCode).toBe(303);
    expect(answer.headers.location).toBe('/login?popup=1');
  });
});

describe('Post-login page with try-iframe-login', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness({
      env: { ROCKETCHAT_POST_LOGIN_MESSAGE: 'try-iframe-login' },
    });
  });

  afterAll(async () => {
    await h.close();
  });

  it('should post only try-iframe-login, minting nothing until Rocket.Chat calls the API URL', async () => {
    const { client } = await person(h);
    const data = handOffOf(
      (await client.get('/rocketchat/redirect', FRAMED)).body,
    );
    expect(data.message).toEqual({ event: 'try-iframe-login' });
    expect(h.rc.control.countCalls('users.createToken')).toBe(0);
    expect((await callApiUrl(h.app, client, h.rc.origin)).statusCode).toBe(200);
  });
});
