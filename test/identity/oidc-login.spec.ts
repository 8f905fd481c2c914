import { createHash } from 'node:crypto';
import { getModelToken } from '@nestjs/mongoose';
import type { Model } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  OidcDiscovery,
  OidcLoginService,
  type BeginLoginResult,
} from '../../src/identity/oidc/index.js';
import {
  OIDC_PENDING_LOGIN_MODEL,
  type PendingLoginRecord,
} from '../../src/identity/oidc/pending-login.schema.js';
import { TestOidcProvider } from '../support/oidc-provider.js';
import {
  ProviderUserAgent,
  type LogoutReceiver,
} from '../support/oidc-user-agent.js';
import {
  ALICE,
  BOB,
  bridgeClients,
  bridgeEnv,
  clientKey,
  createOidcContext,
  startLogoutReceiver,
  type OidcContext,
} from './oidc-fixture.js';

describe('OpenID Connect sign-in against a real provider (oidc-provider)', () => {
  let provider: TestOidcProvider;
  let receiver: LogoutReceiver;
  let t: OidcContext;
  let login: OidcLoginService;

  beforeAll(async () => {
    receiver = await startLogoutReceiver();
    const key = await clientKey();
    provider = await TestOidcProvider.start({
      clients: bridgeClients(receiver, key),
      accounts: [ALICE, BOB],
    });
    t = await createOidcContext(
      {
        ...bridgeEnv(provider, key),
        OIDC_POST_USERINFO: 'false',
        OIDC_POST_USERNAME_CLAIM: 'sub',
      },
      'oidc_login',
    );
    login = t.get(OidcLoginService);
  });
  afterAll(async () => {
    await t?.close();
    await provider?.stop();
    await receiver?.stop();
  });

  async function signIn(
    providerId: string,
    account: string,
    agent = new ProviderUserAgent(new URL(provider.issuer).origin),
  ): Promise<{ started: BeginLoginResult; callback: URL }> {
    const started = await login.begin({
      providerId,
      next: '/rocketchat/redirect',
      popup: true,
    });
    const callback = await agent.signIn(started.authorizationUrl, { account });
    return { started, callback };
  }

  it('should discover the provider and find its issuer and endpoints', async () => {
    const config = await t.get(OidcDiscovery).configuration('default');
    expect(config.serverMetadata()).toMatchObject({
      issuer: provider.issuer,
      token_endpoint: `${provider.issuer}/token`,
      jwks_uri: `${provider.issuer}/jwks`,
      end_session_endpoint: `${provider.issuer}/session/end`,
      backchannel_logout_supported: true,
    });
  });

  it('should send an authorization request with PKCE S256, state, nonce and the scopes, and keep only hashes of state and binding', async () => {
    const started = await login.begin({
      providerId: 'default',
      next: '/x',
      popup: false,
    });
    const url = new URL(started.authorizationUrl);
    expect(url.origin + url.pathname).toBe(`${provider.issuer}/auth`);
    const q = url.searchParams;
    expect(q.get('response_type')).toBe('code');
    expect(q.get('client_id')).toBe('bridge-basic');
    expect(q.get('redirect_uri')).toBe(
      'http://localhost:8000/login/oidc/callback',
    );
    expect(q.get('scope')).toBe('openid profile email');
    expect(q.get('code_challenge_method')).toBe('S256');
    expect(q.get('code_challenge')).toMatch(/^[\w-]{43}$/);
    expect(q.get('state')).toMatch(/^[\w-]{43}$/);
    expect(q.get('nonce')).toMatch(/^[\w-]{43}$/);
    expect(started.browserBinding).toMatch(/^[\w-]{43}$/);

    const model = t.module.get<Model<PendingLoginRecord>>(
      getModelToken(OIDC_PENDING_LOGIN_MODEL),
    );
    expect(model.collection.collectionName).toBe('bridge_oidc_logins');
    const stored = await model.collection.findOne({
      _id: sha256(q.get('state')!),
    } as never);
    expect(stored).toMatchObject({
      bindingHash: sha256(started.browserBinding),
      providerId: 'default',
      nonce: q.get('nonce'),
      next: '/x',
      popup: false,
    });
    const text = JSON.stringify(stored);
    expect(text).not.toContain(q.get('state'));
    expect(text).not.toContain(started.browserBinding);
  });

  it('should sign a person in with client_secret_basic, claims from userinfo, and what the session must keep', async () => {
    const { started, callback } = await signIn('default', ALICE.sub);
    expect(callback.origin + callback.pathname).toBe(
      'http://localhost:8000/login/oidc/callback',
    );
    expect(callback.searchParams.get('code')).toBeTruthy();

    const result = await login.finish({
      providerId: 'default',
      callbackQuery: callback.search,
      browserBinding: started.browserBinding,
    });
    expect(result.person).toEqual({
      source: { kind: 'oidc', id: 'default' },
      externalId: 'alice-0001',
      username: 'alice',
      email: 'alice@example.org',
      emailVerified: true,
      displayName: 'Alice Example',
      groups: ['staff', 'chat-admins'],
    });
    expect(result).toMatchObject({
      issuer: provider.issuer,
      linkByEmail: false,
      next: '/rocketchat/redirect',
      popup: true,
      providerSession: { providerId: 'default', sub: 'alice-0001' },
    });
    expect(result.providerSession.sid).toEqual(expect.any(String));
    expect(result.providerSession.idToken.split('.')).toHaveLength(3);
  });

  it('should trust email_verified only when it is literally true, and take groups only as a list of strings', async () => {
    const { started, callback } = await signIn('default', BOB.sub);
    const result = await login.finish({
      providerId: 'default',
      callbackQuery: callback.searchParams,
      browserBinding: started.browserBinding,
    });
    expect(result.person).toEqual({
      source: { kind: 'oidc', id: 'default' },
      externalId: 'bob-0002',
      username: 'bob',
      email: 'bob@example.org',
      emailVerified: false,
      groups: [],
    });
  });

  it('should sign in with client_secret_post and with private_key_jwt', async () => {
    const jwt = await signIn('jwt', ALICE.sub);
    expect(jwt.callback.pathname).toBe('/login/oidc/jwt/callback');
    const viaJwt = await login.finish({
      providerId: 'jwt',
      callbackQuery: jwt.callback.search,
      browserBinding: jwt.started.browserBinding,
    });
    expect(viaJwt.person).toMatchObject({
      source: { kind: 'oidc', id: 'jwt' },
      username: 'alice',
    });

    // OIDC_POST_USERINFO=false: only the ID token's claims, and oidc-provider (like Core 1.0)
    // puts the profile and email claims in userinfo only: sub (OIDC_POST_USERNAME_CLAIM) is all.
    const post = await signIn('post', ALICE.sub);
    expect(post.callback.pathname).toBe('/login/oidc/post/callback');
    const viaPost = await login.finish({
      providerId: 'post',
      callbackQuery: post.callback.search,
      browserBinding: post.started.browserBinding,
    });
    expect(viaPost.person).toEqual({
      source: { kind: 'oidc', id: 'post' },
      externalId: 'alice-0001',
      username: 'alice-0001',
      emailVerified: false,
      groups: [],
    });
  });
});

function sha256(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}
