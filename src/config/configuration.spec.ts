import { describe, expect, it } from 'vitest';
import { loadConfig } from './configuration.js';
import { ConfigValidationError, type Env } from './env.js';

const VALID: Env = {
  MONGODB_URI: 'mongodb://bridge:s3cretpw@db.internal:27017/bridge',
  ROCKETCHAT_URL: 'https://chat.example.org',
  ROCKETCHAT_USER_ID: 'adminid',
  ROCKETCHAT_AUTH_TOKEN: 'pat-value-that-is-secret',
  SESSION_SECRET: 'x'.repeat(8) + 'abcdefghijklmnopqrstuvwxyz0123456789',
  TOKEN_ENCRYPTION_KEY: 'bMXvzX2g3c8yq6J0v7kP1n4Rz9sT5wQe2aYh8LdF0uc=',
  PUBLIC_URL: 'https://sso.example.org',
};

function problems(env: Env, files: Record<string, string> = {}): string[] {
  try {
    loadConfig(env, (path) => {
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

describe('loadConfig', () => {
  it('should accept a minimal valid environment and apply documented defaults', () => {
    const config = loadConfig(VALID);
    expect(config.app.port).toBe(8000);
    expect(config.app.publicOrigin).toBe('https://sso.example.org');
    expect(config.mongo.collectionPrefix).toBe('bridge_');
    expect(config.mongo.serverSelectionTimeoutMs).toBe(3000);
    expect(config.rocketchat.origin).toBe('https://chat.example.org');
    expect(config.rocketchat.allowedOrigins).toEqual([
      'https://chat.example.org',
    ]);
    expect(config.rocketchat.admin).toEqual({
      kind: 'token',
      userId: 'adminid',
      authToken: 'pat-value-that-is-secret',
    });
    expect(config.session.cookieSameSite).toBe('lax');
    expect(config.session.cookieSecure).toBe(true);
    expect(config.auth.argon2).toEqual({
      memoryKiB: 19456,
      timeCost: 2,
      parallelism: 1,
    });
  });

  it('should report every missing required variable at once, by name', () => {
    expect(problems({})).toEqual([
      'MONGODB_URI: is required',
      'SESSION_SECRET: is required',
      'ROCKETCHAT_URL: is required',
      expect.stringMatching(
        /^ROCKETCHAT_AUTH_TOKEN: is required: set ROCKETCHAT_USER_ID/,
      ),
      'TOKEN_ENCRYPTION_KEY: is required',
    ]);
  });

  it('should never print a value in a problem, even a wrong one', () => {
    const env: Env = {
      ...VALID,
      MONGODB_URI: 'postgres://bridge:s3cretpw@db',
      SESSION_SECRET: 'tooShortSecretValue',
      ROCKETCHAT_AUTH_TOKEN: undefined,
      PORT: 'eighty',
    };
    const text = problems(env).join('\n');
    expect(text).toContain('MONGODB_URI');
    expect(text).toContain('SESSION_SECRET');
    expect(text).toContain('PORT: must be a whole number');
    for (const secret of [
      's3cretpw',
      'tooShortSecretValue',
      'eighty',
      'postgres',
    ]) {
      expect(text).not.toContain(secret);
    }
  });

  it('should treat empty strings as unset, as compose files write them', () => {
    expect(problems({ ...VALID, ROCKETCHAT_URL: '' })).toEqual([
      'ROCKETCHAT_URL: is required',
    ]);
    expect(loadConfig({ ...VALID, PORT: '' }).app.port).toBe(8000);
  });

  it('should read secrets from NAME_FILE and refuse both forms at once', () => {
    const env = {
      ...VALID,
      SESSION_SECRET: undefined,
      SESSION_SECRET_FILE: '/run/secrets/session',
    };
    const files = {
      '/run/secrets/session':
        'f'.repeat(10) + 'abcdefghijklmnopqrstuvwxyz012345\n',
    };
    expect(problems(env, files)).toEqual([]);
    expect(
      loadConfig(env, (p) => files[p as keyof typeof files]).session.secret,
    ).toBe('f'.repeat(10) + 'abcdefghijklmnopqrstuvwxyz012345');
    expect(
      problems(
        { ...VALID, SESSION_SECRET_FILE: '/run/secrets/session' },
        files,
      ),
    ).toEqual([
      'SESSION_SECRET: set either SESSION_SECRET or SESSION_SECRET_FILE, not both',
    ]);
    expect(problems(env, {})).toEqual(
      expect.arrayContaining([
        'SESSION_SECRET_FILE: names a file that cannot be read (ENOENT)',
      ]),
    );
  });

  it.each([
    ['ROCKETCHAT_AUTH_TOKEN_FILE', 'authToken'],
    ['MONGODB_URI_FILE', 'uri'],
    ['MONGO_DB_FILE', 'mongoUri'],
    ['ROCKETCHAT_ADMIN_PASSWORD_FILE', 'password'],
  ])('should accept %s', (fileVar) => {
    const name = fileVar.replace(/_FILE$/, '');
    const value: Record<string, string> = {
      ROCKETCHAT_AUTH_TOKEN: 'from-file-token',
      MONGODB_URI: 'mongodb://db:27017/bridge',
      MONGO_DB: 'rc-db:27017',
      ROCKETCHAT_ADMIN_PASSWORD: 'from-file-password',
    };
    const env: Env =
      name === 'ROCKETCHAT_ADMIN_PASSWORD'
        ? {
            ...VALID,
            ROCKETCHAT_USER_ID: undefined,
            ROCKETCHAT_AUTH_TOKEN: undefined,
            ROCKETCHAT_ADMIN_USERNAME: 'admin',
          }
        : { ...VALID };
    expect(
      problems(
        { ...env, [name]: undefined, [fileVar]: '/s' },
        { '/s': value[name] },
      ),
    ).toEqual([]);
  });

  describe('Rocket.Chat', () => {
    it('should accept admin user name and password instead of a token', () => {
      const env = {
        ...VALID,
        ROCKETCHAT_USER_ID: undefined,
        ROCKETCHAT_AUTH_TOKEN: undefined,
        ROCKETCHAT_ADMIN_USERNAME: 'bridge-bot',
        ROCKETCHAT_ADMIN_PASSWORD: 'pw',
      };
      expect(loadConfig(env).rocketchat.admin).toEqual({
        kind: 'password',
        username: 'bridge-bot',
        password: 'pw',
      });
    });

    it('should require both halves of a credential pair', () => {
      expect(problems({ ...VALID, ROCKETCHAT_AUTH_TOKEN: undefined })).toEqual([
        'ROCKETCHAT_AUTH_TOKEN: is required with ROCKETCHAT_USER_ID',
      ]);
    });

    it('should refuse a plain-http Rocket.Chat URL except on localhost', () => {
      expect(
        problems({ ...VALID, ROCKETCHAT_URL: 'http://chat.example.org' }),
      ).toEqual([expect.stringMatching(/^ROCKETCHAT_URL: must be https/)]);
      expect(
        problems({ ...VALID, ROCKETCHAT_URL: 'http://localhost:3000' }),
      ).toEqual([]);
      expect(
        problems({ ...VALID, ROCKETCHAT_URL: 'http://127.0.0.1:3000' }),
      ).toEqual([]);
    });

    it('should allow an http internal URL only for private hosts', () => {
      expect(
        loadConfig({
          ...VALID,
          ROCKETCHAT_INTERNAL_URL: 'http://rocketchat:3000/',
        }).rocketchat.apiUrl,
      ).toBe('http://rocketchat:3000');
      expect(
        problems({ ...VALID, ROCKETCHAT_INTERNAL_URL: 'http://10.1.2.3:3000' }),
      ).toEqual([]);
      expect(
        problems({
          ...VALID,
          ROCKETCHAT_INTERNAL_URL: 'http://chat.example.net',
        }),
      ).toEqual([
        expect.stringMatching(/^ROCKETCHAT_INTERNAL_URL: must be https/),
      ]);
    });

    it('should keep a sub-path of ROCKETCHAT_URL and drop its trailing slash', () => {
      const config = loadConfig({
        ...VALID,
        ROCKETCHAT_URL: 'https://example.org/chat/',
      });
      expect(config.rocketchat.url).toBe('https://example.org/chat');
      expect(config.rocketchat.origin).toBe('https://example.org');
    });
  });

  describe('CORS_ORIGIN_WHITELIST', () => {
    it('should normalise bare host:port entries with the scheme of ROCKETCHAT_URL', () => {
      const config = loadConfig({
        ...VALID,
        CORS_ORIGIN_WHITELIST:
          'chat.example.org, chat.example.org:8443,https://other.example.org:443',
      });
      expect(config.rocketchat.allowedOrigins).toEqual([
        'https://chat.example.org',
        'https://chat.example.org:8443',
        'https://other.example.org',
      ]);
      const local = loadConfig({
        ...VALID,
        ROCKETCHAT_URL: 'http://localhost:3000',
        CORS_ORIGIN_WHITELIST: 'localhost:3000',
      });
      expect(local.rocketchat.allowedOrigins).toEqual([
        'http://localhost:3000',
      ]);
    });

    it.each([
      ['*', /wildcard/],
      ['https://*.example.org', /wildcard/],
      ['null', /null/],
      ['https://chat.example.org/', /without path, trailing slash/],
      ['https://chat.example.org/rc', /without path/],
      ['https://user@chat.example.org', /user info/],
      ['ftp://chat.example.org', /http or https/],
      ['https://chat.example.org?x=1', /query/],
    ])('should refuse %s', (entry, rule) => {
      const found = problems({ ...VALID, CORS_ORIGIN_WHITELIST: entry });
      expect(found).toHaveLength(1);
      expect(found[0]).toMatch(/^CORS_ORIGIN_WHITELIST: /);
      expect(found[0]).toMatch(rule);
    });
  });

  describe('MONGO_DB (the Rocket.Chat database, django-rocketchat-auth form)', () => {
    it.each([
      ['mongo:27017', 'mongodb://mongo:27017/rocketchat'],
      [
        'rc:pw@mongo:27017/rcdb?authSource=admin',
        'mongodb://rc:pw@mongo:27017/rcdb?authSource=admin',
      ],
      [
        'rc:pw@mongo:27017?replicaSet=rs0',
        'mongodb://rc:pw@mongo:27017/rocketchat?replicaSet=rs0',
      ],
      ['mongodb://mongo:27017/parties', 'mongodb://mongo:27017/parties'],
    ])('should read %s', (value, uri) => {
      expect(
        loadConfig({ ...VALID, MONGO_DB: value }).rocketchat.mongoUri,
      ).toBe(uri);
    });
  });

  describe('MongoDB', () => {
    it('should default the database name only when the URI has none', () => {
      expect(
        loadConfig({ ...VALID, MONGODB_URI: 'mongodb://db:27017' }).mongo
          .dbName,
      ).toBe('rocketchat_bridge');
      expect(loadConfig(VALID).mongo.dbName).toBeUndefined();
    });

    it.each(['rocketchat_', 'system.', '1abc', 'a b'])(
      'should refuse the collection prefix "%s"',
      (prefix) => {
        expect(problems({ ...VALID, MONGO_COLLECTION_PREFIX: prefix })).toEqual(
          [expect.stringMatching(/^MONGO_COLLECTION_PREFIX: must be 1-32/)],
        );
      },
    );
  });

  describe('session cookies', () => {
    it('should refuse SameSite=None without Secure', () => {
      expect(
        problems({
          ...VALID,
          PUBLIC_URL: 'http://localhost:8000',
          SESSION_COOKIE_SAMESITE: 'none',
          SESSION_COOKIE_SECURE: 'false',
        }),
      ).toEqual(
        expect.arrayContaining([
          expect.stringMatching(/^SESSION_COOKIE_SAMESITE: none requires/),
        ]),
      );
    });

    it('should default to Partitioned for SameSite=None', () => {
      expect(
        loadConfig({ ...VALID, SESSION_COOKIE_SAMESITE: 'none' }).session
          .cookiePartitioned,
      ).toBe(true);
    });

    it('should allow plain http only for a localhost PUBLIC_URL', () => {
      expect(
        problems({ ...VALID, PUBLIC_URL: 'http://sso.example.org' }),
      ).toEqual([expect.stringMatching(/^PUBLIC_URL: must be https/)]);
      expect(
        problems({ ...VALID, PUBLIC_URL: 'http://localhost:8000' }),
      ).toEqual([]);
      expect(
        problems({
          ...VALID,
          PUBLIC_URL: 'https://sso.example.org',
          SESSION_COOKIE_SECURE: 'false',
        }),
      ).toEqual([
        expect.stringMatching(/^SESSION_COOKIE_SECURE: may be false only/),
      ]);
    });

    it('should refuse cookie names Rocket.Chat uses or that carry a prefix', () => {
      for (const name of ['rc_uid', 'meteor_login_token', '__Host-x']) {
        expect(problems({ ...VALID, SESSION_COOKIE_NAME: name })).toEqual([
          expect.stringMatching(/^SESSION_COOKIE_NAME: /),
        ]);
      }
    });

    it('should refuse a repetitive session secret', () => {
      expect(problems({ ...VALID, SESSION_SECRET: 'a'.repeat(40) })).toEqual([
        expect.stringMatching(/^SESSION_SECRET: is too repetitive/),
      ]);
    });
  });

  it('should refuse argon2 parameters below the OWASP floor', () => {
    expect(
      problems({ ...VALID, ARGON2_MEMORY_KIB: '4096', ARGON2_TIME_COST: '1' }),
    ).toEqual([
      'ARGON2_MEMORY_KIB: must be at least 19456',
      'ARGON2_TIME_COST: must be at least 2',
    ]);
  });

  it('should read durations with units', () => {
    const config = loadConfig({
      ...VALID,
      SESSION_IDLE_TIMEOUT: '30m',
      SESSION_ABSOLUTE_TIMEOUT: '12h',
      MONGO_SERVER_SELECTION_TIMEOUT: '1500ms',
    });
    expect(config.session.idleTimeoutMs).toBe(30 * 60_000);
    expect(config.session.absoluteTimeoutMs).toBe(12 * 3_600_000);
    expect(config.mongo.serverSelectionTimeoutMs).toBe(1500);
    expect(problems({ ...VALID, SESSION_IDLE_TIMEOUT: 'soon' })).toEqual([
      'SESSION_IDLE_TIMEOUT: must be a duration such as 500ms, 30s, 15m, 12h or 7d',
    ]);
  });
});

describe('quick-start placeholders', () => {
  const QUICK = 'quickstart-only-session-secret-for-localhost-00000001';

  it('should accept the compose quick-start secret on localhost', () => {
    expect(
      loadConfig({
        ...VALID,
        PUBLIC_URL: 'http://localhost:8000',
        SESSION_SECRET: QUICK,
      }).session.secret,
    ).toBe(QUICK);
  });

  it('should refuse any quick-start placeholder once PUBLIC_URL is not localhost, without printing it', () => {
    const found = problems({
      ...VALID,
      SESSION_SECRET: QUICK,
      ROCKETCHAT_AUTH_TOKEN: 'quickstart-only-x',
    });
    expect(found.sort()).toEqual([
      expect.stringMatching(
        /^ROCKETCHAT_AUTH_TOKEN: is a quick-start placeholder/,
      ),
      expect.stringMatching(/^SESSION_SECRET: is a quick-start placeholder/),
    ]);
    expect(found.join('\n')).not.toContain(QUICK);
  });
});
