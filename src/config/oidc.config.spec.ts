import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { loadConfig } from './configuration.js';
import { ConfigValidationError, type Env } from './env.js';

const VALID: Env = {
  MONGODB_URI: 'mongodb://db.internal:27017/bridge',
  ROCKETCHAT_URL: 'https://chat.example.org',
  ROCKETCHAT_USER_ID: 'adminid',
  ROCKETCHAT_AUTH_TOKEN: 'pat-value-that-is-secret',
  SESSION_SECRET: 'abcdefghijklmnopqrstuvwxyz0123456789ABCD',
  TOKEN_ENCRYPTION_KEY: 'bMXvzX2g3c8yq6J0v7kP1n4Rz9sT5wQe2aYh8LdF0uc=',
  PUBLIC_URL: 'https://sso.example.org',
};

const KEYCLOAK: Env = {
  OIDC_ISSUER: 'https://id.example.org/realms/staff',
  OIDC_CLIENT_ID: 'rocketchat-bridge',
  OIDC_CLIENT_SECRET: 'kc-client-secret-9d8c7b6a5f4e',
};

const RSA_PEM = generateKeyPairSync('rsa', { modulusLength: 2048 })
  .privateKey.export({ type: 'pkcs1', format: 'pem' })
  .toString();

function problems(env: Env, files: Record<string, string> = {}): string[] {
  try {
    loadConfig({ ...VALID, ...env }, (path) => {
      if (path in files) {
        return files[path];
      }
      throw Object.assign(new Error('missing'), { code: 'ENOENT' });
    });
  } catch (error) {
    if (error instanceof ConfigValidationError) {
      return error.problems.map((p) => `${p.variable}: ${p.rule}`);
    }
    throw error;
  }
  return [];
}

