import { pbkdf2Sync } from 'node:crypto';
import * as argon2 from '@node-rs/argon2';
import { getModelToken } from '@nestjs/mongoose';
import type { Model } from 'mongoose';
import {
  afterAll,
  afterEach,
  beforeAll,
  describe,
  expect,
  it,
  vi,
} from 'vitest';
import { CredentialsService } from '../../src/users/credentials.service.js';
import { UserAdminService } from '../../src/users/user-admin.service.js';
import { USER_MODEL, type UserDocument } from '../../src/users/user.schema.js';
import { UserStoreUnavailableError } from '../../src/users/users.errors.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { freshDatabaseUri } from '../support/mongo.js';
import {
  mongoHostPort,
  TcpProxy,
  withMongoHost,
} from '../support/tcp-proxy.js';

// Count the real library's hash computations (the library itself still runs).
vi.mock('@node-rs/argon2', async (importOriginal) => {
  const actual = await importOriginal<typeof import('@node-rs/argon2')>();
  return {
    ...actual,
    hash: vi.fn<typeof actual.hash>(actual.hash),
    verify: vi.fn<typeof actual.verify>(actual.verify),
  };
});
vi.mock('node:crypto', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:crypto')>();
  return { ...actual, pbkdf2: vi.fn<typeof actual.pbkdf2>(actual.pbkdf2) };
});
const crypto = await import('node:crypto');

/** Exactly as Django's PBKDF2PasswordHasher.encode: UTF-8 password, the salt string's UTF-8 bytes, 32 bytes. */
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

// Published by Django itself: tests/auth_tests/test_hashers.py, TestUtilsHashPass.test_pbkdf2 and
// TestUtilsHashPassArgon2.test_argon2_version_upgrade (django/django, read at commit 02dbf1667c6d).
const DJANGO_PBKDF2_VECTOR = {
  password: 'lètmein',
  encoded:
    'pbkdf2_sha256$390000$seasalt$8xBlGd3jVgvJ+92hWPxi5ww0uuAuAnKgC45eudxro7c=',
};
const DJANGO_ARGON2_VECTOR = {
  password: 'secret',
  encoded:
    '$argon2id$v=19$m=102400,t=2,p=8$Y041dExhNkljRUUy$TMa6A8fPJhCAUXRhJXCXdw',
};

const PASSWORD = 'correct horse battery staple';

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

