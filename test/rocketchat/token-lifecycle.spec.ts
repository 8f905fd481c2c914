import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { UserAdminService } from '../../src/users/index.js';
import { SessionService } from '../../src/session/index.js';
import { hashLoginToken } from '../../src/rocketchat/tokens/login-token.js';
import { CapturedLines } from '../observability/captured-lines.js';
import { RcClient } from '../rc-emulator/test-helpers.js';
import { BrowserLikeClient, csrfOf } from '../support/browser-like-client.js';
import { callApiUrl, loginAs, startHarness, type Harness } from './harness.js';

const PASSWORD = 'correct horse battery';
const BRIDGE = 'http://localhost:8000';
const FRAMED = { 'sec-fetch-dest': 'iframe', 'sec-fetch-site': 'cross-site' };
let counter = 0;

interface Person {
  readonly client: BrowserLikeClient;
  readonly sessionId: string;
}

async function person(h: Harness): Promise<Person> {
  counter += 1;
  const username = `reader${counter}`;
  await h.app.get(UserAdminService).create({
    username,
    password: PASSWORD,
    displayName: `Reader ${counter}`,
  });
  const client = await loginAs(h.app, username, PASSWORD);
  const session = await h.app.get(SessionService).resolve({
    headers: { cookie: client.cookieHeader() },
  } as never);
  return { client, sessionId: session?.id ?? '' };
}

async function apiToken(h: Harness, p: Person): Promise<string> {
  const answer = await callApiUrl(h.app, p.client, h.rc.origin);
  expect(answer.statusCode).toBe(200);
  return answer.json<{ loginToken: string }>().loginToken;
}

function pageToken(html: string): string | undefined {
  const json =
    /<script type="application\/json" id="rc-handoff-data">([^<]*)<\/script>/.exec(
      html,
    )?.[1];
  return json === undefined
    ? undefined
    : (JSON.parse(json) as { message?: { loginToken?: string } }).message
        ?.loginToken;
}

/** Rocket.Chat's own logout (Meteor's `logout` method destroys the connection's token). */
async function logoutInRocketChat(h: Harness, token: string): Promise<void> {
  await new RcClient(h.rc.url).post('/_ddp/logout', { token });
}

function reportRefused(
  h: Harness,
  p: Person,
  token: unknown,
  headers: Record<string, string> = {
    origin: BRIDGE,
    'sec-fetch-site': 'same-origin',
  },
) {
  return h.app.inject({
    method: 'POST',
    url: '/rocketchat/refused',
    headers: {
      ...headers,
      cookie: p.client.cookieHeader() ?? '',
      'content-type': 'application/json',
    },
    payload: JSON.stringify({ token }),
  });
}

