import { pbkdf2Sync } from 'node:crypto';
import { getModelToken } from '@nestjs/mongoose';
import type { Model } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { CredentialsService } from '../../src/users/credentials.service.js';
import {
  DjangoImportService,
  ImportWriteError,
} from '../../src/users/import/django-import.service.js';
import { UserAdminService } from '../../src/users/user-admin.service.js';
import { USER_MODEL, type UserDocument } from '../../src/users/user.schema.js';
import { UsersRepository } from '../../src/users/users.repository.js';
import { createTestApp, type TestApp } from '../support/app.js';

/** Exactly as Django's PBKDF2PasswordHasher.encode: UTF-8 password, the salt string's UTF-8 bytes, 32 bytes. */
function djangoPbkdf2(
  password: string,
  salt: string,
  iterations = 1000,
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

function dump(
  users: { username: string; password: string; email?: string }[],
): string {
  return JSON.stringify(
    users.map((u, i) => ({
      model: 'auth.user',
      pk: i + 1,
      fields: {
        password: u.password,
        last_login: null,
        is_superuser: false,
        username: u.username,
        first_name: 'First',
        last_name: `Last${i + 1}`,
        email: u.email ?? '',
        is_staff: false,
        is_active: true,
        date_joined: '2022-02-02T02:02:02.000Z',
        groups: [],
        user_permissions: [],
      },
    })),
  );
}

describe('Django import (real MongoDB)', () => {
  let t: TestApp;
  let importer: DjangoImportService;
  let credentials: CredentialsService;
  let repository: UsersRepository;
  let model: Model<UserDocument>;

  beforeAll(async () => {
    t = await createTestApp({ label: 'django_import' });
    importer = t.app.get(DjangoImportService);
    credentials = t.app.get(CredentialsService);
    repository = t.app.get(UsersRepository);
    model = t.app.get(getModelToken(USER_MODEL));
  });
  afterAll(async () => {
    await t?.close();
  });

  it('should import Django users whose known passwords then log in and are rehashed to argon2id', async () => {
    const plan = await importer.plan(
      dump([
        {
          username: 'Margaret',
          password: djangoPbkdf2(
            'apollo-11 guidance',
            'q1W2e3R4t5Y6u7I8o9P0aS',
          ),
        },
        // Django's own published vector (tests/auth_tests/test_hashers.py, test_pbkdf2): "lètmein".
        {
          username: 'vector',
          password:
            'pbkdf2_sha256$390000$seasalt$8xBlGd3jVgvJ+92hWPxi5ww0uuAuAnKgC45eudxro7c=',
        },
      ]),
    );
    expect(plan.problems).toEqual([]);
    const result = await importer.apply(plan);
    expect(result.written).toBe(2);

    const stored = await model
      .findOne({ usernameNormalized: 'margaret' })
      .lean();
    expect(stored).toMatchObject({
      username: 'Margaret',
      displayName: 'First Last1',
      importBatch: result.batch,
      importedId: '1',
      createdAt: new Date('2022-02-02T02:02:02.000Z'),
    });
    expect(stored?.passwordHash).toMatch(/^pbkdf2_sha256\$1000\$/);

    expect(await credentials.verify('margaret', 'wrong')).toBeNull();
    expect(
      await credentials.verify('margaret', 'apollo-11 guidance'),
    ).toMatchObject({ username: 'Margaret' });
    expect(await credentials.verify('vector', 'lètmein')).toMatchObject({
      username: 'vector',
    });
    for (const key of ['margaret', 'vector']) {
      const doc = await model.findOne({ usernameNormalized: key }).lean();
      expect(doc?.passwordHash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
      expect(doc?.lastLoginAt).toBeInstanceOf(Date);
    }
    expect(
      await credentials.verify('margaret', 'apollo-11 guidance'),
    ).not.toBeNull();
  });

  it('should report users that exist already and write nothing for them', async () => {
    await t.app
      .get(UserAdminService)
      .create({ username: 'existing', password: 'existing-password' });
    const plan = await importer.plan(
      dump([
        { username: 'EXISTING', password: djangoPbkdf2('x', 'salt1') },
        { username: 'fresh', password: djangoPbkdf2('x', 'salt2') },
      ]),
    );
    expect(plan.rows.map((r) => r.user.username)).toEqual(['fresh']);
    expect(plan.problems).toEqual([
      {
        row: 1,
        pk: '1',
        username: 'EXISTING',
        reasons: ['a bridge user with this username exists already'],
      },
    ]);
  });

  it('should leave nothing behind when a write fails midway (a username taken after validation)', async () => {
    const names = ['m1', 'm2', 'm3', 'm4', 'm5'];
    const plan = await importer.plan(
      dump(
        names.map((username) => ({
          username,
          password: djangoPbkdf2('pw', `s-${username}`),
        })),
      ),
    );
    expect(plan.rows).toHaveLength(5);
    // Someone creates "M4" between validation and write: the unique index stops the third chunk,
    // after m1-m3 were written in chunks of two.
    const intruder = await t.app
      .get(UserAdminService)
      .create({ username: 'M4', password: 'intruder-password' });
    const cleanup = vi.spyOn(repository, 'deleteImportBatch');

    const error = await importer.apply(plan, 2).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ImportWriteError);
    expect((error as ImportWriteError).leftBehind).toBe(false);
    expect((error as ImportWriteError).message).toMatch(
      /A user named "m4" already exists.*nothing was imported/,
    );
    // m1-m3 had been written (two chunks) and were removed again.
    expect(cleanup).toHaveBeenCalledTimes(1);
    await expect(cleanup.mock.results[0].value).resolves.toBe(3);

    const batch = (error as ImportWriteError).batch;
    expect(await repository.countImportBatch(batch)).toBe(0);
    for (const name of ['m1', 'm2', 'm3', 'm5']) {
      expect(await repository.findByUsername(name)).toBeNull();
    }
    expect(await repository.findById(intruder.id)).toMatchObject({
      username: 'M4',
    });
  });

  it('should retry the clean-up, and name the batch to undo when it cannot remove it', async () => {
    const plan = await importer.plan(
      dump([
        { username: 'r1', password: djangoPbkdf2('pw', 's1') },
        { username: 'r2', password: djangoPbkdf2('pw', 's2') },
      ]),
    );
    await t.app
      .get(UserAdminService)
      .create({ username: 'r2', password: 'intruder-password' });
    // The clean-up itself fails every time (MongoDB gone in the meantime).
    const cleanup = vi
      .spyOn(repository, 'deleteImportBatch')
      .mockRejectedValue(new Error('connection lost'));

    const error = (await importer
      .apply(plan, 1)
      .catch((e: unknown) => e)) as ImportWriteError;
    expect(error).toBeInstanceOf(ImportWriteError);
    expect(error.leftBehind).toBe(true);
    expect(error.message).toContain(
      `rc-bridge users undo-import ${error.batch}`,
    );
    expect(cleanup.mock.calls.length).toBeGreaterThan(1);
    expect(await repository.countImportBatch(error.batch)).toBe(1);

    cleanup.mockRestore();
    expect(await importer.undo(error.batch)).toBe(1);
    expect(await repository.findByUsername('r1')).toBeNull();
    expect(await repository.findByUsername('r2')).not.toBeNull();
  });
});
