import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OidcDoctorProbes } from '../../src/identity/oidc/index.js';
import { TestOidcProvider } from '../support/oidc-provider.js';
import type { LogoutReceiver } from '../support/oidc-user-agent.js';
import {
  ALICE,
  bridgeClients,
  bridgeEnv,
  clientKey,
  createOidcContext,
  SECRET,
  startLogoutReceiver,
  type OidcContext,
} from './oidc-fixture.js';

describe('Doctor probes of OpenID providers', () => {
  let provider: TestOidcProvider;
  let receiver: LogoutReceiver;
  let t: OidcContext;
  let probes: OidcDoctorProbes;
  const WRONG = 'a-wrong-secret-7c6b5a493827';

  beforeAll(async () => {
    receiver = await startLogoutReceiver();
    const key = await clientKey();
    provider = await TestOidcProvider.start({
      clients: [
        ...bridgeClients(receiver, key),
        {
          client_id: 'bridge-doctor',
          client_secret: SECRET,
          token_endpoint_auth_method: 'client_secret_post',
          redirect_uris: ['http://localhost:8000/login/oidc/wrong/callback'],
        },
      ],
      accounts: [ALICE],
    });
    t = await createOidcContext(
      {
        ...bridgeEnv(provider, key),
        OIDC_PROVIDERS: 'post,jwt,wrong',
        OIDC_WRONG_ISSUER: provider.issuer,
        OIDC_WRONG_CLIENT_ID: 'bridge-doctor',
        OIDC_WRONG_CLIENT_SECRET: WRONG,
        OIDC_WRONG_TOKEN_AUTH_METHOD: 'client_secret_post',
      },
      'oidc_doctor',
    );
    probes = t.get(OidcDoctorProbes);
  });
  afterAll(async () => {
    await t?.close();
    await provider?.stop();
    await receiver?.stop();
  });

  it('should report a healthy provider per client auth method, with the URIs to register', async () => {
    const lines = await probes.probeAll();
    const byId = new Map(lines.map((l) => [l.id, l]));
    expect(byId.get('oidc.default.discovery')).toEqual({
      id: 'oidc.default.discovery',
      title: 'OpenID default: Discovery',
      status: 'ok',
      message: `issuer ${provider.issuer} (RP-initiated logout, back-channel logout)`,
    });
    for (const [id, method] of [
      ['default', 'client_secret_basic'],
      ['post', 'client_secret_post'],
      ['jwt', 'private_key_jwt'],
    ]) {
      expect(byId.get(`oidc.${id}.credentials`)).toMatchObject({
        status: 'ok',
        message: expect.stringContaining(`authenticated (${method};`),
      });
    }
    expect(byId.get('oidc.post.uris')).toMatchObject({
      status: 'ok',
      message:
        'redirect URI http://localhost:8000/login/oidc/post/callback; ' +
        'back-channel logout URI http://localhost:8000/login/oidc/backchannel-logout; ' +
        'post-logout redirect URI http://localhost:8000/login/',
    });
    expect(byId.get('oidc.default.clock')).toMatchObject({ status: 'ok' });
  });

  it('should fail the credentials of a client with a bad secret, without the secret in any line', async () => {
    const lines = await probes.probe('wrong');
    expect(lines.find((l) => l.id === 'oidc.wrong.credentials')).toMatchObject({
      status: 'fail',
      message:
        'the provider refused client bridge-doctor (invalid_client, client_secret_post)',
    });
    expect(JSON.stringify(lines)).not.toContain(WRONG);
    expect(JSON.stringify(await probes.probeAll())).not.toContain(SECRET);
  });

  it('should say which clock is off, and by how much', async () => {
    t.clock.offsetMs = 30_000;
    const warn = (await probes.probe('default')).find(
      (l) => l.id === 'oidc.default.clock',
    );
    expect(warn).toMatchObject({ status: 'warn' });
    expect(warn!.message).toMatch(
      /^this machine's clock is (29|30|31) s ahead of the provider$/,
    );
    t.clock.offsetMs = -5 * 60_000;
    const fail = (await probes.probe('default')).find(
      (l) => l.id === 'oidc.default.clock',
    );
    expect(fail).toMatchObject({
      status: 'fail',
      fix: expect.stringContaining('NTP'),
    });
    expect(fail!.message).toMatch(/s behind the provider$/);
    t.clock.offsetMs = 0;
  });

  it('should fail discovery of an unreachable provider and skip what depends on it', async () => {
    await provider.stop();
    try {
      const lines = await probes.probe('default');
      expect(lines.map((l) => [l.id, l.status])).toEqual([
        ['oidc.default.discovery', 'fail'],
        ['oidc.default.credentials', 'skip'],
        ['oidc.default.uris', 'ok'],
        ['oidc.default.clock', 'skip'],
      ]);
      expect(lines[0].message).toBe(
        'OpenID provider default: discovery failed (unreachable)',
      );
      expect(lines[0].fix).toContain('OIDC_ISSUER');
    } finally {
      await provider.restart();
    }
  });
});
