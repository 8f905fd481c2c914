import { getConnectionToken } from '@nestjs/mongoose';
import type { LightMyRequestResponse } from 'fastify';
import {
  afterAll,
  afterEach,
  beforeAll,
  describe,
  expect,
  it,
  vi,
} from 'vitest';
import { AuditRepository, AuditService } from '../../src/audit/index.js';
import { Clock } from '../../src/common/index.js';
import type { Connection } from 'mongoose';
import { UserAdminService } from '../../src/users/index.js';
import { csrfOf, decoded } from '../support/browser-like-client.js';
import { freePort } from '../support/browser.js';
import {
  TestOidcProvider,
  type TestAccount,
} from '../support/oidc-provider.js';
import {
  CLIENT_SECRET,
  location,
  OidcBrowser,
  startOidcApp,
  type OidcApp,
} from './oidc-app-fixture.js';

const HEIDI: TestAccount = {
  sub: 'heidi-0008',
  claims: { preferred_username: 'heidi', email: 'heidi@example.org' },
};
const LOCAL_PASSWORD = 'a local password for ivan';
const SESSION = '__Host-rcbridge_session';
const BINDING = '__Host-rcbridge_session_oidc';

/**
 * Every way the provider's answer can be bad, through the real routes: the login page with one
 * message, never a 5xx, the local form still working, nothing created, one audit record each.
 */
