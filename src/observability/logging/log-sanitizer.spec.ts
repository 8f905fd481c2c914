import { describe, expect, it } from 'vitest';
import {
  REDACTED,
  SecretList,
  collectSecrets,
  escapeControlCharacters,
  isSecretKey,
  sanitizeLogValue,
  scrubString,
  serializeError,
} from './log-sanitizer.js';

const SECRETS = [
  'pat-9f8e7d6c5b4a',
  'sess-secret-0123456789abcdef',
  'minted-login-token-XYZ',
  'hunter2-password',
  'csrf-abcdef123456',
  'cookie-value-sid-777',
  'mongo-pw-42',
];

function leaked(output: unknown): string[] {
  const text = JSON.stringify(output);
  return SECRETS.filter((secret) => text.includes(secret));
}

describe('sanitizeLogValue', () => {
  it('should redact secret-named fields at any depth, whatever their case or separators', () => {
    const input = {
      user: 'alice',
      password: 'hunter2-password',
      nested: {
        loginToken: 'minted-login-token-XYZ',
        list: [
          { authToken: 'pat-9f8e7d6c5b4a' },
          { csrf_token: 'csrf-abcdef123456' },
        ],
        deeper: { SESSION_SECRET: 'sess-secret-0123456789abcdef' },
      },
      headers: {
        cookie: 'rcbridge_session=cookie-value-sid-777',
        'set-cookie': ['rcbridge_session=cookie-value-sid-777; HttpOnly'],
        authorization: 'Bearer pat-9f8e7d6c5b4a',
        'x-auth-token': 'pat-9f8e7d6c5b4a',
        'x-user-id': 'adminid',
        accept: 'application/json',
      },
    };
    const output = sanitizeLogValue(input) as Record<string, unknown>;
    expect(leaked(output)).toEqual([]);
    expect(output.user).toBe('alice');
    expect(output.password).toBe(REDACTED);
    expect((output.headers as Record<string, unknown>).accept).toBe(
      'application/json',
    );
    expect((output.headers as Record<string, unknown>)['x-user-id']).toBe(
      REDACTED,
    );
  });

  it('should reduce an axios-like error to class, message, code and status, without its request config', () => {
    const error = Object.assign(
      new Error('Request failed with status code 500'),
      {
        name: 'AxiosError',
        code: 'ERR_BAD_RESPONSE',
        config: {
          url: 'http://rc.internal/api/v1/users.createToken',
          headers: {
            'X-Auth-Token': 'pat-9f8e7d6c5b4a',
            'X-User-Id': 'adminid',
          },
          data: '{"secret":"sess-secret-0123456789abcdef"}',
        },
        response: {
          status: 500,
          data: { data: { authToken: 'minted-login-token-XYZ' } },
        },
        toJSON() {
          return { config: this.config };
        },
      },
    );
    const output = sanitizeLogValue({ err: error, context: 'x' });
    expect(leaked(output)).toEqual([]);
    expect((output as { err: unknown }).err).toMatchObject({
      type: 'AxiosError',
      message: 'Request failed with status code 500',
      code: 'ERR_BAD_RESPONSE',
      status: 500,
    });
  });

  it('should mask configured secret values and URL passwords inside any string', () => {
    const secrets = new SecretList();
    secrets.add(['pat-9f8e7d6c5b4a', 'short', undefined]);
    const output = sanitizeLogValue(
      {
        note: 'retrying with token pat-9f8e7d6c5b4a now',
        uri: 'mongodb://bridge:mongo-pw-42@db:27017/x',
        header: 'Authorization: Bearer abcdefghijk.lmnop',
        word: 'a short note',
      },
      secrets,
    );
    expect(leaked(output)).toEqual([]);
    expect(output).toEqual({
      note: `retrying with token ${REDACTED} now`,
      uri: `mongodb://bridge:${REDACTED}@db:27017/x`,
      header: `Authorization: Bearer ${REDACTED}`,
      // Values under 6 characters are not masked: they would hide ordinary words.
      word: 'a short note',
    });
  });

  it('should escape newlines, carriage returns and ANSI escapes in values and keys', () => {
    const output = sanitizeLogValue({
      username: 'eve\n{"level":"info","msg":"admin logged in"}',
      other: 'red\u001b[31m\rX\u2028',
      'bad\nkey': 1,
    });
    expect(output).toEqual({
      username: 'eve\\u000a{"level":"info","msg":"admin logged in"}',
      other: 'red\\u001b[31m\\u000dX\\u2028',
      'bad\\u000akey': 1,
    });
  });

  it('should survive cycles, deep nesting, long arrays and class instances without walking them', () => {
    const cyclic: Record<string, unknown> = { name: 'a' };
    cyclic.self = cyclic;
    let deep: Record<string, unknown> = { leaf: true };
    for (let i = 0; i < 20; i++) {
      deep = { deep };
    }
    class Socket {
      secretField = 'cookie-value-sid-777';
    }
    const output = sanitizeLogValue({
      cyclic,
      deep,
      many: Array.from({ length: 100 }, (_, i) => i),
      socket: new Socket(),
      when: new Date('2026-01-02T03:04:05Z'),
      id: { toJSON: () => '65a1b2c3d4e5f6a7b8c9d0e1' },
      bytes: Buffer.from('cookie-value-sid-777'),
    }) as Record<string, unknown>;
    expect(leaked(output)).toEqual([]);
    expect((output.cyclic as Record<string, unknown>).self).toBe('[Circular]');
    expect(JSON.stringify(output.deep)).toContain('[Object]');
    expect((output.many as unknown[]).length).toBe(51);
    expect(output.socket).toBe('[Socket]');
    expect(output.when).toBe('2026-01-02T03:04:05.000Z');
    expect(output.bytes).toBe('[Buffer]');
  });
});

