import { getModelToken } from '@nestjs/mongoose';
import type { Model } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsersRepository } from '../../src/users/users.repository.js';
import { UsernameTakenError } from '../../src/users/users.errors.js';
import { USER_MODEL, type UserDocument } from '../../src/users/user.schema.js';
import { createTestApp, type TestApp } from '../support/app.js';

function newUser(username: string, key = username.toLowerCase()) {
  return {
    username,
    usernameNormalized: key,
    email: `${key}@example.org`,
    displayName: `Name of ${username}`,
    active: true,
    passwordHash:
      '$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g',
  };
}

describe('UsersRepository (real MongoDB)', () => {
  let t: TestApp;
  let users: UsersRepository;
  let model: Model<UserDocument>;

  beforeAll(async () => {
    t = await createTestApp({ label: 'users_repo' });
    users = t.app.get(UsersRepository);
    model = t.app.get(getModelToken(USER_MODEL));
  });
  afterAll(async () => {
    await t?.close();
  });

  it('should store users in the prefixed collection with a unique index on the normalised username', async () => {
    expect(model.collection.collectionName).toBe('bridge_users');
    const indexes = await model.collection.indexes();
    const unique = indexes.find((i) => i.key.usernameNormalized === 1);
    expect(unique?.unique).toBe(true);
  });

  it('should refuse a second user whose username differs only in case, through the unique index', async () => {
    await users.create(newUser('Mallory'));
    // Straight to the model too: the index itself refuses, not a read-before-write check.
    await expect(
      users.create(newUser('MALLORY', 'mallory')),
    ).rejects.toBeInstanceOf(UsernameTakenError);
    await expect(
      model.create({ ...newUser('mallory'), usernameNormalized: 'mallory' }),
    ).rejects.toMatchObject({ code: 11000 });
  });

  it('should let exactly one of two racing creates of the same name win', async () => {
    const results = await Promise.allSettled([
      users.create(newUser('Racer')),
      users.create(newUser('racer')),
      users.create(newUser('RACER', 'racer')),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const failures = results.filter((r) => r.status === 'rejected');
    expect(failures).toHaveLength(2);
    for (const failure of failures) {
      expect(failure.reason).toBeInstanceOf(UsernameTakenError);
    }
  });

  it('should find users by a normalised username and by id, never returning the hash', async () => {
    const created = await users.create(newUser('Zoë', 'zoë'));
    const found = await users.findByUsername('  ZOË ');
    expect(found).toMatchObject({
      id: created.id,
      username: 'Zoë',
      active: true,
      hasPassword: true,
    });
    expect(Object.keys(found!)).not.toContain('passwordHash');
    expect(JSON.stringify(found)).not.toContain('argon2');
    expect(await users.findById(created.id)).toEqual(found);
    expect(await users.findById('not-an-id')).toBeNull();
    expect(await users.findById('0123456789abcdef01234567')).toBeNull();
    expect(await users.findByUsername('nobody')).toBeNull();
    expect(await users.findByUsername('bad name')).toBeNull();
  });

  it('should treat an operator-like username as a plain string', async () => {
    // A typed string equality: nothing reaches MongoDB as a query operator.
    expect(
      await users.findByUsername({ $ne: null } as unknown as string),
    ).toBeNull();
    expect(await users.findForLogin('$where')).toBeNull();
  });

  it('should set passwords, stamp passwordChangedAt, and replace a hash only if it is unchanged', async () => {
    const user = await users.create(newUser('Hasher'));
    const before = (await model.findById(user.id).lean())!;
    expect(await users.setPassword(user.id, 'new-hash-1')).toBe(true);
    const after = (await model.findById(user.id).lean())!;
    expect(after.passwordHash).toBe('new-hash-1');
    expect(after.passwordChangedAt!.getTime()).toBeGreaterThanOrEqual(
      before.passwordChangedAt!.getTime(),
    );

    expect(
      await users.replacePasswordHash(user.id, 'stale', 'new-hash-2'),
    ).toBe(false);
    expect(
      await users.replacePasswordHash(user.id, 'new-hash-1', 'new-hash-2'),
    ).toBe(true);
    const rehashed = (await model.findById(user.id).lean())!;
    expect(rehashed.passwordHash).toBe('new-hash-2');
    expect(rehashed.passwordChangedAt).toEqual(after.passwordChangedAt);
  });

  it('should enable, disable, touch the last login and list users by username', async () => {
    const user = await users.create(newUser('Lister'));
    expect(await users.setActive(user.id, false)).toBe(true);
    expect((await users.findById(user.id))?.active).toBe(false);
    const at = new Date('2026-01-02T03:04:05.000Z');
    await users.touchLastLogin(user.id, at);
    expect((await users.findById(user.id))?.lastLoginAt).toEqual(at);

    const listed = await users.list();
    const names = listed.map((u) => u.usernameNormalized);
    expect(names).toEqual([...names].sort());
    expect(names).toContain('lister');
    expect(JSON.stringify(listed)).not.toContain('$argon2');
  });

  it('should report which normalised keys exist already', async () => {
    await users.create(newUser('Existing'));
    const taken = await users.existingKeys(['existing', 'absent', 'mallory']);
    expect([...taken].sort()).toEqual(['existing', 'mallory']);
  });
});