describe('OpenID callbacks that fail end on the login page (real provider)', () => {
  let t: OidcApp;
  let impostor: TestOidcProvider;
  let address = 0;

  beforeAll(async () => {
    // Nothing listens there: a provider that is down from the start.
    const deadPort = await freePort();
    // A provider whose discovery document names another issuer (from the start, so the bridge
    // never caches a good one).
    impostor = await TestOidcProvider.start({ clients: [], accounts: [] });
    impostor.faults.wrongIssuer = 'https://impostor.example.org';
    t = await startOidcApp({
      label: 'oidc_pages',
      accounts: [HEIDI],
      env: {
        // Each test its own client address (X-Forwarded-For from the trusted inject peer), so the
        // form posts' rate limit counts per test.
        TRUST_PROXY: '127.0.0.1',
        RATE_LIMIT_FORMS: '8/1m',
        OIDC_PROVIDERS: 'second,down,impostor',
        OIDC_IMPOSTOR_ISSUER: impostor.issuer,
        OIDC_IMPOSTOR_CLIENT_ID: 'bridge',
        OIDC_IMPOSTOR_CLIENT_SECRET: CLIENT_SECRET,
        OIDC_IMPOSTOR_NAME: 'Impostor ID',
        OIDC_DOWN_ISSUER: `http://127.0.0.1:${deadPort}`,
        OIDC_DOWN_CLIENT_ID: 'nobody',
        OIDC_DOWN_CLIENT_SECRET: CLIENT_SECRET,
        OIDC_DOWN_NAME: 'Down ID',
      },
    });
    await t.app.get(UserAdminService).create({
      username: 'ivan',
      password: LOCAL_PASSWORD,
    });
  });
  afterEach(() => {
    t.provider.faults.delay = undefined;
  });
  afterAll(async () => {
    await t?.close();
    await impostor?.stop();
  });

  function browser(): OidcBrowser {
    address += 1;
    return new OidcBrowser(t, { 'x-forwarded-for': `198.51.100.${address}` });
  }

  async function counts(): Promise<{ users: number; sessions: number }> {
    const db = t.app.get<Connection>(getConnectionToken());
    return {
      users: await db.collection('bridge_users').countDocuments(),
      sessions: await db.collection('bridge_sessions').countDocuments(),
    };
  }

  async function lastFailure() {
    await t.app.get(AuditService).flush();
    const [record] = await t.app
      .get(AuditRepository)
      .recent(1, { kind: 'oidc.login.failed' });
    return record;
  }

  /** The failure page: the login page with the message, no session, a form that still logs in. */
  async function expectLoginPage(
    b: OidcBrowser,
    answer: LightMyRequestResponse,
    status: number,
    message: string,
  ): Promise<void> {
    expect(answer.statusCode).toBe(status);
    const html = decoded(answer.body);
    expect(html).toContain(message);
    expect(html).toContain('id="error-summary" role="alert"');
    expect(html).not.toMatch(/code=|state=|eyJ/);
    expect(b.bridge.cookies.has(SESSION)).toBe(false);
    expect(b.bridge.cookies.has(BINDING)).toBe(false);
    const login = await b.bridge.post('/login', {
      csrf: csrfOf(answer.body),
      username: 'ivan',
      password: LOCAL_PASSWORD,
    });
    expect(login.statusCode).toBe(303);
  }

  async function started(b: OidcBrowser, path = '/login/oidc') {
    const start = await b.start(path);
    expect(start.statusCode).toBe(303);
    return new URL(location(start));
  }

  it('should refuse a tampered state', async () => {
    const b = browser();
    const before = await counts();
    const callback = new URL(
      await b.atProvider((await started(b)).href, HEIDI.sub),
      t.publicUrl,
    );
    callback.searchParams.set(
      'state',
      `${callback.searchParams.get('state')}x`,
    );
    const answer = await b.bridge.get(`${callback.pathname}${callback.search}`);
    await expectLoginPage(
      b,
      answer,
      400,
      'This sign-in expired or was already used.',
    );
    expect(await counts()).toEqual({
      users: before.users,
      sessions: before.sessions + 1,
    });
    expect((await lastFailure()).details).toMatchObject({
      provider: 'default',
      reason: 'state-unknown',
    });
  });

  it('should refuse a replayed code: the callback works once', async () => {
    const b = browser();
    const callback = await b.atProvider((await started(b)).href, HEIDI.sub);
    const binding = b.bridge.cookies.get(BINDING) ?? 'missing';
    expect((await b.bridge.get(callback)).statusCode).toBe(303);
    // The same code and state, with the same binding (not a browser mismatch): a replay.
    const again = browser();
    again.bridge.cookies.set(BINDING, binding);
    const replay = await again.bridge.get(callback);
    await expectLoginPage(
      again,
      replay,
      400,
      'This sign-in expired or was already used.',
    );
  });

  it("should show the provider's refusal (error=access_denied) without echoing its description", async () => {
    const b = browser();
    const callback = await b.atProvider((await started(b)).href, HEIDI.sub, {
      cancel: { description: '<script>alert(1)</script> go away' },
    });
    expect(callback).toContain('error=access_denied');
    const answer = await b.bridge.get(callback);
    await expectLoginPage(b, answer, 401, 'Staff ID did not sign you in.');
    expect(answer.body).not.toContain('go away');
    expect((await lastFailure()).details).toMatchObject({
      reason: 'provider-refused',
      error: 'access_denied',
    });
  });

  it('should refuse an ID token with another nonce', async () => {
    const b = browser();
    const authorization = await started(b);
    authorization.searchParams.set('nonce', 'a-nonce-the-bridge-never-made');
    const answer = await b.bridge.get(
      await b.atProvider(authorization.href, HEIDI.sub),
    );
    await expectLoginPage(
      b,
      answer,
      400,
      'The answer from Staff ID could not be verified.',
    );
    expect((await lastFailure()).details).toMatchObject({
      reason: 'nonce-mismatch',
    });
  });

  it('should refuse an ID token from a provider whose clock is minutes ahead', async () => {
    const b = browser();
    // This machine five minutes behind: the token's iat is in its future (the app's Clock, which
    // the OpenID checks use too).
    const now = Date.now.bind(Date);
    vi.spyOn(Clock.prototype, 'now').mockImplementation(
      () => now() - 5 * 60_000,
    );
    const answer = await b.bridge.get(
      await b.atProvider((await started(b)).href, HEIDI.sub),
    );
    vi.restoreAllMocks();
    await expectLoginPage(
      b,
      answer,
      400,
      'Signing in with Staff ID is not set up correctly.',
    );
    expect((await lastFailure()).details).toMatchObject({
      reason: 'clock-skew',
    });
  });

  it('should refuse a callback without the browser binding, and still finish it in the browser that started it', async () => {
    const b = browser();
    const callback = await b.atProvider((await started(b)).href, HEIDI.sub);
    const stranger = browser();
    await expectLoginPage(
      stranger,
      await stranger.bridge.get(callback),
      400,
      'This sign-in was started in another browser or window.',
    );
    expect((await b.bridge.get(callback)).statusCode).toBe(303);
  });

  it('should say so when the provider is down, slow, or its discovery names another issuer, and work again once it is back', async () => {
    const b = browser();
    const callback = await b.atProvider((await started(b)).href, HEIDI.sub);
    await t.provider.stop();
    try {
      await expectLoginPage(
        b,
        await b.bridge.get(callback),
        400,
        'Staff ID cannot be reached right now.',
      );
      expect((await lastFailure()).details).toMatchObject({
        reason: 'provider-unavailable',
      });
    } finally {
      await t.provider.restart();
    }
    const slow = browser();
    const slowCallback = await slow.atProvider(
      (await started(slow)).href,
      HEIDI.sub,
    );
    t.provider.faults.delay = { paths: /^\/token/, ms: 1500 };
    await expectLoginPage(
      slow,
      await slow.bridge.get(slowCallback),
      400,
      'Staff ID cannot be reached right now.',
    );
    t.provider.faults.delay = undefined;

    const down = browser();
    await expectLoginPage(
      down,
      await down.start('/login/oidc/down'),
      400,
      'Down ID cannot be reached right now.',
    );

    const wrong = browser();
    await expectLoginPage(
      wrong,
      await wrong.start('/login/oidc/impostor'),
      400,
      'Signing in with Impostor ID is not set up correctly.',
    );
    expect((await lastFailure()).details).toMatchObject({
      provider: 'impostor',
      reason: 'discovery-invalid',
    });

    const back = browser();
    expect((await back.signIn(HEIDI.sub)).statusCode).toBe(303);
  });

  it('should answer 404 for a provider that does not exist', async () => {
    const b = browser();
    for (const path of [
      '/login/oidc/nope',
      '/login/oidc/nope/callback?code=x&state=y',
      '/login/oidc/default/callback?code=x&state=y',
    ]) {
      const answer = await b.bridge.get(path);
      expect(answer.statusCode).toBe(404);
      expect(answer.body).toContain('There is no such sign-in option.');
    }
  });

  it("should count the start and the callback against the form posts' rate limit", async () => {
    const b = browser();
    const statuses: number[] = [];
    for (let i = 0; i < 9; i += 1) {
      statuses.push(
        (await b.bridge.get('/login/oidc/callback?code=c&state=s')).statusCode,
      );
    }
    expect(statuses.slice(0, 8).every((s) => s === 400)).toBe(true);
    expect(statuses[8]).toBe(429);
  });
});