describe('serializeError', () => {
  it('should escape user input in the message and the first stack line but keep stack line breaks', () => {
    const error = new Error('no user "eve\nINFO fake line"');
    const safe = serializeError(error);
    expect(safe.message).toBe('no user "eve\\u000aINFO fake line"');
    expect(safe.stack?.split('\n')[0]).toBe(
      'Error: no user "eve\\u000aINFO fake line"',
    );
    expect(safe.stack?.split('\n').length).toBeGreaterThan(2);
  });

  it('should keep the code and cause of a driver error but not the connection string', () => {
    const cause = Object.assign(
      new Error('connect ECONNREFUSED 10.0.0.1:27017'),
      {
        code: 'ECONNREFUSED',
      },
    );
    const error = Object.assign(
      new Error('failed to connect to mongodb://bridge:mongo-pw-42@db/x'),
      {
        name: 'MongoServerSelectionError',
        cause,
        uri: 'mongodb://bridge:mongo-pw-42@db/x',
      },
    );
    const safe = serializeError(error);
    expect(leaked(safe)).toEqual([]);
    expect(safe.cause).toMatchObject({ code: 'ECONNREFUSED' });
    expect(safe).not.toHaveProperty('uri');
  });
});

describe('scrubString and escapeControlCharacters', () => {
  it('should leave ordinary text untouched', () => {
    const text = 'GET /login 200 3.2ms – Zoë ✓';
    expect(scrubString(text)).toBe(text);
    expect(escapeControlCharacters(text)).toBe(text);
  });

  it('should bound very long strings', () => {
    expect(scrubString('x'.repeat(10_000)).length).toBeLessThan(4100);
  });
});

describe('isSecretKey and collectSecrets', () => {
  it('should classify field names', () => {
    const secret = [
      'password',
      'newPassword',
      'loginToken',
      'authToken',
      'X-Auth-Token',
      'secret',
      'createTokensForUsersSecret',
      'cookie',
      'Set-Cookie',
      'authorization',
      'passwordHash',
      'x-user-id',
    ];
    const ordinary = [
      'username',
      'userId',
      'requestId',
      'route',
      'status',
      'email',
    ];
    expect(secret.filter((key) => !isSecretKey(key))).toEqual([]);
    expect(ordinary.filter((key) => isSecretKey(key))).toEqual([]);
  });

  it('should find secret values and URI passwords in a configuration object', () => {
    const found = collectSecrets({
      app: { port: 8000, metrics: { token: 'metrics-token-123456' } },
      mongo: { uri: 'mongodb://bridge:mongo%2Dpw@db/x' },
      session: { secret: 'sess-secret-0123456789abcdef' },
      rocketchat: {
        admin: { userId: 'adminid', authToken: 'pat-9f8e7d6c5b4a' },
      },
    });
    expect(found).toEqual(
      expect.arrayContaining([
        'metrics-token-123456',
        'mongo%2Dpw',
        'mongo-pw',
        'sess-secret-0123456789abcdef',
        'pat-9f8e7d6c5b4a',
      ]),
    );
    expect(found).not.toContain('adminid');
  });
});
