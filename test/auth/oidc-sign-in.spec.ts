import { getConnectionToken } from '@nestjs/mongoose';
import type { Connection } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditRepository, AuditService } from '../../src/audit/index.js';
import { IdTokenSealer, IdTokenUnsealError } from '../../src/identity/index.js';
import { UserLinksRepository } from '../../src/rocketchat/provisioning/user-links.repository.js';
import type { SessionRecord } from '../../src/session/session.schema.js';
import {
  UserAdminService,
  UserIdentitiesRepository,
  UsersRepository,
} from '../../src/users/index.js';
import { decoded } from '../support/browser-like-client.js';
import type { TestAccount } from '../support/oidc-provider.js';
import {
  location,
  OidcBrowser,
  startOidcApp,
  type OidcApp,
} from './oidc-app-fixture.js';

const SESSION = '__Host-rcbridge_session';
const FRAMED = { 'sec-fetch-dest': 'iframe', 'sec-fetch-site': 'cross-site' };

const CAROL: TestAccount = {
  sub: 'carol-0003',
  claims: {
    preferred_username: 'carol',
    email: 'carol@example.org',
    email_verified: true,
    name: 'Carol Example',
    groups: ['staff'],
  },
};
/** Holds the user name of a local bridge user. */
const SQUATTER: TestAccount = {
  sub: 'other-0004',
  claims: { preferred_username: 'localdan', email: 'x@example.net' },
};
/** Her verified address is a local user's: linked through `second` (OIDC_SECOND_LINK_BY_EMAIL). */
const ERIN: TestAccount = {
  sub: 'erin-0005',
  claims: {
    preferred_username: 'erin.sso',
    email: 'erin@example.org',
    email_verified: true,
  },
};
const FRANK: TestAccount = {
  sub: 'frank-0006',
  claims: { preferred_username: 'frank', email: 'frank@example.org' },
};
const GRACE: TestAccount = {
  sub: 'grace-0007',
  claims: { preferred_username: 'grace' },
};

