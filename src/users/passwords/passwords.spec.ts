import { pbkdf2Sync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ARGON2_FLOOR } from '../../config/index.js';
import { argon2BelowPolicy, parseArgon2Phc } from './argon2-phc.js';
import {
  PBKDF2_MAX_ITERATIONS,
  parseDjangoPbkdf2,
  verifyDjangoPbkdf2,
} from './django-pbkdf2.js';
import {
  MAX_PASSWORD_BYTES,
  passwordPolicyProblem,
  withinPasswordLimit,
} from './password-policy.js';
import { parseStoredHash, storedHashFromDjango } from './stored-hash.js';

const SALT = 'c29tZXNhbHRzb21lc2FsdA'; // 16 bytes
const HASH = 'aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g'; // 32 bytes

/** Exactly as Django's PBKDF2PasswordHasher.encode does it. */
function djangoPbkdf2(
  password: string,
  salt: string,
  iterations: number,
): string {
  const hash = pbkdf2Sync(
    Buffer.from(password, 'utf8'),
    Buffer.from(salt, 'utf8'),
    iterations,
    32,
    'sha256',
  );
  return `pbkdf2_sha256$${iterations}$${salt}$${hash.toString('base64')}`;
}

describe('argon2 PHC parsing', () => {
  it('should read the costs, salt and output sizes of a current hash', () => {
    expect(
      parseArgon2Phc(`$argon2id$v=19$m=19456,t=2,p=1$${SALT}$${HASH}`),
    ).toEqual({
      variant: 'argon2id',
      version: 19,
      memoryKiB: 19456,
      timeCost: 2,
      parallelism: 1,
      saltBytes: 16,
      hashBytes: 32,
    });
  });

  it('should read old hashes without a version as argon2 1.0 (0x10)', () => {
    expect(
      parseArgon2Phc(`$argon2i$m=4096,t=3,p=1$${SALT}$${HASH}`),
    ).toMatchObject({ variant: 'argon2i', version: 16 });
  });

  it.each([
    ['memory above 1 GiB', `$argon2id$v=19$m=1048577,t=1,p=1$${SALT}$${HASH}`],
    [
      '4 GiB, t=100, p=64 (checklist PWD-3)',
      `$argon2id$v=19$m=4194304,t=100,p=64$${SALT}$${HASH}`,
    ],
    ['more than 10 passes', `$argon2id$v=19$m=19456,t=11,p=1$${SALT}$${HASH}`],
    ['more than 16 lanes', `$argon2id$v=19$m=19456,t=2,p=17$${SALT}$${HASH}`],
    ['zero passes', `$argon2id$v=19$m=19456,t=0,p=1$${SALT}$${HASH}`],
    ['less than 8 KiB per lane', `$argon2id$v=19$m=15,t=2,p=2$${SALT}$${HASH}`],
    ['a salt under 8 bytes', `$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$${HASH}`],
    [
      'an output under 16 bytes',
      `$argon2id$v=19$m=19456,t=2,p=1$${SALT}$aGFzaA`,
    ],
    ['an unknown variant', `$argon2x$v=19$m=19456,t=2,p=1$${SALT}$${HASH}`],
    ['an unknown version', `$argon2id$v=20$m=19456,t=2,p=1$${SALT}$${HASH}`],
    [
      'extra parameters',
      `$argon2id$v=19$m=19456,t=2,p=1,keyid=x$${SALT}$${HASH}`,
    ],
    ['reordered parameters', `$argon2id$v=19$t=2,m=19456,p=1$${SALT}$${HASH}`],
    ['a missing hash', `$argon2id$v=19$m=19456,t=2,p=1$${SALT}`],
    [
      'a huge string',
      `$argon2id$v=19$m=19456,t=2,p=1$${SALT}$${'A'.repeat(1000)}`,
    ],
  ])('should refuse %s', (_label, encoded) => {
    expect(parseArgon2Phc(encoded)).toBeUndefined();
  });

  it('should call a hash below policy when any cost, size, variant or version is lower', () => {
    const base = parseArgon2Phc(
      `$argon2id$v=19$m=19456,t=2,p=1$${SALT}$${HASH}`,
    )!;
    expect(argon2BelowPolicy(base, ARGON2_FLOOR)).toBe(false);
    expect(argon2BelowPolicy({ ...base, memoryKiB: 47104 }, ARGON2_FLOOR)).toBe(
      false,
    );
    expect(argon2BelowPolicy(base, { ...ARGON2_FLOOR, memoryKiB: 19457 })).toBe(
      true,
    );
    expect(argon2BelowPolicy(base, { ...ARGON2_FLOOR, timeCost: 3 })).toBe(
      true,
    );
    expect(argon2BelowPolicy(base, { ...ARGON2_FLOOR, parallelism: 2 })).toBe(
      true,
    );
    expect(
      argon2BelowPolicy({ ...base, variant: 'argon2i' }, ARGON2_FLOOR),
    ).toBe(true);
    expect(argon2BelowPolicy({ ...base, version: 16 }, ARGON2_FLOOR)).toBe(
      true,
    );
    expect(argon2BelowPolicy({ ...base, saltBytes: 12 }, ARGON2_FLOOR)).toBe(
      true,
    );
    expect(argon2BelowPolicy({ ...base, hashBytes: 16 }, ARGON2_FLOOR)).toBe(
      true,
    );
  });
});

