import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/configuration.js';
import { ConfigValidationError, type Env } from '../../src/config/env.js';

// Issue 4: "Config refuses at boot: weak or short secrets, `*` or `null` in the origin allow-list,
// `SameSite=None` without Secure, a non-https Rocket.Chat URL other than localhost, hashing
// parameters below the floor" (checklist SEC-2). Every refusal names the variable and the rule and
// never the value. src/config/configuration.spec.ts covers the readers; this is the checklist's list.

const VALID: Env = {
  MONGODB_URI: 'mongodb://bridge:Mongo-pw-71c3e0@db.internal:27017/bridge',
  PUBLIC_URL: 'https://sso.example.org',
  ROCKETCHAT_URL: 'https://chat.example.org',
  ROCKETCHAT_USER_ID: 'adminid',
  ROCKETCHAT_AUTH_TOKEN: 'Xq7pL2vN9cR4tY6wB1zM8kD3fH5jS0aG',
  SESSION_SECRET: 'gT4nW8qZ1xC6vB3mK9pL2rD7fJ5hS0aEyU',
  TOKEN_ENCRYPTION_KEY: 'bMXvzX2g3c8yq6J0v7kP1n4Rz9sT5wQe2aYh8LdF0uc=',
  CREATE_TOKENS_FOR_USERS_SECRET: 'Vd3kR8pQ2wN6zX1c',
  METRICS_TOKEN: 'Mt9fK2wQ7zR4pX1nL6',
};

const REPETITIVE_KEY = Buffer.alloc(32, 7).toString('base64');
const QUICK_KEY = 'quickstart-only-tokenKeyW7dH2qLx9ZfR4mVc8Tb';
const PLACEHOLDER_RULE = /is a placeholder copied from an example/;
const SHORT_RULE = (n: number) =>
  new RegExp(`must be at least ${n} characters long`);

interface Refusal {
  /** What the row refuses, for the test name. */
  readonly label: string;
  readonly env: Env;
  /** Files NAME_FILE variables point at. */
  readonly files?: Record<string, string>;
  readonly variable: string;
  readonly rule: RegExp;
  /** Values that must not appear in the message (defaults to every value the row sets). */
  readonly hidden?: readonly string[];
}