describe('OpenID Connect settings', () => {
  it('should be off without an issuer, whatever defaults are written out', () => {
    expect(loadConfig(VALID).oidc.providers).toEqual([]);
    expect(
      loadConfig({ ...VALID, OIDC_SCOPES: 'openid profile email' }).oidc
        .providers,
    ).toEqual([]);
  });

  it('should read the default provider with documented defaults and its redirect URI', () => {
    const config = loadConfig({ ...VALID, ...KEYCLOAK }).oidc;
    expect(config.providers).toEqual([
      {
        id: 'default',
        name: 'Single sign-on',
        issuer: 'https://id.example.org/realms/staff',
        insecureHttp: false,
        clientId: 'rocketchat-bridge',
        auth: {
          method: 'client_secret_basic',
          clientSecret: 'kc-client-secret-9d8c7b6a5f4e',
        },
        scopes: ['openid', 'profile', 'email'],
        claims: {
          username: 'preferred_username',
          email: 'email',
          name: 'name',
          groups: 'groups',
        },
        userinfo: true,
        linkByEmail: false,
        logoutAtProvider: true,
        redirectUri: 'https://sso.example.org/login/oidc/callback',
      },
    ]);
    expect(config.timeoutMs).toBe(5000);
    expect(config.loginTimeoutMs).toBe(600_000);
    expect(config.backchannelLogoutUri).toBe(
      'https://sso.example.org/login/oidc/backchannel-logout',
    );
  });

  it('should read further providers from OIDC_PROVIDERS under their own names and paths', () => {
    const config = loadConfig({
      ...VALID,
      ...KEYCLOAK,
      OIDC_PROVIDERS: 'google, my-idp',
      OIDC_GOOGLE_ISSUER: 'https://accounts.google.com',
      OIDC_GOOGLE_CLIENT_ID: '123.apps.googleusercontent.com',
      OIDC_GOOGLE_CLIENT_SECRET: 'google-secret-abcdef123456',
      OIDC_GOOGLE_TOKEN_AUTH_METHOD: 'client_secret_post',
      OIDC_GOOGLE_NAME: 'Google',
      OIDC_GOOGLE_USERNAME_CLAIM: 'email',
      OIDC_MY_IDP_ISSUER: 'https://idp.example.net',
      OIDC_MY_IDP_CLIENT_ID: 'bridge',
      OIDC_MY_IDP_TOKEN_AUTH_METHOD: 'private_key_jwt',
      OIDC_MY_IDP_PRIVATE_KEY: RSA_PEM,
      OIDC_MY_IDP_USERINFO: 'false',
      OIDC_MY_IDP_LINK_BY_EMAIL: 'true',
      OIDC_MY_IDP_LOGOUT_AT_PROVIDER: 'false',
    }).oidc;
    expect(config.providers.map((p) => p.id)).toEqual([
      'default',
      'google',
      'my-idp',
    ]);
    const [, google, mine] = config.providers;
    expect(google).toMatchObject({
      name: 'Google',
      auth: { method: 'client_secret_post' },
      claims: { username: 'email' },
      redirectUri: 'https://sso.example.org/login/oidc/google/callback',
    });
    expect(mine).toMatchObject({
      name: 'my-idp',
      auth: { method: 'private_key_jwt', alg: 'RS256', keyId: undefined },
      userinfo: false,
      linkByEmail: true,
      logoutAtProvider: false,
    });
    expect(
      mine.auth.method === 'private_key_jwt' && mine.auth.privateKeyPem,
    ).toContain('BEGIN PRIVATE KEY');
  });

  it('should allow plain http only for a localhost issuer', () => {
    expect(
      loadConfig({
        ...VALID,
        ...KEYCLOAK,
        OIDC_ISSUER: 'http://127.0.0.1:9000',
      }).oidc.providers[0].insecureHttp,
    ).toBe(true);
    expect(
      problems({ ...KEYCLOAK, OIDC_ISSUER: 'http://id.example.org' }),
    ).toEqual(['OIDC_ISSUER: must be https unless it is a localhost URL']);
  });

  it('should report one line per problem, naming the variable and never the value', () => {
    const secret = 'changeme';
    const lines = problems({
      ...KEYCLOAK,
      OIDC_ISSUER: 'https://id.example.org/realms/staff?x=1',
      OIDC_CLIENT_SECRET: secret,
      OIDC_SCOPES: 'profile email',
      OIDC_GROUPS_CLAIM: 'my groups',
      OIDC_TIMEOUT: '2h',
      OIDC_PROVIDERS: 'Google,callback,ok,ok,other',
      OIDC_OK_ISSUER: 'https://ok.example.org',
      OIDC_OK_CLIENT_ID: 'bridge',
      OIDC_OK_TOKEN_AUTH_METHOD: 'private_key_jwt',
      OIDC_OK_PRIVATE_KEY_FILE: '/run/secrets/missing.pem',
    });
    expect(lines).toEqual([
      'OIDC_ISSUER: must not contain a query or fragment',
      'OIDC_SCOPES: must include openid',
      'OIDC_CLIENT_SECRET: is a placeholder copied from an example: set a random value (openssl rand -base64 32)',
      'OIDC_GROUPS_CLAIM: must be a claim name (1-200 printable characters, no spaces)',
      'OIDC_PROVIDERS: must list ids of 2-32 lower-case letters, digits or -, starting with a letter',
      'OIDC_PROVIDERS: must not use the reserved ids default, callback, backchannel-logout, logout, start, popup',
      'OIDC_OK_PRIVATE_KEY_FILE: names a file that cannot be read (ENOENT)',
      'OIDC_OK_PRIVATE_KEY: is required with private_key_jwt (or OIDC_OK_PRIVATE_KEY_FILE naming a PEM file)',
      'OIDC_PROVIDERS: must not list an id twice',
      'OIDC_OTHER_ISSUER: is required: other is listed in OIDC_PROVIDERS',
      'OIDC_TIMEOUT: must be at most 1m',
    ]);
    expect(lines.join('\n')).not.toContain(secret);
  });

  it('should read a private key from a file and refuse one that is not a usable key', () => {
    const ok = loadConfig(
      {
        ...VALID,
        OIDC_ISSUER: 'https://id.example.org',
        OIDC_CLIENT_ID: 'bridge',
        OIDC_TOKEN_AUTH_METHOD: 'private_key_jwt',
        OIDC_PRIVATE_KEY_FILE: '/run/secrets/key.pem',
        OIDC_PRIVATE_KEY_ID: 'bridge-2026',
      },
      () => `${RSA_PEM}\n`,
    ).oidc.providers[0];
    expect(ok.auth).toMatchObject({ alg: 'RS256', keyId: 'bridge-2026' });

    const small = generateKeyPairSync('rsa', { modulusLength: 1024 })
      .privateKey.export({ type: 'pkcs8', format: 'pem' })
      .toString();
    const env = {
      OIDC_ISSUER: 'https://id.example.org',
      OIDC_CLIENT_ID: 'bridge',
      OIDC_TOKEN_AUTH_METHOD: 'private_key_jwt',
      OIDC_PRIVATE_KEY_FILE: '/k.pem',
    };
    expect(problems(env, { '/k.pem': small })).toEqual([
      'OIDC_PRIVATE_KEY_FILE: must be an RSA (2048 bits or more), EC P-256/P-384 or Ed25519 private key',
    ]);
    expect(problems(env, { '/k.pem': 'not a key' })).toEqual([
      'OIDC_PRIVATE_KEY_FILE: must be a PEM private key (-----BEGIN PRIVATE KEY----- ...), unencrypted',
    ]);
  });

  it('should refuse client settings without an issuer, and two providers sharing one client', () => {
    expect(problems({ OIDC_CLIENT_ID: 'bridge' })).toEqual([
      'OIDC_ISSUER: is required when OIDC_CLIENT_ID is set',
    ]);
    expect(
      problems({
        ...KEYCLOAK,
        OIDC_PROVIDERS: 'again',
        OIDC_AGAIN_ISSUER: KEYCLOAK.OIDC_ISSUER,
        OIDC_AGAIN_CLIENT_ID: KEYCLOAK.OIDC_CLIENT_ID,
        OIDC_AGAIN_CLIENT_SECRET: 'another-secret-0a9b8c7d',
      }),
    ).toEqual([
      'OIDC_AGAIN_CLIENT_ID: repeats the issuer and client id of another provider: each provider needs its own client',
    ]);
  });

  it('should refuse SameSite=Strict session cookies with a provider (the way back from it is cross-site)', () => {
    expect(
      problems({ ...KEYCLOAK, SESSION_COOKIE_SAMESITE: 'strict' }),
    ).toEqual([
      'SESSION_COOKIE_SAMESITE: must be lax or none when OpenID providers are configured (their redirect back is cross-site)',
    ]);
    expect(problems({ SESSION_COOKIE_SAMESITE: 'strict' })).toEqual([]);
  });
});