describe('Django PBKDF2', () => {
  // Published by Django: tests/auth_tests/test_hashers.py (django/django, commit 02dbf1667c6d),
  // test_pbkdf2 and test_low_level_pbkdf2, both for the password "lètmein".
  const DJANGO_VECTORS = [
    'pbkdf2_sha256$390000$seasalt$8xBlGd3jVgvJ+92hWPxi5ww0uuAuAnKgC45eudxro7c=',
    'pbkdf2_sha256$390000$seasalt2$geC/uZ92nRXDSjSxeoiBqYyRcrLzMm8xK3ro1QS1uo8=',
  ];

  it.each(DJANGO_VECTORS)(
    'should verify the vector Django published: %s',
    async (encoded) => {
      const parsed = parseDjangoPbkdf2(encoded)!;
      expect(parsed.iterations).toBe(390000);
      expect(await verifyDjangoPbkdf2(parsed, 'lètmein')).toBe(true);
      expect(await verifyDjangoPbkdf2(parsed, 'lètmeinz')).toBe(false);
      expect(await verifyDjangoPbkdf2(parsed, 'letmein')).toBe(false);
    },
  );

  it('should verify hashes made the way Django makes them, blank and non-ASCII passwords included', async () => {
    for (const password of ['', 'p', 'pässwörd ✓ 密码', ' spaced ']) {
      const parsed = parseDjangoPbkdf2(
        djangoPbkdf2(password, 'Ab3dEf6hIj9kLm2nOp5qRs', 720),
      )!;
      expect(await verifyDjangoPbkdf2(parsed, password)).toBe(true);
      expect(await verifyDjangoPbkdf2(parsed, `${password}x`)).toBe(false);
    }
  });

  it('should use the salt as its UTF-8 string, not decoded', async () => {
    const parsed = parseDjangoPbkdf2(djangoPbkdf2('pw', 'c2FsdA==', 10))!;
    expect(parsed.salt).toBe('c2FsdA==');
    expect(await verifyDjangoPbkdf2(parsed, 'pw')).toBe(true);
  });

  it.each([
    [
      'zero iterations',
      'pbkdf2_sha256$0$salt$8xBlGd3jVgvJ+92hWPxi5ww0uuAuAnKgC45eudxro7c=',
    ],
    [
      'absurd iterations',
      `pbkdf2_sha256$${PBKDF2_MAX_ITERATIONS + 1}$salt$8xBlGd3jVgvJ+92hWPxi5ww0uuAuAnKgC45eudxro7c=`,
    ],
    [
      'an empty salt',
      'pbkdf2_sha256$1000$$8xBlGd3jVgvJ+92hWPxi5ww0uuAuAnKgC45eudxro7c=',
    ],
    ['a short hash', 'pbkdf2_sha256$1000$salt$8xBlGd3jVgvJ+92hWPxi5w=='],
    [
      'an unpadded hash',
      'pbkdf2_sha256$1000$salt$8xBlGd3jVgvJ+92hWPxi5ww0uuAuAnKgC45eudxro7c',
    ],
    [
      'a non-numeric count',
      'pbkdf2_sha256$lots$salt$8xBlGd3jVgvJ+92hWPxi5ww0uuAuAnKgC45eudxro7c=',
    ],
    ['pbkdf2_sha1', 'pbkdf2_sha1$390000$seasalt2$aDapRanzW8aHTz97v2TcfHzWD+I='],
  ])('should refuse %s', (_label, encoded) => {
    expect(parseDjangoPbkdf2(encoded)).toBeUndefined();
  });
});