const REFUSALS: readonly Refusal[] = [
  // SESSION_SECRET
  {
    label: 'a SESSION_SECRET shorter than 32 characters',
    env: { SESSION_SECRET: 'Sh0rt-but-secret-value-9' },
    variable: 'SESSION_SECRET',
    rule: SHORT_RULE(32),
  },
  {
    label: 'a repetitive SESSION_SECRET',
    env: { SESSION_SECRET: 'abab'.repeat(10) },
    variable: 'SESSION_SECRET',
    rule: /is too repetitive/,
  },
  {
    label: 'SESSION_SECRET=changeme',
    env: { SESSION_SECRET: 'changeme' },
    variable: 'SESSION_SECRET',
    rule: PLACEHOLDER_RULE,
  },
  {
    label: 'a long SESSION_SECRET made of a placeholder',
    env: { SESSION_SECRET: 'changeme-changeme-changeme-0123456789' },
    variable: 'SESSION_SECRET',
    rule: PLACEHOLDER_RULE,
  },
  {
    label: 'a placeholder in SESSION_SECRET_FILE',
    env: {
      SESSION_SECRET: undefined,
      SESSION_SECRET_FILE: '/run/secrets/session',
    },
    files: {
      '/run/secrets/session': 'replace-me-with-48-random-characters-xyz\n',
    },
    variable: 'SESSION_SECRET_FILE',
    rule: PLACEHOLDER_RULE,
    hidden: ['replace-me-with-48-random-characters-xyz'],
  },
  {
    label: 'the compose quick-start SESSION_SECRET off localhost',
    env: {
      SESSION_SECRET: 'quickstart-only-session-secret-for-localhost-00000001',
    },
    variable: 'SESSION_SECRET',
    rule: /is a quick-start placeholder/,
  },
  {
    label: 'a missing SESSION_SECRET (the .env.example placeholder is empty)',
    env: { SESSION_SECRET: '' },
    variable: 'SESSION_SECRET',
    rule: /^is required$/,
    hidden: [],
  },
  // TOKEN_ENCRYPTION_KEY
  {
    label: 'a TOKEN_ENCRYPTION_KEY that is not 32 bytes',
    env: { TOKEN_ENCRYPTION_KEY: 'short-key-value-123' },
    variable: 'TOKEN_ENCRYPTION_KEY',
    rule: /must be 32 random bytes/,
  },
  {
    label: 'a repetitive TOKEN_ENCRYPTION_KEY',
    env: { TOKEN_ENCRYPTION_KEY: REPETITIVE_KEY },
    variable: 'TOKEN_ENCRYPTION_KEY',
    rule: /is too repetitive/,
  },
  {
    label: 'TOKEN_ENCRYPTION_KEY=<your-key>',
    env: { TOKEN_ENCRYPTION_KEY: '<your-key>' },
    variable: 'TOKEN_ENCRYPTION_KEY',
    rule: PLACEHOLDER_RULE,
  },
  {
    label: 'TOKEN_ENCRYPTION_KEY_PREVIOUS=change-me',
    env: { TOKEN_ENCRYPTION_KEY_PREVIOUS: 'change-me' },
    variable: 'TOKEN_ENCRYPTION_KEY_PREVIOUS',
    rule: PLACEHOLDER_RULE,
  },
  {
    label: 'the compose quick-start TOKEN_ENCRYPTION_KEY off localhost',
    env: { TOKEN_ENCRYPTION_KEY: QUICK_KEY },
    variable: 'TOKEN_ENCRYPTION_KEY',
    rule: /is a quick-start placeholder/,
  },
  {
    label: 'a missing TOKEN_ENCRYPTION_KEY',
    env: { TOKEN_ENCRYPTION_KEY: '' },
    variable: 'TOKEN_ENCRYPTION_KEY',
    rule: /^is required$/,
    hidden: [],
  },
  // CREATE_TOKENS_FOR_USERS_SECRET
  {
    label: 'CREATE_TOKENS_FOR_USERS_SECRET=changeme',
    env: { CREATE_TOKENS_FOR_USERS_SECRET: 'changeme' },
    variable: 'CREATE_TOKENS_FOR_USERS_SECRET',
    rule: PLACEHOLDER_RULE,
  },
  {
    label:
      'the compose quick-start CREATE_TOKENS_FOR_USERS_SECRET off localhost',
    env: {
      CREATE_TOKENS_FOR_USERS_SECRET:
        'quickstart-only-create-token-secret-0001',
    },
    variable: 'CREATE_TOKENS_FOR_USERS_SECRET',
    rule: /is a quick-start placeholder/,
  },
  {
    label: 'no CREATE_TOKENS_FOR_USERS_SECRET for Rocket.Chat 8',
    env: { CREATE_TOKENS_FOR_USERS_SECRET: '', ROCKETCHAT_VERSION: '8.0' },
    variable: 'CREATE_TOKENS_FOR_USERS_SECRET',
    rule: /is required for users.createToken on Rocket.Chat 8/,
    hidden: [],
  },
  // METRICS_TOKEN
  {
    label: 'a METRICS_TOKEN shorter than 16 characters',
    env: { METRICS_TOKEN: 'abc123def' },
    variable: 'METRICS_TOKEN',
    rule: SHORT_RULE(16),
  },
  {
    label: 'METRICS_TOKEN=changeme-metrics-token-42',
    env: { METRICS_TOKEN: 'changeme-metrics-token-42' },
    variable: 'METRICS_TOKEN',
    rule: PLACEHOLDER_RULE,
  },
  {
    label: 'a METRICS_TOKEN that cannot go in a header',
    env: { METRICS_TOKEN: 'metrics token, with spaces' },
    variable: 'METRICS_TOKEN',
    rule: /may contain only letters, digits/,
  },
  // ROCKETCHAT_AUTH_TOKEN / ROCKETCHAT_ADMIN_PASSWORD
  {
    label: 'ROCKETCHAT_AUTH_TOKEN=your-token-here',
    env: { ROCKETCHAT_AUTH_TOKEN: 'your-token-here' },
    variable: 'ROCKETCHAT_AUTH_TOKEN',
    rule: PLACEHOLDER_RULE,
  },
  {
    label: 'ROCKETCHAT_AUTH_TOKEN=REPLACE_ME',
    env: { ROCKETCHAT_AUTH_TOKEN: 'REPLACE_ME' },
    variable: 'ROCKETCHAT_AUTH_TOKEN',
    rule: PLACEHOLDER_RULE,
  },
  {
    label: 'a quick-start ROCKETCHAT_AUTH_TOKEN off localhost',
    env: { ROCKETCHAT_AUTH_TOKEN: 'quickstart-only-admin-token-7' },
    variable: 'ROCKETCHAT_AUTH_TOKEN',
    rule: /is a quick-start placeholder/,
  },
  {
    label: 'ROCKETCHAT_ADMIN_PASSWORD=changeit',
    env: {
      ROCKETCHAT_USER_ID: undefined,
      ROCKETCHAT_AUTH_TOKEN: undefined,
      ROCKETCHAT_ADMIN_USERNAME: 'bridge-bot',
      ROCKETCHAT_ADMIN_PASSWORD: 'changeit',
    },
    variable: 'ROCKETCHAT_ADMIN_PASSWORD',
    rule: PLACEHOLDER_RULE,
    hidden: ['changeit'],
  },
  // The origin allow-list
  {
    label: 'CORS_ORIGIN_WHITELIST=*',
    env: { CORS_ORIGIN_WHITELIST: '*' },
    variable: 'CORS_ORIGIN_WHITELIST',
    rule: /must not contain a wildcard/,
    hidden: [],
  },
  {
    label: 'a * among other origins',
    env: { CORS_ORIGIN_WHITELIST: 'https://chat.example.org, *' },
    variable: 'CORS_ORIGIN_WHITELIST',
    rule: /must not contain a wildcard/,
  },
  {
    label: 'CORS_ORIGIN_WHITELIST=null',
    env: { CORS_ORIGIN_WHITELIST: 'https://chat.example.org,null' },
    variable: 'CORS_ORIGIN_WHITELIST',
    rule: /must not contain null/,
  },
  {
    label: 'an allowed origin with a trailing slash',
    env: { CORS_ORIGIN_WHITELIST: 'https://chat.example.org/' },
    variable: 'CORS_ORIGIN_WHITELIST',
    rule: /without path, trailing slash/,
  },
  {
    label: 'an allow-list with no origin in it',
    env: { CORS_ORIGIN_WHITELIST: ' , ' },
    variable: 'CORS_ORIGIN_WHITELIST',
    rule: /must list at least one origin/,
    hidden: [],
  },
  // Cookies
  {
    label: 'SameSite=None without Secure',
    env: {
      PUBLIC_URL: 'http://localhost:8000',
      SESSION_COOKIE_SAMESITE: 'None',
      SESSION_COOKIE_SECURE: 'false',
    },
    variable: 'SESSION_COOKIE_SAMESITE',
    rule: /none requires SESSION_COOKIE_SECURE=true/,
    hidden: [],
  },
  {
    label: 'Secure off for a non-localhost PUBLIC_URL',
    env: { SESSION_COOKIE_SECURE: 'false' },
    variable: 'SESSION_COOKIE_SECURE',
    rule: /may be false only when PUBLIC_URL is a localhost URL/,
    hidden: [],
  },
  // URLs
  {
    label: 'a plain-http ROCKETCHAT_URL off localhost',
    env: { ROCKETCHAT_URL: 'http://chat.example.org' },
    variable: 'ROCKETCHAT_URL',
    rule: /must be https unless it is a localhost URL/,
  },
  {
    label: 'a plain-http ROCKETCHAT_URL on a private address',
    env: { ROCKETCHAT_URL: 'http://10.20.30.40:3000' },
    variable: 'ROCKETCHAT_URL',
    rule: /must be https unless it is a localhost URL/,
  },
  {
    label: 'a plain-http ROCKETCHAT_INTERNAL_URL on a public host',
    env: { ROCKETCHAT_INTERNAL_URL: 'http://rc-backend.example.net' },
    variable: 'ROCKETCHAT_INTERNAL_URL',
    rule: /must be https unless it names localhost/,
  },
  {
    label: 'a plain-http PUBLIC_URL off localhost',
    env: { PUBLIC_URL: 'http://sso.example.org' },
    variable: 'PUBLIC_URL',
    rule: /must be https/,
  },
  {
    label: 'a ROCKETCHAT_URL carrying credentials',
    env: { ROCKETCHAT_URL: 'https://admin:Rc-pw-55a1@chat.example.org' },
    variable: 'ROCKETCHAT_URL',
    rule: /must not contain a user name or password/,
    hidden: ['Rc-pw-55a1'],
  },
  // Hashing parameters
  {
    label: 'ARGON2_MEMORY_KIB below 19456',
    env: { ARGON2_MEMORY_KIB: '19455' },
    variable: 'ARGON2_MEMORY_KIB',
    rule: /^must be at least 19456$/,
    hidden: [],
  },
  {
    label: 'ARGON2_TIME_COST below 2',
    env: { ARGON2_TIME_COST: '1' },
    variable: 'ARGON2_TIME_COST',
    rule: /^must be at least 2$/,
    hidden: [],
  },
  {
    label: 'ARGON2_PARALLELISM of 0',
    env: { ARGON2_PARALLELISM: '0' },
    variable: 'ARGON2_PARALLELISM',
    rule: /^must be at least 1$/,
    hidden: [],
  },
  {
    label: 'PASSWORD_MIN_LENGTH below 8',
    env: { PASSWORD_MIN_LENGTH: '6' },
    variable: 'PASSWORD_MIN_LENGTH',
    rule: /^must be at least 8$/,
    hidden: [],
  },
  // The bridge's database
  {
    label: 'a MONGODB_URI of another scheme, with its password',
    env: { MONGODB_URI: 'postgres://bridge:Pg-pw-93d2@db.internal/bridge' },
    variable: 'MONGODB_URI',
    rule: /must start with mongodb:\/\//,
  },
];

