import { describe, expect, it } from 'vitest';
import { loadConfig } from './configuration.js';
import { ConfigValidationError, type Env } from './env.js';

const KEY = 'bMXvzX2g3c8yq6J0v7kP1n4Rz9sT5wQe2aYh8LdF0uc=';
const VALID: Env = {
  MONGODB_URI: 'mongodb://127.0.0.1:27017/bridge',
  ROCKETCHAT_URL: 'https://chat.example.org',
  ROCKETCHAT_USER_ID: 'adminid',
  ROCKETCHAT_AUTH_TOKEN: 'pat-value-that-is-secret',
  SESSION_SECRET: 'x'.repeat(8) + 'abcdefghijklmnopqrstuvwxyz0123456789',
  TOKEN_ENCRYPTION_KEY: KEY,
  PUBLIC_URL: 'https://sso.example.org',
};

function problems(env: Env): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigValidationError) {
      return error.problems.map((p) => `${p.variable}: ${p.rule}`);
    }
    throw error;
  }
  return [];
}

describe('Rocket.Chat configuration', () => {
  it('should apply the documented defaults', () => {
    const { rocketchat } = loadConfig(VALID);
    expect(rocketchat.version).toBeUndefined();
    expect(rocketchat.http).toEqual({
      timeoutMs: 3000,
      readRetries: 2,
      breakerFailures: 5,
      breakerWindowMs: 10_000,
      breakerCooldownMs: 30_000,
    });
    expect(rocketchat.tokens).toMatchObject({
      strategy: 'rest',
      createTokensSecret: undefined,
      redeliveryWindowIgnored: false,
      logoutMode: 'token',
      postLoginMessage: 'login-with-token',
    });
    expect(rocketchat.provisioning).toEqual({
      linkPolicy: ['create'],
      usernamePattern: '[0-9a-zA-Z-_.]+',
      fallbackEmailDomain: 'rc-bridge.invalid',
      roles: ['user'],
      joinDefaultChannels: true,
      syncName: 'always',
      syncEmail: 'always',
      avatarUrl: undefined,
      syncAvatar: 'always',
    });
  });

  it('should accept the key as hex, base64 or base64url, and refuse anything else without echoing it', () => {
    const hex =
      'a1'.repeat(8) +
      'b2c3d4e5f60718293a4b5c6d7e8f90112233445566778899aabbccddeeff0011';
    expect(
      problems({ ...VALID, TOKEN_ENCRYPTION_KEY: hex.slice(0, 64) }),
    ).toEqual([]);
    expect(
      problems({
        ...VALID,
        TOKEN_ENCRYPTION_KEY: KEY.replace('=', '').replace(/\+/g, '-'),
      }),
    ).toEqual([]);
    const bad = problems({
      ...VALID,
      TOKEN_ENCRYPTION_KEY: 'short-secret-value',
    });
    expect(bad).toEqual([
      expect.stringMatching(/^TOKEN_ENCRYPTION_KEY: must be 32 random bytes/),
    ]);
    expect(bad.join()).not.toContain('short-secret-value');
    expect(
      problems({
        ...VALID,
        TOKEN_ENCRYPTION_KEY: Buffer.alloc(32, 7).toString('base64'),
      }),
    ).toEqual([
      expect.stringMatching(/^TOKEN_ENCRYPTION_KEY: is too repetitive/),
    ]);
  });

  it('should still accept ROCKETCHAT_TOKEN_REDELIVERY_WINDOW (deprecated, ignored), checked as before', () => {
    const set = loadConfig({
      ...VALID,
      ROCKETCHAT_TOKEN_REDELIVERY_WINDOW: '3s',
    });
    expect(set.rocketchat.tokens.redeliveryWindowIgnored).toBe(true);
    expect(
      problems({ ...VALID, ROCKETCHAT_TOKEN_REDELIVERY_WINDOW: 'soon' }),
    ).toEqual([
      'ROCKETCHAT_TOKEN_REDELIVERY_WINDOW: must be a duration such as 500ms, 30s, 15m, 12h or 7d',
    ]);
  });

  it('should require MONGO_DB for the Mongo strategies', () => {
    expect(
      problems({ ...VALID, ROCKETCHAT_TOKEN_STRATEGY: 'mongo-resume' }),
    ).toEqual([
      "MONGO_DB: is required with ROCKETCHAT_TOKEN_STRATEGY=mongo-resume (Rocket.Chat's own database)",
    ]);
    expect(
      problems({
        ...VALID,
        ROCKETCHAT_TOKEN_STRATEGY: 'legacy-iframe-token',
        MONGO_DB: 'db.internal:27017',
      }),
    ).toEqual([]);
  });

  it('should require the createToken secret when Rocket.Chat 8 is configured', () => {
    expect(problems({ ...VALID, ROCKETCHAT_VERSION: '8.1' })).toEqual([
      expect.stringMatching(
        /^CREATE_TOKENS_FOR_USERS_SECRET: is required for users.createToken on Rocket.Chat 8/,
      ),
    ]);
    expect(problems({ ...VALID, ROCKETCHAT_VERSION: '7.10.2' })).toEqual([]);
    expect(
      loadConfig({ ...VALID, ROCKETCHAT_VERSION: '7.x' }).rocketchat.version,
    ).toEqual({
      major: 7,
      minor: 0,
    });
    expect(problems({ ...VALID, ROCKETCHAT_VERSION: 'latest' })).toEqual([
      expect.stringMatching(
        /^ROCKETCHAT_VERSION: must be auto or a Rocket.Chat version/,
      ),
    ]);
  });

  it('should keep the link policy in its documented order and refuse unknown rules', () => {
    expect(
      loadConfig({ ...VALID, ROCKETCHAT_LINK_POLICY: 'create, Username' })
        .rocketchat.provisioning.linkPolicy,
    ).toEqual(['username', 'create']);
    expect(
      problems({ ...VALID, ROCKETCHAT_LINK_POLICY: 'username,ldap' }),
    ).toEqual([
      expect.stringMatching(/^ROCKETCHAT_LINK_POLICY: must list some of/),
    ]);
  });

  it('should never let the bridge create privileged accounts', () => {
    expect(
      problems({ ...VALID, ROCKETCHAT_DEFAULT_ROLES: 'user,admin' }),
    ).toEqual([
      expect.stringMatching(
        /^ROCKETCHAT_DEFAULT_ROLES: must not contain admin/,
      ),
    ]);
    expect(
      loadConfig({ ...VALID, ROCKETCHAT_DEFAULT_ROLES: 'user, staff' })
        .rocketchat.provisioning.roles,
    ).toEqual(['user', 'staff']);
  });

  it('should check the username pattern and the avatar template', () => {
    expect(problems({ ...VALID, ROCKETCHAT_USERNAME_PATTERN: '[a-z' })).toEqual(
      [
        expect.stringMatching(
          /^ROCKETCHAT_USERNAME_PATTERN: must be a valid regular expression/,
        ),
      ],
    );
    expect(
      problems({
        ...VALID,
        ROCKETCHAT_AVATAR_URL: 'https://a.example/{password}',
      }),
    ).toEqual([
      expect.stringMatching(
        /^ROCKETCHAT_AVATAR_URL: may only use the placeholders/,
      ),
    ]);
    expect(
      problems({
        ...VALID,
        ROCKETCHAT_AVATAR_URL: 'ftp://a.example/{username}',
      }),
    ).toEqual(['ROCKETCHAT_AVATAR_URL: must use http or https']);
  });

  it('should refuse the quick-start key once the bridge is public', () => {
    expect(
      problems({
        ...VALID,
        TOKEN_ENCRYPTION_KEY: 'quickstart-only-tokenKeyW7dH2qLx9ZfR4mVc8Tb',
      }),
    ).toEqual([
      expect.stringMatching(
        /^TOKEN_ENCRYPTION_KEY: is a quick-start placeholder/,
      ),
    ]);
  });
});
