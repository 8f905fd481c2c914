import {
  afterAll,
  afterEach,
  beforeAll,
  describe,
  expect,
  it,
  vi,
} from 'vitest';
import {
  OidcBrowserMismatchError,
  OidcClockSkewError,
  OidcDiscovery,
  OidcCodeRejectedError,
  OidcIdTokenInvalidError,
  OidcLoginService,
  OidcNonceMismatchError,
  OidcProviderRefusedError,
  OidcStateExpiredError,
  OidcStateUnknownError,
  OidcUnknownProviderError,
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

describe('OpenID Connect callbacks that must fail, readably', () => {
  let provider: TestOidcProvider;
  let receiver: LogoutReceiver;
  let t: OidcContext;
  let login: OidcLoginService;
  let agent: ProviderUserAgent;

  beforeAll(async () => {
    receiver = await startLogoutReceiver();
    const key = await clientKey();
    provider = await TestOidcProvider.start({
      clients: bridgeClients(receiver, key),
      accounts: [ALICE],
    });
    t = await createOidcContext(bridgeEnv(provider, key), 'oidc_failures');
    login = t.get(OidcLoginService);
    agent = new ProviderUserAgent(new URL(provider.issuer).origin);
  });
  afterEach(() => {
    t.clock.offsetMs = 0;
  });
  afterAll(async () => {
    await t?.close();
    await provider?.stop();
    await receiver?.stop();
  });

  async function started(
    tamper?: (url: URL) => void,
  ): Promise<{ binding: string; callback: URL }> {
    const begun = await login.begin({
      providerId: 'default',
      next: '/',
      popup: false,
    });
    const url = new URL(begun.authorizationUrl);
    tamper?.(url);
    const callback = await agent.signIn(url.href, { account: ALICE.sub });
    return { binding: begun.browserBinding, callback };
  }

  function finish(
    callback: URL | string,
    binding: string | undefined,
    providerId = 'default',
  ) {
    return login.finish({
      providerId,
      callbackQuery: typeof callback === 'string' ? callback : callback.search,
      browserBinding: binding,
    });
  }

  it('should refuse a tampered or missing state, and a callback for a provider that does not exist', async () => {
    const { binding, callback } = await started();
    const tampered = new URLSearchParams(callback.search);
    tampered.set('state', `${tampered.get('state')}x`);
    await expect(finish(tampered.toString(), binding)).rejects.toThrow(
      OidcStateUnknownError,
    );
    tampered.delete('state');
    await expect(finish(tampered.toString(), binding)).rejects.toThrow(
      OidcStateUnknownError,
    );
    await expect(finish(callback, binding, 'nope')).rejects.toThrow(
      OidcUnknownProviderError,
    );
    // The untouched callback still works: a stranger's guesses did not use it up.
    await expect(finish(callback, binding)).resolves.toMatchObject({
      person: { username: 'alice' },
    });
  });

  it('should refuse a callback from another browser and keep the sign-in for the right one', async () => {
    const { binding, callback } = await started();
    await expect(finish(callback, undefined)).rejects.toThrow(
      OidcBrowserMismatchError,
    );
    await expect(finish(callback, 'another-browsers-cookie')).rejects.toThrow(
      OidcBrowserMismatchError,
    );
    await expect(finish(callback, binding)).resolves.toBeDefined();
  });

  it("should refuse a callback on another provider's route (one provider's code never reaches another)", async () => {
    const { binding, callback } = await started();
    await expect(finish(callback, binding, 'post')).rejects.toThrow(
      OidcStateUnknownError,
    );
  });

  it('should refuse a sign-in that took longer than OIDC_LOGIN_TIMEOUT', async () => {
    const { binding, callback } = await started();
    t.clock.offsetMs = 10 * 60_000 + 1000;
    await expect(finish(callback, binding)).rejects.toThrow(
      OidcStateExpiredError,
    );
  });

  it('should refuse a replayed callback, and a replayed code under a fresh state', async () => {
    const first = await started();
    await finish(first.callback, first.binding);
    await expect(finish(first.callback, first.binding)).rejects.toThrow(
      OidcStateUnknownError,
    );

    const second = await login.begin({
      providerId: 'default',
      next: '/',
      popup: false,
    });
    const injected = new URLSearchParams(first.callback.search);
    injected.set(
      'state',
      new URL(second.authorizationUrl).searchParams.get('state')!,
    );
    const error = await finish(
      injected.toString(),
      second.browserBinding,
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OidcCodeRejectedError);
  });

  it('should turn error=access_denied into a refusal whose description is reduced to safe characters', async () => {
    const begun = await login.begin({
      providerId: 'default',
      next: '/',
      popup: false,
    });
    // A browser without a session at the provider, so that the login page is shown.
    const stranger = new ProviderUserAgent(new URL(provider.issuer).origin);
    const callback = await stranger.signIn(begun.authorizationUrl, {
      account: ALICE.sub,
      cancel: {
        description:
          'Nope <script>alert("x")</script>\u0007 \\ é' + 'z'.repeat(300),
      },
    });
    expect(callback.searchParams.get('error')).toBe('access_denied');
    const error = (await finish(callback, begun.browserBinding).catch(
      (e: unknown) => e,
    )) as OidcProviderRefusedError;
    expect(error).toBeInstanceOf(OidcProviderRefusedError);
    expect(error.reason).toBe('provider-refused');
    expect(error.error).toBe('access_denied');
    expect(error.description).toMatch(
      /^Nope <script>alert\( x \)<\/script> z+…$/,
    );
    expect(error.description!.length).toBeLessThanOrEqual(200);
  });

  it('should refuse an ID token whose nonce is not the one this sign-in sent', async () => {
    const { binding, callback } = await started((url) =>
      url.searchParams.set('nonce', 'a-nonce-someone-else-chose'),
    );
    await expect(finish(callback, binding)).rejects.toThrow(
      OidcNonceMismatchError,
    );
  });

  it('should refuse ID tokens when the clocks disagree by more than the tolerance, naming the claim', async () => {
    // Our clock two hours ahead: the one-hour ID token is already expired.
    t.clock.offsetMs = 2 * 3_600_000;
    const ahead = await started();
    const late = (await finish(ahead.callback, ahead.binding).catch(
      (e: unknown) => e,
    )) as OidcClockSkewError;
    expect(late).toBeInstanceOf(OidcClockSkewError);
    expect(late.claim).toBe('exp');

    // Ten minutes behind: the token was issued in our future.
    t.clock.offsetMs = -10 * 60_000;
    const behind = await started();
    const early = (await finish(behind.callback, behind.binding).catch(
      (e: unknown) => e,
    )) as OidcClockSkewError;
    expect(early).toBeInstanceOf(OidcClockSkewError);
    expect(early.claim).toBe('iat');

    // Within the minute of tolerance: accepted.
    t.clock.offsetMs = -45_000;
    const close = await started();
    await expect(finish(close.callback, close.binding)).resolves.toBeDefined();
  });

  it('should follow a signing key rotation: a key newer than the cached JWKS is fetched at the next sign-in', async () => {
    // A fresh copy of the provider's metadata and keys, fetched at this sign-in.
    t.get(OidcDiscovery).forget('default');
    const before = await started();
    await finish(before.callback, before.binding);

    const newKid = await provider.rotateKey();
    const during = await started(); // its ID token is signed with the new key
    // openid-client refetches the JWKS for an unknown kid only once its copy is a minute old; the
    // refusal drops the cached provider metadata so that the very next sign-in fetches both.
    const refused = await finish(during.callback, during.binding).catch(
      (e: unknown) => e,
    );
    expect(refused).toBeInstanceOf(OidcIdTokenInvalidError);
    expect((refused as Error).message).toMatch(
      /not \(yet\) in the provider's JWKS/,
    );
    const after = await started();
    const result = await finish(after.callback, after.binding);
    expect(decodeKid(result.providerSession.idToken)).toBe(newKid);

    await provider.dropOldKeys();
    const dropped = await started();
    await expect(
      finish(dropped.callback, dropped.binding),
    ).resolves.toBeDefined();
    expect(provider.keyIds).toEqual([newKid]);
  });

  it('should accept a rotated-in key at the first sign-in once its JWKS copy is over a minute old', async () => {
    t.get(OidcDiscovery).forget('default');
    const before = await started();
    await finish(before.callback, before.binding);
    const newKid = await provider.rotateKey();
    // Only Date moves (the provider runs in this process, so its clock moves too): openid-client
    // then judges its JWKS copy a minute old and fetches the keys again for the unknown kid.
    vi.useFakeTimers({ toFake: ['Date'], shouldAdvanceTime: true });
    try {
      vi.setSystemTime(Date.now() + 61_000);
      const after = await started();
      const result = await finish(after.callback, after.binding);
      expect(decodeKid(result.providerSession.idToken)).toBe(newKid);
    } finally {
      vi.useRealTimers();
    }
  });
});

function decodeKid(jwt: string): string {
  return (
    JSON.parse(Buffer.from(jwt.split('.')[0], 'base64url').toString()) as {
      kid: string;
    }
  ).kid;
}