describe('Token lifecycle: one token per bridge login, handed out again until it is known dead', () => {
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

  it('should mint once and hand the same token to the API URL and the post-login page', async () => {
    const p = await person(h);
    const before = h.rc.control.countCalls({
      route: 'users.createToken',
      status: 200,
    });
    const fromPage = pageToken(
      (await p.client.get('/rocketchat/redirect', FRAMED)).body,
    );
    expect(fromPage).toBeDefined();
    // Reloads and new tabs of Rocket.Chat 7.8+ ask the API URL: the same token each time.
    for (let i = 0; i < 5; i += 1) {
      expect(await apiToken(h, p)).toBe(fromPage);
    }
    expect(
      pageToken((await p.client.get('/rocketchat/redirect', FRAMED)).body),
    ).toBe(fromPage);
    expect(
      h.rc.control.countCalls({ route: 'users.createToken', status: 200 }),
    ).toBe(before + 1);
  });

  it('should ask "Continue as" when the chat shows the login page to a session, and go straight on elsewhere', async () => {
    const p = await person(h);
    await apiToken(h, p);
    // Rocket.Chat frames the login page only without a working token: ask before another login.
    const framed = await p.client.get('/login?next=/rocketchat/redirect', {
      'sec-fetch-dest': 'iframe',
    });
    expect(framed.statusCode).toBe(200);
    expect(framed.body).toContain('Continue as Reader');
    expect(framed.body).toContain('action="/login/continue"');
    const popup = await p.client.get(
      '/login?next=/rocketchat/redirect&popup=1',
      { 'sec-fetch-dest': 'document' },
    );
    expect(popup.body).toContain('action="/login/continue"');
    // The bridge's own login page opened directly is not the chat: no question there.
    const direct = await p.client.get('/login?next=/rocketchat/redirect', {
      'sec-fetch-dest': 'document',
    });
    expect(direct.statusCode).toBe(303);
  });

  it('should keep #28006 prevented: after a Rocket.Chat logout the token is refused and the frame asks; "Continue as" replaces it', async () => {
    const p = await person(h);
    const first = await apiToken(h, p);
    await logoutInRocketChat(h, first);
    // Rocket.Chat's client asks at once: a call is no evidence, the (now dead) token comes back...
    expect(await apiToken(h, p)).toBe(first);
    // ...which Rocket.Chat refuses, so it shows its login frame: the bridge asks first.
    const refused = await new RcClient(h.rc.url).post('/_ddp/login', {
      resume: first,
    });
    expect(refused.body).toMatchObject({ error: { error: 401 } });
    const ask = await p.client.get('/login?next=/rocketchat/redirect', {
      'sec-fetch-dest': 'iframe',
    });
    expect(ask.body).toContain('action="/login/continue"');
    const go = await p.client.post(
      '/login/continue',
      { csrf: csrfOf(ask.body) },
      { 'sec-fetch-dest': 'iframe' },
    );
    expect(go.statusCode).toBe(303);
    expect(go.headers.location).toMatch(/\/rocketchat\/redirect$/);
    const second = pageToken(
      (await p.client.get('/rocketchat/redirect', FRAMED)).body,
    );
    expect(second).toBeDefined();
    expect(second).not.toBe(first);
    expect((await h.rc.control.checkToken(second ?? '')).valid).toBe(true);
    // The replaced token is forgotten (Rocket.Chat had destroyed it already): one login remains.
    expect(await apiToken(h, p)).toBe(second);
    const rcUserId = (await h.rc.control.checkToken(second ?? '')).userId ?? '';
    expect(await h.rc.control.tokenCount(rcUserId, 'resume')).toBe(1);
  });

  it('should replace the token after "Continue as" even when Rocket.Chat still held it', async () => {
    const p = await person(h);
    const first = await apiToken(h, p);
    const ask = await p.client.get('/login?next=/rocketchat/redirect', {
      'sec-fetch-dest': 'iframe',
    });
    await p.client.post('/login/continue', { csrf: csrfOf(ask.body) });
    // The renewal happens once, at the next hand-out, whichever asks first.
    const second = await apiToken(h, p);
    expect(second).not.toBe(first);
    expect(await apiToken(h, p)).toBe(second);
    await expect
      .poll(async () => (await h.rc.control.checkToken(first)).valid)
      .toBe(false);
    expect((await h.rc.control.checkToken(second)).valid).toBe(true);
  });

  it('should revoke a token the post-login page reports refused, and ask before minting again', async () => {
    const p = await person(h);
    const token = pageToken(
      (await p.client.get('/rocketchat/redirect', FRAMED)).body,
    );
    const before = h.rc.control.countCalls('users.createToken');
    const answer = await reportRefused(h, p, hashLoginToken(token ?? ''));
    expect(answer.statusCode).toBe(204);
    await expect
      .poll(async () => (await h.rc.control.checkToken(token ?? '')).valid)
      .toBe(false);
    // No silent re-login: the API URL mints nothing, the post-login page sends to the login page.
    for (let i = 0; i < 3; i += 1) {
      expect((await callApiUrl(h.app, p.client, h.rc.origin)).statusCode).toBe(
        401,
      );
    }
    expect(
      (await p.client.get('/rocketchat/redirect', FRAMED)).statusCode,
    ).toBe(303);
    expect(h.rc.control.countCalls('users.createToken')).toBe(before);
    const ask = await p.client.get('/login?next=/rocketchat/redirect');
    expect(ask.body).toContain('action="/login/continue"');
    await p.client.post('/login/continue', { csrf: csrfOf(ask.body) });
    const fresh = pageToken(
      (await p.client.get('/rocketchat/redirect', FRAMED)).body,
    );
    expect(fresh).not.toBe(token);
    expect((await h.rc.control.checkToken(fresh ?? '')).valid).toBe(true);
  });

  it('should accept refusal reports only from the bridge’s own pages, for the current token', async () => {
    const p = await person(h);
    const token = await apiToken(h, p);
    const ref = hashLoginToken(token);
    for (const headers of [
      { origin: h.rc.origin },
      { origin: 'https://evil.example' },
      { origin: BRIDGE, 'sec-fetch-site': 'cross-site' },
      { 'sec-fetch-site': 'same-origin' },
    ] as Record<string, string>[]) {
      const answer = await reportRefused(h, p, ref, headers);
      expect(answer.statusCode).toBe(403);
      expect(answer.headers['access-control-allow-origin']).toBeUndefined();
    }
    for (const bad of ['', 'x', 42, null, `${ref}x`]) {
      expect((await reportRefused(h, p, bad)).statusCode).toBe(400);
    }
    // Another token's hash changes nothing; without a session nothing happens either.
    expect(
      (await reportRefused(h, p, hashLoginToken('some other token')))
        .statusCode,
    ).toBe(204);
    const stranger = await h.app.inject({
      method: 'POST',
      url: '/rocketchat/refused',
      headers: { origin: BRIDGE, 'content-type': 'application/json' },
      payload: JSON.stringify({ token: ref }),
    });
    expect(stranger.statusCode).toBe(204);
    expect(await apiToken(h, p)).toBe(token);
    expect((await h.rc.control.checkToken(token)).valid).toBe(true);
  });

  it('should stop handing the token out once the bridge session ends (its own revocation)', async () => {
    const p = await person(h);
    const token = await apiToken(h, p);
    await h.app.get(SessionService).destroy(p.sessionId, 'logout');
    expect((await callApiUrl(h.app, p.client, h.rc.origin)).statusCode).toBe(
      401,
    );
    await expect
      .poll(async () => (await h.rc.control.checkToken(token)).valid)
      .toBe(false);
  });
});

