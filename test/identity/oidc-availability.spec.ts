import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  OidcDiscovery,
  OidcDiscoveryError,
  OidcLoginService,
  OidcProviderUnavailableError,
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
  type ClientKey,
  type OidcContext,
} from './oidc-fixture.js';

/** OIDC_TIMEOUT is 1 s in these tests; a bounded failure must come well before the provider's 4 s. */
const SLOW_MS = 4000;

describe('OpenID providers that are down, slow or wrong', () => {
  let provider: TestOidcProvider;
  let receiver: LogoutReceiver;
  let key: ClientKey;
  const contexts: OidcContext[] = [];

  async function context(
    label: string,
    env: Record<string, string> = {},
  ): Promise<OidcContext> {
    const t = await createOidcContext(
      { ...bridgeEnv(provider, key), ...env },
      label,
    );
    contexts.push(t);
    return t;
  }

  async function signIn(login: OidcLoginService) {
    const begun = await login.begin({
      providerId: 'default',
      next: '/',
      popup: false,
    });
    const agent = new ProviderUserAgent(new URL(provider.issuer).origin);
    const callback = await agent.signIn(begun.authorizationUrl, {
      account: ALICE.sub,
    });
    return login.finish({
      providerId: 'default',
      callbackQuery: callback.search,
      browserBinding: begun.browserBinding,
    });
  }

  beforeAll(async () => {
    receiver = await startLogoutReceiver();
    key = await clientKey();
    provider = await TestOidcProvider.start({
      clients: bridgeClients(receiver, key),
      accounts: [ALICE],
    });
  });
  afterEach(async () => {
    provider.faults.delay = undefined;
    provider.faults.wrongIssuer = undefined;
    await provider.restart();
  });
  afterAll(async () => {
    for (const t of contexts) {
      await t.close();
    }
    await provider?.stop();
    await receiver?.stop();
  });

  it('should start while the provider is down, refuse sign-ins readably, and work once it is back (no restart)', async () => {
    await provider.stop();
    const t = await context('oidc_down');
    const login = t.get(OidcLoginService);
    const error = (await login
      .begin({ providerId: 'default', next: '/', popup: false })
      .catch((e: unknown) => e)) as OidcProviderUnavailableError;
    expect(error).toBeInstanceOf(OidcProviderUnavailableError);
    expect(error.detail).toBe('unreachable');
    expect(error.reason).toBe('provider-unavailable');

    await provider.restart();
    await expect(signIn(login)).resolves.toMatchObject({
      person: { username: 'alice' },
    });
  });

  it('should fail a callback while the provider is down after discovery, and recover when it returns', async () => {
    const t = await context('oidc_down_later');
    const login = t.get(OidcLoginService);
    const begun = await login.begin({
      providerId: 'default',
      next: '/',
      popup: false,
    });
    const agent = new ProviderUserAgent(new URL(provider.issuer).origin);
    const callback = await agent.signIn(begun.authorizationUrl, {
      account: ALICE.sub,
    });
    await provider.stop();
    await expect(
      login.finish({
        providerId: 'default',
        callbackQuery: callback.search,
        browserBinding: begun.browserBinding,
      }),
    ).rejects.toMatchObject({
      reason: 'provider-unavailable',
      detail: 'unreachable',
    });
    await provider.restart();
    await expect(signIn(login)).resolves.toBeDefined();
  });

  it('should give up on a slow discovery within OIDC_TIMEOUT', async () => {
    const t = await context('oidc_slow_discovery');
    provider.faults.delay = { paths: /^\/\.well-known\//, ms: SLOW_MS };
    const startedAt = Date.now();
    const error = (await t
      .get(OidcLoginService)
      .begin({ providerId: 'default', next: '/', popup: false })
      .catch((e: unknown) => e)) as OidcProviderUnavailableError;
    const elapsed = Date.now() - startedAt;
    expect(error).toBeInstanceOf(OidcProviderUnavailableError);
    expect(error.detail).toBe('timeout');
    expect(elapsed).toBeGreaterThanOrEqual(900);
    expect(elapsed).toBeLessThan(SLOW_MS - 500);
  });

  it('should give up on a slow token endpoint within OIDC_TIMEOUT', async () => {
    const t = await context('oidc_slow_token');
    const login = t.get(OidcLoginService);
    const begun = await login.begin({
      providerId: 'default',
      next: '/',
      popup: false,
    });
    const agent = new ProviderUserAgent(new URL(provider.issuer).origin);
    const callback = await agent.signIn(begun.authorizationUrl, {
      account: ALICE.sub,
    });
    provider.faults.delay = { paths: /^\/token$/, ms: SLOW_MS };
    const startedAt = Date.now();
    await expect(
      login.finish({
        providerId: 'default',
        callbackQuery: callback.search,
        browserBinding: begun.browserBinding,
      }),
    ).rejects.toMatchObject({
      reason: 'provider-unavailable',
      detail: 'timeout',
    });
    expect(Date.now() - startedAt).toBeLessThan(SLOW_MS - 500);
  });

  it('should refuse a discovery document that names another issuer, and use it once it is right', async () => {
    // Before the context starts: its start-up warms the discovery cache.
    provider.faults.wrongIssuer = 'https://evil.example.org';
    const t = await context('oidc_wrong_issuer');
    const error = (await t
      .get(OidcDiscovery)
      .configuration('default')
      .catch((e: unknown) => e)) as OidcDiscoveryError;
    expect(error).toBeInstanceOf(OidcDiscoveryError);
    expect(error.reason).toBe('discovery-invalid');
    expect(error.message).toBe(
      `OpenID provider default: the discovery document names another issuer than ${provider.issuer}`,
    );
    provider.faults.wrongIssuer = undefined;
    await expect(
      t.get(OidcDiscovery).configuration('default'),
    ).resolves.toBeDefined();
  });

  it('should call a discovery address that answers 404 an unusable document, not an outage', async () => {
    const t = await context('oidc_no_discovery', {
      OIDC_ISSUER: `${provider.issuer}/realms/missing`,
    });
    const error = (await t
      .get(OidcDiscovery)
      .configuration('default')
      .catch((e: unknown) => e)) as OidcDiscoveryError;
    expect(error).toBeInstanceOf(OidcDiscoveryError);
    expect(error.message).toBe(
      'OpenID provider default: discovery document unusable (answered HTTP 404)',
    );
  });
});
