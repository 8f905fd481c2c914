import { describe, expect, it } from 'vitest';
import { ImportFileError, planDjangoImport } from './django-dump.js';

const PBKDF2 =
  'pbkdf2_sha256$390000$seasalt$8xBlGd3jVgvJ+92hWPxi5ww0uuAuAnKgC45eudxro7c=';

function user(
  pk: number,
  fields: Record<string, unknown>,
): Record<string, unknown> {
  return {
    model: 'auth.user',
    pk,
    fields: {
      password: PBKDF2,
      last_login: null,
      is_superuser: false,
      username: `user${pk}`,
      first_name: '',
      last_name: '',
      email: '',
      is_staff: false,
      is_active: true,
      date_joined: '2023-05-30T18:16:55.615Z',
      groups: [],
      user_permissions: [],
      ...fields,
    },
  };
}

function plan(records: unknown[]) {
  return planDjangoImport(
    JSON.stringify(records),
    'auth.user',
    new Date('2026-01-01T00:00:00Z'),
  );
}

describe('Django dumpdata import planning', () => {
  it('should map a dumpdata record to a bridge user, keeping the hash and the history', () => {
    const result = plan([
      user(7, {
        username: 'Ada',
        email: 'Ada@Example.ORG',
        first_name: 'Ada',
        last_name: 'Lovelace',
        last_login: '2024-02-03T04:05:06.123456+02:00',
        date_joined: '2020-01-01T10:00:00Z',
      }),
    ]);
    expect(result.problems).toEqual([]);
    expect(result.rows).toEqual([
      {
        row: 1,
        user: {
          username: 'Ada',
          usernameNormalized: 'ada',
          email: 'Ada@example.org',
          displayName: 'Ada Lovelace',
          active: true,
          passwordHash: PBKDF2,
          importedId: '7',
          createdAt: new Date('2020-01-01T10:00:00Z'),
          lastLoginAt: new Date('2024-02-03T02:05:06.123Z'),
        },
      },
    ]);
  });

  it('should carry the active flag, blank names and emails, and zone-less dates read as UTC', () => {
    const result = plan([
      user(1, {
        is_active: false,
        first_name: 'Solo',
        date_joined: '2021-06-01T08:30:00',
      }),
      user(2, {
        first_name: '',
        last_name: 'Last',
        date_joined: '2021-06-01 08:30',
        email: '   ',
      }),
    ]);
    expect(result.problems).toEqual([]);
    expect(
      result.rows.map((r) => [
        r.user.active,
        r.user.displayName,
        r.user.email,
        r.user.createdAt.toISOString(),
      ]),
    ).toEqual([
      [false, 'Solo', undefined, '2021-06-01T08:30:00.000Z'],
      [true, 'Last', undefined, '2021-06-01T08:30:00.000Z'],
    ]);
  });

  it('should report every bad row with its position, pk, username and all its reasons', () => {
    const result = plan([
      user(1, { username: 'good' }),
      user(2, {
        username: 'bcrypt',
        password:
          'bcrypt_sha256$$2b$12$abcdefghijklmnopqrstuuvwxyz0123456789ABCDEFGHIJKLM',
      }),
      user(3, {
        username: 'sso',
        password: '!Xk2mP9qR4sT7vW0yZ3bC6dF8gH1jL5nQ8rS2tU4w',
      }),
      user(4, { username: 'bad name', email: 'not-an-email' }),
      user(5, { username: 'Dup' }),
      user(6, { username: 'dup' }),
      user(7, { username: 'when', date_joined: 'yesterday', is_active: 'yes' }),
      { model: 'auth.user', pk: 8 },
      'garbage',
      user(10, { username: undefined }),
    ]);
    expect(result.total).toBe(10);
    expect(result.rows.map((r) => r.user.username)).toEqual(['good']);
    const byRow = Object.fromEntries(result.problems.map((p) => [p.row, p]));
    expect(Object.keys(byRow).map(Number)).toEqual([
      2, 3, 4, 5, 6, 7, 8, 9, 10,
    ]);
    expect(byRow[2]).toMatchObject({
      pk: '2',
      username: 'bcrypt',
      reasons: [
        expect.stringMatching(
          /unsupported password hash algorithm "bcrypt_sha256"/,
        ),
      ],
    });
    expect(byRow[3].reasons).toEqual([
      expect.stringMatching(/unusable password/),
    ]);
    expect(byRow[4].username).toBe('bad name');
    expect(byRow[4].reasons).toEqual([
      expect.stringMatching(/invalid username: it must not contain spaces/),
      expect.stringMatching(/invalid email/),
    ]);
    expect(byRow[5].reasons).toEqual([
      expect.stringMatching(/duplicate username: the same as row 6/),
    ]);
    expect(byRow[6].reasons).toEqual([
      expect.stringMatching(/duplicate username: the same as row 5/),
    ]);
    expect(byRow[7].reasons).toEqual([
      'is_active is not true or false',
      'date_joined is not a date',
    ]);
    expect(byRow[8].reasons).toEqual([
      expect.stringMatching(/not a dumpdata record/),
    ]);
    expect(byRow[9].reasons).toEqual([
      expect.stringMatching(/not a dumpdata record/),
    ]);
    expect(byRow[10].reasons).toEqual(['username is missing']);
    // No reason ever repeats a hash.
    expect(JSON.stringify(result.problems)).not.toMatch(
      /abcdefgh|Xk2mP9|seasalt/,
    );
  });

  it('should leave records of other models alone and count them', () => {
    const result = plan([
      { model: 'auth.group', pk: 1, fields: { name: 'staff' } },
      user(1, {}),
      { model: 'sessions.session', pk: 'x', fields: {} },
    ]);
    expect(result).toMatchObject({ total: 1, ignored: 2, problems: [] });
  });

  it('should read a custom user model when asked', () => {
    const records = [{ ...user(1, {}), model: 'accounts.user' }];
    expect(
      planDjangoImport(JSON.stringify(records), 'accounts.user').rows,
    ).toHaveLength(1);
    expect(planDjangoImport(JSON.stringify(records)).rows).toHaveLength(0);
  });

  it('should refuse a file that is not a dumpdata array', () => {
    expect(() => planDjangoImport('not json')).toThrow(ImportFileError);
    expect(() => planDjangoImport('{"model": "auth.user"}')).toThrow(
      /JSON array/,
    );
  });
});