describe('Token lifecycle with the legacy iframe token', () => {
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

  it('should re-deliver the iframe token after a Rocket.Chat logout, which does not end it (Custom_Script_On_Logout must)', async () => {
    const p = await person(h);
    const answer = await callApiUrl(h.app, p.client, h.rc.origin);
    const token = answer.json<{ token: string }>().token;
    const rc = new RcClient(h.rc.url);
    const login = await rc.post('/_ddp/login', { iframe: true, token });
    const resume = (login.body as { result: { token: string } }).result.token;
    await rc.post('/_ddp/logout', { token: resume });
    // The logout destroyed the resume token, not services.iframe.token: the API URL cannot tell.
    const again = await callApiUrl(h.app, p.client, h.rc.origin);
    expect(again.json()).toEqual({ token });
    expect(
      await rc.post('/_ddp/login', {
        iframe: true,
        token: again.json<{ token: string }>().token,
      }),
    ).toMatchObject({ body: { result: { type: 'iframe' } } });
  });
});

describe('ROCKETCHAT_TOKEN_REDELIVERY_WINDOW', () => {
  it('should still start with the deprecated variable, warn once and ignore it', async () => {
    const logs = new CapturedLines();
    const h = await startHarness({
      env: { ROCKETCHAT_TOKEN_REDELIVERY_WINDOW: '1s', LOG_LEVEL: 'warn' },
      logDestination: logs,
    });
    try {
      const warnings = logs.lines.filter((line) =>
        line.includes('ROCKETCHAT_TOKEN_REDELIVERY_WINDOW is deprecated'),
      );
      expect(warnings).toHaveLength(1);
      const p = await person(h);
      const token = await apiToken(h, p);
      await new Promise((resolve) => setTimeout(resolve, 1100));
      expect(await apiToken(h, p)).toBe(token);
    } finally {
      await h.close();
    }
  });
});
