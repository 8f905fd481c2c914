import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../support/browser.js';
import { TEST_ENV } from '../support/app.js';
import { freshDatabaseUri } from '../support/mongo.js';
import { TestOidcProvider } from '../support/oidc-provider.js';
import { doctor } from './doctor-harness.js';

const SECRET = 'doctor-oidc-client-secret-5e4d3c2b1a';
const WRONG = 'a-wrong-client-secret-0f9e8d7c6b';

/**
 * `rc-bridge doctor` with OpenID providers configured: its lines per provider (OidcDoctorProbes,
 * wired into the doctor only then), against a real provider.
 */
describe('rc-bridge doctor: OpenID provider lines', () => {
  let provider: TestOidcProvider;

  beforeAll(async () => {
    provider = await TestOidcProvider.start({
      clients: [
        {
          client_id: 'doctor-bridge',
          client_secret: SECRET,
          redirect_uris: ['http://localhost:8000/login/oidc/callback'],
        },
        {
          client_id: 'doctor-wrong',
          client_secret: SECRET,
          redirect_uris: ['http://localhost:8000/login/oidc/wrong/callback'],
        },
      ],
      accounts: [],
    });
  });
  afterAll(async () => {
    await provider?.stop();
  });

  function env(overrides: Record<string, string> = {}) {
    return {
      ...TEST_ENV,
      MONGODB_URI: freshDatabaseUri('doctor_oidc').uri,
      // Nothing answers as Rocket.Chat: those lines fail, these are what this file reads.
      ROCKETCHAT_URL: 'http://127.0.0.1:9',
      ...overrides,
    };
  }

  it('should print discovery, credentials, the URIs to register and the clock for each provider, naming the broken ones', async () => {
    const deadPort = await freePort();
    const run = await doctor(
      env({
        OIDC_ISSUER: provider.issuer,
        OIDC_CLIENT_ID: 'doctor-bridge',
        OIDC_CLIENT_SECRET: SECRET,
        OIDC_PROVIDERS: 'wrong,down',
        OIDC_WRONG_ISSUER: provider.issuer,
        OIDC_WRONG_CLIENT_ID: 'doctor-wrong',
        OIDC_WRONG_CLIENT_SECRET: WRONG,
        OIDC_DOWN_ISSUER: `http://127.0.0.1:${deadPort}`,
        OIDC_DOWN_CLIENT_ID: 'nobody',
        OIDC_DOWN_CLIENT_SECRET: SECRET,
        OIDC_TIMEOUT: '1s',
      }),
    );
    expect(run.code).toBe(1);
    expect(run.line('oidc.default.discovery')).toEqual({
      id: 'oidc.default.discovery',
      title: 'OpenID default: Discovery',
      status: 'ok',
      message: `issuer ${provider.issuer} (RP-initiated logout, back-channel logout)`,
    });
    expect(run.status('oidc.default.credentials')).toBe('ok');
    expect(run.line('oidc.default.uris')?.message).toBe(
      'redirect URI http://localhost:8000/login/oidc/callback; ' +
        'back-channel logout URI http://localhost:8000/login/oidc/backchannel-logout; ' +
        'post-logout redirect URI http://localhost:8000/login/',
    );
    expect(run.status('oidc.default.clock')).toBe('ok');
    expect(run.line('oidc.wrong.credentials')).toMatchObject({
      status: 'fail',
      message: expect.stringContaining('refused client doctor-wrong'),
    });
    expect(run.line('oidc.wrong.uris')?.message).toContain(
      'http://localhost:8000/login/oidc/wrong/callback',
    );
    expect(run.line('oidc.down.discovery')).toMatchObject({
      status: 'fail',
      fix: expect.stringContaining('OIDC_DOWN_ISSUER'),
    });
    expect(run.status('oidc.down.credentials')).toBe('skip');
    expect(run.stdout + run.stderr).not.toContain(SECRET);
    expect(run.stdout + run.stderr).not.toContain(WRONG);
  });

  it('should print no OpenID line without a provider', async () => {
    const run = await doctor(env());
    expect(run.checks.some((c) => c.id.startsWith('oidc.'))).toBe(false);
    expect(run.status('config')).toBe('ok');
  });
});
