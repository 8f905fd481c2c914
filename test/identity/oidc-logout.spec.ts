import { randomUUID } from 'node:crypto';
import type { JWTPayload } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BACKCHANNEL_LOGOUT_EVENT,
  BackchannelLogoutError,
  BackchannelLogoutService,
  IdTokenSealer,
  JWKS_REFETCH_COOLDOWN_MS,
  OidcEndSessionService,
  OidcLoginService,
  type OidcLoginResult,
} from '../../src/identity/oidc/index.js';
import { TestOidcProvider } from '../support/oidc-provider.js';
import {
  ProviderUserAgent,
  type LogoutReceiver,
} from '../support/oidc-user-agent.js';
import {
  ALICE,
  bridgeClients,
  bridgeEnv,
  clientKey,
  createOidcContext,
  startLogoutReceiver,
  type OidcContext,
} from './oidc-fixture.js';

describe('Logout: RP-initiated logout URLs and back-channel logout tokens', () => {
  let provider: TestOidcProvider;
  let receiver: LogoutReceiver;
  let t: OidcContext;
  let backchannel: BackchannelLogoutService;
  let agent: ProviderUserAgent;
  let signedIn: OidcLoginResult;

  beforeAll(async () => {
    receiver = await startLogoutReceiver();
    const key = await clientKey();
    provider = await TestOidcProvider.start({
      clients: bridgeClients(receiver, key),
      accounts: [ALICE],
    });
    t = await createOidcContext(bridgeEnv(provider, key), 'oidc_logout');
    backchannel = t.get(BackchannelLogoutService);
    agent = new ProviderUserAgent(new URL(provider.issuer).origin);
    const login = t.get(OidcLoginService);
    const begun = await login.begin({
      providerId: 'default',
      next: '/',
      popup: false,
    });
    const callback = await agent.signIn(begun.authorizationUrl, {
      account: ALICE.sub,
    });
    signedIn = await login.finish({
      providerId: 'default',
      callbackQuery: callback.search,
      browserBinding: begun.browserBinding,
    });
  });
  afterAll(async () => {
    await t?.close();
    await provider?.stop();
    await receiver?.stop();
  });

  function claims(overrides: JWTPayload = {}): JWTPayload {
    return {
      iss: provider.issuer,
      aud: 'bridge-basic',
      iat: Math.floor(Date.now() / 1000),
      jti: randomUUID(),
      sub: ALICE.sub,
      sid: 'a-session-id',
      events: { [BACKCHANNEL_LOGOUT_EVENT]: {} },
      ...overrides,
    };
  }

  async function refusal(token: unknown): Promise<string> {
    const error = await backchannel.validate(token).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BackchannelLogoutError);
    return (error as BackchannelLogoutError).reason;
  }

  it("should end the provider session through RP-initiated logout, and accept the provider's own back-channel token once", async () => {
    // The ID token is kept sealed with the session; opened again for the hint.
    const sealer = t.get(IdTokenSealer);
    const sealed = sealer.seal(signedIn.providerSession.idToken, 'session-1');
    expect(sealed).not.toContain(
      signedIn.providerSession.idToken.split('.')[1],
    );

    const url = new URL(
      (await t.get(OidcEndSessionService).endSessionUrl({
        providerId: 'default',
        idToken: sealer.open(sealed, 'session-1'),
      }))!,
    );
    expect(url.origin + url.pathname).toBe(`${provider.issuer}/session/end`);
    expect(url.searchParams.get('client_id')).toBe('bridge-basic');
    expect(url.searchParams.get('post_logout_redirect_uri')).toBe(
      'http://localhost:8000/login/',
    );
    expect(url.searchParams.get('id_token_hint')).toBe(
      signedIn.providerSession.idToken,
    );

    const page = await (await agent.request('GET', url.href)).text();
    const action =
      /<form id="op.logoutForm" method="post" action="([^"]+)"/.exec(page)?.[1];
    const xsrf = /name="xsrf" value="([^"]+)"/.exec(page)?.[1];
    expect(action && xsrf).toBeTruthy();
    const confirmed = await agent.request(
      'POST',
      new URL(action!, url).href,
      new URLSearchParams({ xsrf: xsrf!, logout: 'yes' }),
    );
    expect(confirmed.headers.get('location')).toBe(
      'http://localhost:8000/login/',
    );

    expect(receiver.tokens).toHaveLength(1);
    const [token] = receiver.tokens;
    await expect(backchannel.validate(token)).resolves.toEqual({
      providerId: 'default',
      sub: ALICE.sub,
      sid: signedIn.providerSession.sid,
    });
    expect(await refusal(token)).toBe('replayed');
  });

  it('should accept a logout token the provider sends on its own (sub and sid)', async () => {
    await provider.backchannelLogout('bridge-basic', ALICE.sub, 'sid-42');
    const token = receiver.tokens.at(-1)!;
    await expect(backchannel.validate(token)).resolves.toEqual({
      providerId: 'default',
      sub: ALICE.sub,
      sid: 'sid-42',
    });
  });

  it('should accept a well-formed token with only sid, or only sub', async () => {
    await expect(
      backchannel.validate(await provider.sign(claims({ sub: undefined }))),
    ).resolves.toEqual({
      providerId: 'default',
      sub: undefined,
      sid: 'a-session-id',
    });
    await expect(
      backchannel.validate(await provider.sign(claims({ sid: undefined }))),
    ).resolves.toMatchObject({
      sub: ALICE.sub,
      sid: undefined,
    });
  });

  it('should refuse every token that breaks a rule of Back-Channel Logout 1.0', async () => {
    const now = Math.floor(Date.now() / 1000);
    const cases: [string, Promise<string>][] = [
      ['signature', provider.sign(claims(), { key: 'foreign' })],
      [
        'issuer-audience',
        provider.sign(claims({ iss: 'https://other.example.org' })),
      ],
      ['issuer-audience', provider.sign(claims({ aud: 'someone-else' }))],
      ['events', provider.sign(claims({ events: undefined }))],
      [
        'events',
        provider.sign(
          claims({ events: { [BACKCHANNEL_LOGOUT_EVENT]: 'yes' } }),
        ),
      ],
      [
        'events',
        provider.sign(
          claims({ events: { 'http://schemas.openid.net/event/other': {} } }),
        ),
      ],
      ['nonce', provider.sign(claims({ nonce: 'n-0S6_WzA2Mj' }))],
      ['sub-sid', provider.sign(claims({ sub: undefined, sid: undefined }))],
      ['iat', provider.sign(claims({ iat: now - 600 }))],
      ['iat', provider.sign(claims({ iat: now + 600 }))],
      ['iat', provider.sign(claims({ iat: undefined }))],
      ['expired', provider.sign(claims({ exp: now - 120 }))],
      ['jti', provider.sign(claims({ jti: undefined }))],
    ];
    for (const [reason, token] of cases) {
      expect([reason, await refusal(await token)]).toEqual([reason, reason]);
    }
    expect(await refusal('not.a-jwt')).toBe('malformed');
    expect(await refusal('abc')).toBe('malformed');
    expect(await refusal(undefined)).toBe('malformed');
    expect(await refusal(['a', 'b'])).toBe('malformed');
  });

  it('should refuse a replayed jti even when the token is re-signed', async () => {
    const jti = randomUUID();
    await backchannel.validate(await provider.sign(claims({ jti })));
    expect(
      await refusal(await provider.sign(claims({ jti, sid: 'other' }))),
    ).toBe('replayed');
  });

  it("should follow the provider's key rotation for logout tokens", async () => {
    await backchannel.validate(await provider.sign(claims()));
    await provider.rotateKey();
    // The keys were fetched just now: an unknown kid makes them fetched again after the cool-down.
    await new Promise((resolve) =>
      setTimeout(resolve, JWKS_REFETCH_COOLDOWN_MS + 100),
    );
    await provider.backchannelLogout(
      'bridge-basic',
      ALICE.sub,
      'sid-after-rotation',
    );
    await expect(
      backchannel.validate(receiver.tokens.at(-1)!),
    ).resolves.toMatchObject({
      sid: 'sid-after-rotation',
    });
  });

  it('should say no RP-initiated logout when the ID token hint is absent, with the hint optional', async () => {
    const url = await t
      .get(OidcEndSessionService)
      .endSessionUrl({ providerId: 'default' });
    expect(new URL(url!).searchParams.has('id_token_hint')).toBe(false);
  });
});