describe('stored hashes', () => {
  it('should tell argon2 from PBKDF2 and refuse anything else', () => {
    expect(
      parseStoredHash(`$argon2id$v=19$m=19456,t=2,p=1$${SALT}$${HASH}`)?.kind,
    ).toBe('argon2');
    expect(parseStoredHash(djangoPbkdf2('x', 'salt', 1))?.kind).toBe(
      'pbkdf2_sha256',
    );
    for (const other of [
      '',
      '!unusable',
      '$2b$12$abcdefghijklmnopqrstuuvwxyz0123456789ABCDEFGHIJKLMNOPQ',
      'plain',
      'md5$salt$abc',
    ]) {
      expect(parseStoredHash(other)).toBeUndefined();
    }
  });

  it('should keep Django pbkdf2_sha256 hashes and unwrap Django argon2 ones into PHC strings', () => {
    const pbkdf2 =
      'pbkdf2_sha256$390000$seasalt$8xBlGd3jVgvJ+92hWPxi5ww0uuAuAnKgC45eudxro7c=';
    expect(storedHashFromDjango(pbkdf2)).toEqual({ ok: true, stored: pbkdf2 });
    // Django's own test vector (test_argon2_version_upgrade), stored by Django with its prefix.
    expect(
      storedHashFromDjango(
        'argon2$argon2id$v=19$m=102400,t=2,p=8$Y041dExhNkljRUUy$TMa6A8fPJhCAUXRhJXCXdw',
      ),
    ).toEqual({
      ok: true,
      stored:
        '$argon2id$v=19$m=102400,t=2,p=8$Y041dExhNkljRUUy$TMa6A8fPJhCAUXRhJXCXdw',
    });
  });

  it.each([
    ['', /unusable password/],
    ['!Xk2mP9qR4sT7vW0yZ3bC6dF8gH1jL5nQ8rS2tU4w', /unusable password/],
    [null, /missing/],
    [42, /missing/],
    [
      'bcrypt_sha256$$2b$12$abcdefghijklmnopqrstuuvwxyz0123456789ABCDEFGHIJKLM',
      /unsupported password hash algorithm "bcrypt_sha256"/,
    ],
    [
      'md5$seasalt$3f86d0d3d465b7b458c231bf3555c0e3',
      /unsupported password hash algorithm "md5"/,
    ],
    ['88a434c88cca4e900f7874cd98123f43', /unsupported password hash format/],
    ['pbkdf2_sha256$390000$seasalt$broken', /malformed pbkdf2_sha256/],
    [
      'argon2$argon2id$v=19$m=4194304,t=100,p=64$Y041dExhNkljRUUy$TMa6A8fPJhCAUXRhJXCXdw',
      /argon2/,
    ],
  ])(
    'should refuse the Django password %j with a reason that shows no hash',
    (password, reason) => {
      const check = storedHashFromDjango(password);
      expect(check.ok).toBe(false);
      const text = check.ok ? '' : check.reason;
      expect(text).toMatch(reason);
      expect(text).not.toMatch(/seasalt|3f86d0|abcdefgh|Y041/);
    },
  );
});

describe('password policy', () => {
  it('should require the configured length in characters and cap the size at 256 bytes', () => {
    expect(passwordPolicyProblem('1234567', 8)).toMatch(
      /at least 8 characters/,
    );
    expect(passwordPolicyProblem('12345678', 8)).toBeUndefined();
    expect(passwordPolicyProblem('ééééééé', 8)).toMatch(/at least 8/);
    expect(passwordPolicyProblem('😀'.repeat(8), 8)).toBeUndefined();
    expect(passwordPolicyProblem('x'.repeat(64), 12)).toBeUndefined();
    expect(
      passwordPolicyProblem('x'.repeat(MAX_PASSWORD_BYTES), 8),
    ).toBeUndefined();
    expect(
      passwordPolicyProblem('x'.repeat(MAX_PASSWORD_BYTES + 1), 8),
    ).toMatch(/at most 256 bytes/);
    expect(passwordPolicyProblem('é'.repeat(129), 8)).toMatch(
      /at most 256 bytes/,
    );
  });

  it('should bound login input by bytes without scanning huge strings', () => {
    expect(withinPasswordLimit('')).toBe(true);
    expect(withinPasswordLimit('x'.repeat(256))).toBe(true);
    expect(withinPasswordLimit('é'.repeat(128))).toBe(true);
    expect(withinPasswordLimit('é'.repeat(129))).toBe(false);
    expect(withinPasswordLimit('x'.repeat(10_000_000))).toBe(false);
  });
});