describe('Sign-in through an OpenID provider, end to end (real provider, emulated Rocket.Chat)', () => {
  let t: OidcApp;

  beforeAll(async () => {
    t = await startOidcApp({
      label: 'oidc_sign_in',
      accounts: [CAROL, SQUATTER, ERIN, FRANK, GRACE],
      env: { OIDC_SECOND_LINK_BY_EMAIL: 'true' },
    });
  });
  afterAll(async () => {
    await t?.close();
  });

  function sessions(): Promise<SessionRecord[]> {
    return t.app
      .get<Connection>(getConnectionToken())
      .collection<SessionRecord>('bridge_sessions')
      .find()
      .toArray();
  }

  async function auditKinds(kind: string) {
    await t.app.get(AuditService).flush();
    return t.app.get(AuditRepository).recent(50, { kind });
  }

  /** The framed post-login page's token, as the chat would receive it. */
  async function tokenOf(browser: OidcBrowser): Promise<string> {
    const page = await browser.bridge.get('/rocketchat/redirect', FRAMED);
    const token = /"loginToken":"([^"]+)"/.exec(page.body)?.[1];
    if (!token) {
      throw new Error(`no token in the post-login page (${page.statusCode})`);
    }
    return token;
  }

  it('should show one button per provider, an <a> under /login/oidc, that opens where the page is', async () => {
    const browser = new OidcBrowser(t);
    const top = decoded((await browser.bridge.get('/login/')).body);
    expect(top).toContain(
      '<a class="button button-secondary" id="sso-default" href="/login/oidc">Sign in with Staff ID</a>',
    );
    expect(top).toContain(
      'id="sso-second" href="/login/oidc/second">Sign in with Partner ID</a>',
    );
    // Rocket.Chat's frame: a login window (popup=1), with the way on in the whole tab.
    const framed = decoded(
      (
        await browser.bridge.get('/login/?next=/rocketchat/redirect', {
          ...FRAMED,
          'accept-language': 'de',
        })
      ).body,
    );
    expect(framed).toMatch(
      /id="sso-default" href="\/login\/oidc\?popup=1" target="_blank" rel="opener" data-sso-popup data-sso-continue="\/login\/oidc" data-sso-label="In diesem Fenster mit Staff ID anmelden">Mit Staff ID anmelden<span class="visually-hidden"> \(öffnet ein neues Fenster\)<\/span><\/a>/,
    );
    expect(framed).toContain('window.open(link.href');
    // The desktop app's frame: the whole tab, back through Rocket.Chat (not "return to the app").
    const desktop = decoded(
      (
        await browser.bridge.get(
          '/login/?next=/rocketchat/redirect&client=electron',
          FRAMED,
        )
      ).body,
    );
    expect(desktop).toContain(
      'id="sso-default" href="/login/oidc" target="_top">Sign in with Staff ID</a>',
    );
    // The login window opened from a frame (cookies blocked there): the same window goes on.
    const popup = decoded((await browser.bridge.get('/login/?popup=1')).body);
    expect(popup).toContain(
      'id="sso-second" href="/login/oidc/second?popup=1">',
    );
  });

  it('should sign a new person in: a bridge user created just in time, a session holding the provider session, a Rocket.Chat account and token', async () => {
    const browser = new OidcBrowser(t);
    const done = await browser.signIn(CAROL.sub);
    expect(done.statusCode).toBe(303);
    expect(browser.bridge.cookies.has(SESSION)).toBe(true);
    expect(location(done)).toBe(`${t.publicUrl}/rocketchat/redirect`);
    const user = await t.app
      .get(UserIdentitiesRepository)
      .findByExternal('oidc:default', CAROL.sub);
    expect(user).toMatchObject({
      username: 'carol',
      email: 'carol@example.org',
      displayName: 'Carol Example',
      groups: ['staff'],
      hasPassword: false,
    });
    const record = (await sessions()).find((s) => s.userId === user!.id);
    expect(record?.oidc).toMatchObject({
      providerId: 'default',
      sub: CAROL.sub,
      sid: expect.any(String),
    });
    // The ID token is kept for the provider logout, sealed to this session.
    const idToken = t.app
      .get(IdTokenSealer)
      .open(record!.oidc!.idToken!, record!._id.toHexString());
    expect(idToken.split('.')).toHaveLength(3);
    expect(() =>
      t.app.get(IdTokenSealer).open(record!.oidc!.idToken!, 'another-session'),
    ).toThrow(IdTokenUnsealError);
    const token = await tokenOf(browser);
    const link = await t.app.get(UserLinksRepository).find(user!.id);
    expect(await t.rc.control.checkToken(token)).toMatchObject({
      valid: true,
      userId: link?.rcUserId,
    });
    const [event] = await auditKinds('oidc.login.succeeded');
    expect(event).toMatchObject({
      userId: user!.id,
      username: 'carol',
      details: { provider: 'default' },
    });
  });

  it('should give the same Rocket.Chat account at the next sign-in, from another browser', async () => {
    const first = new OidcBrowser(t);
    await first.signIn(FRANK.sub);
    const firstToken = await tokenOf(first);
    const second = new OidcBrowser(t);
    await second.signIn(FRANK.sub);
    const secondToken = await tokenOf(second);
    expect(secondToken).not.toBe(firstToken);
    const [a, b] = await Promise.all([
      t.rc.control.checkToken(firstToken),
      t.rc.control.checkToken(secondToken),
    ]);
    expect(a.valid && b.valid).toBe(true);
    expect(b.userId).toBe(a.userId);
    expect(
      (await t.app.get(UsersRepository).findByUsername('frank'))?.id,
    ).toBeDefined();
  });

  it('should refuse a user name a local user holds, with a message on the login page, and create nothing', async () => {
    await t.app
      .get(UserAdminService)
      .create({ username: 'localdan', password: 'local dan password 123' });
    const before = (await sessions()).length;
    const browser = new OidcBrowser(t);
    const refused = await browser.signIn(SQUATTER.sub);
    expect(refused.statusCode).toBe(403);
    expect(decoded(refused.body)).toContain(
      'The user name localdan already belongs to another account here.',
    );
    // The form is still there, with a working token.
    expect(refused.body).toContain('name="password"');
    expect(
      await t.app
        .get(UserIdentitiesRepository)
        .findByExternal('oidc:default', SQUATTER.sub),
    ).toBeNull();
    expect((await sessions()).length).toBe(before);
    expect(browser.bridge.cookies.has(SESSION)).toBe(false);
    const [event] = await auditKinds('oidc.login.failed');
    expect(event).toMatchObject({
      username: 'localdan',
      details: { provider: 'default', reason: 'username-taken' },
    });
  });

  it('should link a local user by a verified address where the provider allows it, and refuse a disabled bridge user whatever the provider says', async () => {
    const erin = await t.app.get(UserAdminService).create({
      username: 'erin',
      password: 'erin local password 123',
      email: 'erin@example.org',
    });
    const browser = new OidcBrowser(t);
    const done = await browser.signIn(ERIN.sub, '/login/oidc/second');
    expect(done.statusCode).toBe(303);
    const linked = await t.app
      .get(UserIdentitiesRepository)
      .findByExternal('oidc:second', ERIN.sub);
    expect(linked?.id).toBe(erin.id);

    const grace = new OidcBrowser(t);
    await grace.signIn(GRACE.sub);
    const user = await t.app
      .get(UserIdentitiesRepository)
      .findByExternal('oidc:default', GRACE.sub);
    await t.app.get(UserAdminService).setActive(user!.username, false);
    const again = new OidcBrowser(t);
    const refused = await again.signIn(GRACE.sub);
    expect(refused.statusCode).toBe(403);
    expect(refused.body).toContain('Your account is disabled.');
    expect(again.bridge.cookies.has(SESSION)).toBe(false);
  });

  it('should end the provider session too at a bridge logout (RP-initiated logout): at once top level, offered in a new window framed', async () => {
    const browser = new OidcBrowser(t);
    await browser.signIn(CAROL.sub);
    const { csrf } = await browser.bridge.open('/logout');
    const out = await browser.bridge.post('/logout', { csrf });
    expect(out.statusCode).toBe(200);
    const html = decoded(out.body);
    const url = new URL(
      /id="provider-logout" href="([^"]+)"/.exec(html)?.[1] ?? '',
    );
    expect(`${url.origin}${url.pathname}`).toBe(
      `${t.provider.issuer}/session/end`,
    );
    expect(url.searchParams.get('client_id')).toBe('bridge-app');
    expect(url.searchParams.get('post_logout_redirect_uri')).toBe(
      `${t.publicUrl}/login/`,
    );
    expect(url.searchParams.get('id_token_hint')?.split('.')).toHaveLength(3);
    expect(html).toContain('window.location.replace(');
    // The provider accepts it: its logout confirmation for this session.
    const confirm = await browser.provider.request('GET', url.href);
    expect(confirm.status).toBe(200);
    expect(await confirm.text()).toContain('logout');

    const framed = new OidcBrowser(t);
    await framed.signIn(CAROL.sub);
    const form = await framed.bridge.get('/logout');
    const csrf2 = /name="csrf" value="([^"]*)"/.exec(form.body)?.[1] ?? '';
    const outFramed = decoded(
      (
        await framed.bridge.post(
          '/logout',
          { csrf: csrf2 },
          { 'sec-fetch-dest': 'iframe' },
        )
      ).body,
    );
    expect(outFramed).toMatch(
      /id="provider-logout" href="[^"]+" target="_blank" rel="noopener">Sign out of Staff ID/,
    );
    expect(outFramed).not.toContain('window.location.replace(');
  });

  it("should end the bridge sessions and their Rocket.Chat tokens at the provider's back-channel logout, and refuse a bad token with 400, changing nothing", async () => {
    const browser = new OidcBrowser(t);
    await browser.signIn(FRANK.sub);
    const token = await tokenOf(browser);
    const user = await t.app
      .get(UserIdentitiesRepository)
      .findByExternal('oidc:default', FRANK.sub);
    const mine = (await sessions()).filter((s) => s.userId === user!.id);
    expect(mine.length).toBeGreaterThan(0);

    const forged = await t.app.inject({
      method: 'POST',
      url: '/login/oidc/backchannel-logout',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: `logout_token=${await t.provider.sign(
        {
          iss: t.provider.issuer,
          aud: 'bridge-app',
          iat: Math.floor(Date.now() / 1000),
          jti: 'forged-1',
          sub: FRANK.sub,
          events: {
            'http://schemas.openid.net/event/backchannel-logout': {},
          },
        },
        { key: 'foreign' },
      )}`,
    });
    expect(forged.statusCode).toBe(400);
    expect(forged.headers['cache-control']).toBe('no-store');
    expect(forged.json()).toMatchObject({ error: 'invalid_request' });
    expect(
      (await sessions()).filter((s) => s.userId === user!.id),
    ).toHaveLength(mine.length);
    expect((await t.rc.control.checkToken(token)).valid).toBe(true);

    // The provider's own logout token, posted by the provider to the bridge's real port.
    // This browser's session: the newest of Frank's (earlier tests signed him in elsewhere).
    const newest = mine.reduce((a, b) => (a.createdAt > b.createdAt ? a : b));
    const sid = newest.oidc!.sid!;
    await t.provider.backchannelLogout('bridge-app', FRANK.sub, sid);
    await expect
      .poll(async () => (await sessions()).some((s) => s.oidc?.sid === sid))
      .toBe(false);
    await expect
      .poll(async () => (await t.rc.control.checkToken(token)).valid)
      .toBe(false);
    const [accepted] = await auditKinds('oidc.backchannel-logout');
    expect(accepted.details).toMatchObject({ provider: 'default' });
    const [refused] = await auditKinds('oidc.backchannel-logout.refused');
    expect(refused.details).toMatchObject({ reason: 'signature' });
    // The ended session is gone from the browser too: the post-login page sends it to log in.
    const after = await browser.bridge.get('/rocketchat/redirect', FRAMED);
    expect(after.statusCode).toBe(303);
  });
});