describe('CredentialsService (real MongoDB, real hashing)', () => {
  let t: TestApp;
  let credentials: CredentialsService;
  let admin: UserAdminService;
  let model: Model<UserDocument>;

  async function insertRaw(
    username: string,
    fields: Partial<UserDocument>,
  ): Promise<string> {
    const doc = await model.create({
      username,
      usernameNormalized: username.toLowerCase(),
      active: true,
      ...fields,
    });
    return doc._id.toHexString();
  }

  async function storedHash(username: string): Promise<string | undefined> {
    const doc = await model
      .findOne({ usernameNormalized: username.toLowerCase() })
      .lean();
    return doc?.passwordHash;
  }

  beforeAll(async () => {
    // Policy t=3, so an argon2id hash with t=2 (still the floor) counts as below policy.
    t = await createTestApp({
      label: 'credentials',
      env: { ARGON2_TIME_COST: '3' },
    });
    credentials = t.app.get(CredentialsService);
    admin = t.app.get(UserAdminService);
    model = t.app.get(getModelToken(USER_MODEL));
    await admin.create({
      username: 'Alice',
      password: PASSWORD,
      email: 'alice@example.org',
      displayName: 'Alice A.',
    });
    const dave = await admin.create({ username: 'dave', password: PASSWORD });
    await admin.setActive(dave.username, false);
    await insertRaw('nopass', {});
  });
  afterAll(async () => {
    await t?.close();
  });
  afterEach(() => {
    vi.mocked(argon2.verify).mockClear();
    vi.mocked(argon2.hash).mockClear();
    vi.mocked(crypto.pbkdf2).mockClear();
  });

  it('should return the active user whose password matches, without any hash', async () => {
    const user = await credentials.verify('  ALICE ', PASSWORD);
    expect(user).toEqual({
      id: expect.stringMatching(/^[0-9a-f]{24}$/),
      username: 'Alice',
      email: 'alice@example.org',
      displayName: 'Alice A.',
      source: 'local',
    });
    const doc = await model.findById(user!.id).lean();
    expect(doc?.lastLoginAt).toBeInstanceOf(Date);
  });

  it('should store new passwords as argon2id at the configured costs with a 16-byte salt', async () => {
    const stored = await storedHash('alice');
    expect(stored).toMatch(
      /^\$argon2id\$v=19\$m=19456,t=3,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/,
    );
  });

  it('should answer null alike for unknown, wrong-password, disabled, password-less and empty-password attempts', async () => {
    expect(await credentials.verify('nobody', PASSWORD)).toBeNull();
    expect(await credentials.verify('alice', 'wrong password')).toBeNull();
    expect(await credentials.verify('dave', PASSWORD)).toBeNull();
    expect(await credentials.verify('nopass', PASSWORD)).toBeNull();
    expect(await credentials.verify('alice', '')).toBeNull();
    expect(await credentials.verify('', '')).toBeNull();
    expect(await credentials.verify('bad\u0000name', PASSWORD)).toBeNull();
  });

  it('should spend exactly one argon2 verification on each failure case, and no PBKDF2', async () => {
    const cases: [string, string][] = [
      ['nobody', PASSWORD],
      ['alice', 'wrong password'],
      ['dave', PASSWORD],
      ['nopass', PASSWORD],
      ['alice', ''],
      ['nobody', ''],
      ['invalid name', PASSWORD],
    ];
    for (const [username, password] of cases) {
      vi.mocked(argon2.verify).mockClear();
      expect(await credentials.verify(username, password)).toBeNull();
      expect({
        username,
        verifies: vi.mocked(argon2.verify).mock.calls.length,
      }).toEqual({ username, verifies: 1 });
      expect(argon2.hash).not.toHaveBeenCalled();
    }
    expect(crypto.pbkdf2).not.toHaveBeenCalled();
  });

  it('should take similar time for the four failure cases (medians, interleaved)', async () => {
    const cases: Record<string, [string, string]> = {
      unknown: ['nobody', PASSWORD],
      wrongPassword: ['alice', 'wrong password'],
      disabled: ['dave', PASSWORD],
      passwordless: ['nopass', PASSWORD],
    };
    const samples: Record<string, number[]> = Object.fromEntries(
      Object.keys(cases).map((k) => [k, []]),
    );
    for (let round = 0; round < 9; round += 1) {
      for (const [name, [username, password]] of Object.entries(cases)) {
        const started = performance.now();
        await credentials.verify(username, password);
        samples[name].push(performance.now() - started);
      }
    }
    const reference = median(samples.wrongPassword);
    for (const [name, values] of Object.entries(samples)) {
      // Loose on purpose (shared CI cores): a skipped hash would be ~20x faster, not 2x.
      const ratio = median(values) / reference;
      expect({ name, tooFast: ratio < 0.4, tooSlow: ratio > 2.5 }).toEqual({
        name,
        tooFast: false,
        tooSlow: false,
      });
    }
  });

  it('should accept a Django pbkdf2_sha256 hash and rehash it to argon2id on the first successful login', async () => {
    const encoded = djangoPbkdf2('pässword-Ω', 'Jx8p1uJ4oYkq7mEoQwYbN3', 1000);
    await insertRaw('migrant', {
      passwordHash: encoded,
      email: 'm@example.org',
    });

    expect(await credentials.verify('migrant', 'wrong')).toBeNull();
    expect(await storedHash('migrant')).toBe(encoded);

    vi.mocked(crypto.pbkdf2).mockClear();
    const user = await credentials.verify('Migrant', 'pässword-Ω');
    expect(user?.username).toBe('migrant');
    expect(crypto.pbkdf2).toHaveBeenCalledTimes(1);
    const rehashed = await storedHash('migrant');
    expect(rehashed).toMatch(/^\$argon2id\$v=19\$m=19456,t=3,p=1\$/);
    expect(await argon2.verify(rehashed!, 'pässword-Ω')).toBe(true);

    // From now on: argon2 only, and no further rehash.
    vi.mocked(crypto.pbkdf2).mockClear();
    vi.mocked(argon2.hash).mockClear();
    expect(await credentials.verify('migrant', 'pässword-Ω')).not.toBeNull();
    expect(crypto.pbkdf2).not.toHaveBeenCalled();
    expect(argon2.hash).not.toHaveBeenCalled();
    expect(await storedHash('migrant')).toBe(rehashed);
  });

  it('should verify the hash Django itself published for "lètmein" and rehash it', async () => {
    await insertRaw('djangovector', {
      passwordHash: DJANGO_PBKDF2_VECTOR.encoded,
    });
    expect(await credentials.verify('djangovector', 'lètmeinz')).toBeNull();
    expect(await credentials.verify('djangovector', 'letmein')).toBeNull();
    expect(
      await credentials.verify('djangovector', DJANGO_PBKDF2_VECTOR.password),
    ).not.toBeNull();
    expect(await storedHash('djangovector')).toMatch(
      /^\$argon2id\$v=19\$m=19456,t=3,p=1\$/,
    );
  });

  it('should verify an argon2id hash Django published, and rehash it because its output is 16 bytes', async () => {
    await insertRaw('djangoargon', {
      passwordHash: DJANGO_ARGON2_VECTOR.encoded,
    });
    expect(
      await credentials.verify('djangoargon', DJANGO_ARGON2_VECTOR.password),
    ).not.toBeNull();
    expect(await storedHash('djangoargon')).toMatch(
      /^\$argon2id\$v=19\$m=19456,t=3,p=1\$[^$]{22}\$[^$]{43}$/,
    );
  });

  it('should rehash an argon2id hash below the configured costs, and keep one at or above them', async () => {
    const weak = await argon2.hash(PASSWORD, {
      memoryCost: 19456,
      timeCost: 2,
      parallelism: 1,
    });
    const strong = await argon2.hash(PASSWORD, {
      memoryCost: 20480,
      timeCost: 3,
      parallelism: 2,
    });
    await insertRaw('weakling', { passwordHash: weak });
    await insertRaw('strongling', { passwordHash: strong });

    expect(await credentials.verify('weakling', PASSWORD)).not.toBeNull();
    expect(await storedHash('weakling')).toMatch(
      /^\$argon2id\$v=19\$m=19456,t=3,p=1\$/,
    );
    expect(await credentials.verify('strongling', PASSWORD)).not.toBeNull();
    expect(await storedHash('strongling')).toBe(strong);
  });

  it('should refuse hostile stored parameters quickly with the generic answer', async () => {
    const salt = 'c29tZXNhbHRzb21lc2FsdA';
    const hash = 'aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g';
    await insertRaw('hostile1', {
      passwordHash: `$argon2id$v=19$m=4194304,t=100,p=64$${salt}$${hash}`,
    });
    await insertRaw('hostile2', {
      passwordHash: `$argon2id$v=19$m=2097152,t=1,p=1$${salt}$${hash}`,
    });
    await insertRaw('hostile3', {
      passwordHash:
        'pbkdf2_sha256$100000000$salt$8xBlGd3jVgvJ+92hWPxi5ww0uuAuAnKgC45eudxro7c=',
    });
    await insertRaw('hostile4', {
      passwordHash:
        '$2b$31$abcdefghijklmnopqrstuuSomeBcryptLookingHashValue12345',
    });
    for (const username of ['hostile1', 'hostile2', 'hostile3', 'hostile4']) {
      vi.mocked(argon2.verify).mockClear();
      const started = performance.now();
      expect(await credentials.verify(username, PASSWORD)).toBeNull();
      const elapsed = performance.now() - started;
      expect({ username, fast: elapsed < 1000 }).toEqual({
        username,
        fast: true,
      });
      // The dummy hash (the configured costs) was verified instead, nothing bigger.
      expect(vi.mocked(argon2.verify).mock.calls).toHaveLength(1);
      expect(vi.mocked(argon2.verify).mock.calls[0][0]).toMatch(
        /^\$argon2id\$v=19\$m=19456,t=3,p=1\$/,
      );
    }
    expect(crypto.pbkdf2).not.toHaveBeenCalled();
  });

  it('should refuse oversized input before any lookup or hashing', async () => {
    const started = performance.now();
    expect(await credentials.verify('alice', 'x'.repeat(257))).toBeNull();
    expect(await credentials.verify('alice', 'é'.repeat(129))).toBeNull();
    expect(await credentials.verify('alice', 'x'.repeat(1_000_000))).toBeNull();
    expect(await credentials.verify('a'.repeat(10_000), PASSWORD)).toBeNull();
    expect(performance.now() - started).toBeLessThan(100);
    expect(argon2.verify).not.toHaveBeenCalled();
    // 256 bytes is still a password.
    expect(await credentials.verify('alice', 'x'.repeat(256))).toBeNull();
    expect(argon2.verify).toHaveBeenCalledTimes(1);
  });

  it('should refuse values that are not strings (type confusion from a parsed body)', async () => {
    expect(
      await credentials.verify({ $ne: null } as unknown as string, PASSWORD),
    ).toBeNull();
    expect(
      await credentials.verify('alice', { $gt: '' } as unknown as string),
    ).toBeNull();
    expect(
      await credentials.verify(['alice'] as unknown as string, PASSWORD),
    ).toBeNull();
  });

  it('should compare passwords exactly as typed', async () => {
    expect(await credentials.verify('alice', ` ${PASSWORD}`)).toBeNull();
    expect(
      await credentials.verify('alice', PASSWORD.toUpperCase()),
    ).toBeNull();
    expect(await credentials.verify('alice', PASSWORD)).not.toBeNull();
  });
});

describe('CredentialsService during a MongoDB outage', () => {
  it('should throw UserStoreUnavailableError rather than answer null', async () => {
    const { uri } = freshDatabaseUri('cred_outage');
    const proxy = await TcpProxy.start(mongoHostPort(uri));
    const t = await createTestApp({
      env: {
        MONGODB_URI: withMongoHost(uri, proxy.address),
        MONGO_SERVER_SELECTION_TIMEOUT: '500ms',
      },
    });
    try {
      const credentials = t.app.get(CredentialsService);
      await t.app
        .get(UserAdminService)
        .create({ username: 'carol', password: PASSWORD });
      expect(await credentials.verify('carol', PASSWORD)).not.toBeNull();
      await proxy.down();
      const started = Date.now();
      await expect(
        credentials.verify('carol', PASSWORD),
      ).rejects.toBeInstanceOf(UserStoreUnavailableError);
      await expect(
        credentials.verify('nobody', PASSWORD),
      ).rejects.toBeInstanceOf(UserStoreUnavailableError);
      expect(Date.now() - started).toBeLessThan(5000);
    } finally {
      await t.close();
      await proxy.close();
    }
  });
});