function refusal(
  env: Env,
  files: Record<string, string> = {},
): ConfigValidationError | undefined {
  try {
    loadConfig(env, (path) => {
      if (path in files) {
        return files[path];
      }
      throw Object.assign(new Error('missing'), { code: 'ENOENT' });
    });
  } catch (error) {
    if (error instanceof ConfigValidationError) {
      return error;
    }
    throw error;
  }
  return undefined;
}

describe('configuration refused at boot (checklist SEC-2)', () => {
  it('should accept the base environment of these tests', () => {
    expect(refusal(VALID)).toBeUndefined();
  });

  it.each(REFUSALS.map((r) => [r.label, r] as const))(
    'should refuse %s, naming the variable and the rule but not the value',
    (_label, row) => {
      const error = refusal({ ...VALID, ...row.env }, row.files);
      expect(error).toBeInstanceOf(ConfigValidationError);
      const problems = error!.problems.filter(
        (p) => p.variable === row.variable,
      );
      expect(problems).toHaveLength(1);
      expect(problems[0].rule).toMatch(row.rule);
      const hidden =
        row.hidden ??
        Object.values(row.env).filter(
          (v): v is string => v !== undefined && v !== '',
        );
      for (const value of hidden) {
        expect(error!.message).not.toContain(value);
        expect(JSON.stringify(error!.problems)).not.toContain(value);
      }
      // The base environment's secrets never appear either.
      for (const name of [
        'SESSION_SECRET',
        'TOKEN_ENCRYPTION_KEY',
        'ROCKETCHAT_AUTH_TOKEN',
        'CREATE_TOKENS_FOR_USERS_SECRET',
        'METRICS_TOKEN',
      ]) {
        expect(error!.message).not.toContain(VALID[name]);
      }
      expect(error!.message).not.toContain('Mongo-pw-71c3e0');
    },
  );

  it.each([
    [
      'a plain-http localhost ROCKETCHAT_URL',
      { ROCKETCHAT_URL: 'http://localhost:3000' },
    ],
    [
      'a plain-http 127.0.0.1 ROCKETCHAT_URL',
      { ROCKETCHAT_URL: 'http://127.0.0.1:3000' },
    ],
    [
      'secrets that merely contain the words secret, token or test',
      {
        SESSION_SECRET: 'test-session-secret-a1b2c3d4e5f6a7b8c9d0e1f2a3b4',
        CREATE_TOKENS_FOR_USERS_SECRET: 'test-create-token-secret-4f1d9c',
        ROCKETCHAT_AUTH_TOKEN: 'test-admin-personal-access-token-9f8e7d',
        METRICS_TOKEN: 'metrics-token-for-tests-1234',
      },
    ],
    [
      'the compose quick-start secrets on a localhost PUBLIC_URL',
      {
        PUBLIC_URL: 'http://localhost:8000',
        SESSION_SECRET: 'quickstart-only-session-secret-for-localhost-00000001',
        CREATE_TOKENS_FOR_USERS_SECRET:
          'quickstart-only-create-token-secret-0001',
      },
    ],
    [
      'SameSite=None with Secure (Partitioned by default)',
      { SESSION_COOKIE_SAMESITE: 'none' },
    ],
    [
      'hashing parameters above the floor',
      {
        ARGON2_MEMORY_KIB: '65536',
        ARGON2_TIME_COST: '3',
        ARGON2_PARALLELISM: '4',
      },
    ],
  ] as const)('should accept %s', (_label, env: Env) => {
    expect(refusal({ ...VALID, ...env })?.message).toBeUndefined();
  });
});
