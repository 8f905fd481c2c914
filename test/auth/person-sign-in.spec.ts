import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PersonSignIn, SignInRefusedError } from '../../src/auth/index.js';
import type { AuthenticatedPerson } from '../../src/identity/index.js';
import {
  UserIdentitiesRepository,
  UsersRepository,
} from '../../src/users/index.js';
import { createTestApp, type TestApp } from '../support/app.js';

const HASH =
  '$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g';

function person(
  overrides: Partial<AuthenticatedPerson> = {},
): AuthenticatedPerson {
  return {
    source: { kind: 'oidc', id: 'default' },
    externalId: 'sub-1',
    username: 'dora',
    email: 'dora@example.org',
    emailVerified: true,
    displayName: 'Dora',
    groups: ['staff'],
    ...overrides,
  };
}

describe('PersonSignIn: identity-source people become bridge users (real MongoDB)', () => {
  let t: TestApp;
  let signIn: PersonSignIn;
  let users: UsersRepository;
  let identities: UserIdentitiesRepository;

  beforeAll(async () => {
    t = await createTestApp({ label: 'person_sign_in' });
    signIn = t.app.get(PersonSignIn);
    users = t.app.get(UsersRepository);
    identities = t.app.get(UserIdentitiesRepository);
  });
  afterAll(async () => {
    await t?.close();
  });

  async function local(username: string, email?: string) {
    return users.create({
      username,
      usernameNormalized: username.toLowerCase(),
      email,
      active: true,
      passwordHash: HASH,
    });
  }

  it('should create a bridge user without a password at the first sign-in, and find the same one by (source, id) later', async () => {
    const first = await signIn.resolve(person());
    expect(first).toMatchObject({
      username: 'dora',
      source: 'oidc:default',
      externalId: 'sub-1',
      hasPassword: false,
      groups: ['staff'],
    });
    // Renamed at the provider: still the same bridge user, with the source's new profile.
    const again = await signIn.resolve(
      person({
        username: 'dora.renamed',
        displayName: 'Dora R.',
        email: undefined,
        groups: ['staff', 'admins'],
      }),
    );
    expect(again.id).toBe(first.id);
    expect(again).toMatchObject({
      username: 'dora',
      displayName: 'Dora R.',
      email: undefined,
      groups: ['staff', 'admins'],
    });
  });

  it('should keep the same sub at two providers apart', async () => {
    const a = await signIn.resolve(
      person({
        source: { kind: 'oidc', id: 'a' },
        externalId: 'x',
        username: 'xa',
      }),
    );
    const b = await signIn.resolve(
      person({
        source: { kind: 'oidc', id: 'b' },
        externalId: 'x',
        username: 'xb',
      }),
    );
    expect(a.id).not.toBe(b.id);
  });

  it('should refuse a user name a local user holds, unless the policy links by user name', async () => {
    const erin = await local('Erin');
    const attempt = signIn.resolve(
      person({ externalId: 'sub-erin', username: 'erin', email: undefined }),
    );
    await expect(attempt).rejects.toBeInstanceOf(SignInRefusedError);
    await expect(attempt).rejects.toMatchObject({ reason: 'username-taken' });
    const linked = await signIn.resolve(
      person({ externalId: 'sub-erin', username: 'erin', email: undefined }),
      { byUsername: true, byEmail: false },
    );
    expect(linked.id).toBe(erin.id);
    expect(linked.source).toBe('oidc:default');
    // Linked once: another provider's person with that name is not given the same account.
    await expect(
      signIn.resolve(
        person({
          source: { kind: 'ldap', id: 'ldap' },
          externalId: 'e',
          username: 'erin',
        }),
        { byUsername: true, byEmail: false },
      ),
    ).rejects.toMatchObject({ reason: 'username-taken' });
  });

  it('should link by e-mail only when the source verified the address and the policy allows it', async () => {
    const fay = await local('fay', 'fay@example.org');
    const unverified = person({
      externalId: 'sub-fay',
      username: 'fay',
      email: 'fay@example.org',
      emailVerified: false,
    });
    await expect(
      signIn.resolve(unverified, { byUsername: false, byEmail: true }),
    ).rejects.toMatchObject({ reason: 'username-taken' });
    await expect(
      signIn.resolve({ ...unverified, emailVerified: true }),
    ).rejects.toMatchObject({ reason: 'username-taken' });
    const linked = await signIn.resolve(
      { ...unverified, emailVerified: true, username: 'fay.at.idp' },
      { byUsername: false, byEmail: true },
    );
    expect(linked.id).toBe(fay.id);
  });

  it('should refuse a disabled bridge user whatever the source says', async () => {
    const user = await signIn.resolve(
      person({ externalId: 'sub-gil', username: 'gil' }),
    );
    await users.setActive(user.id, false);
    await expect(
      signIn.resolve(person({ externalId: 'sub-gil', username: 'gil' })),
    ).rejects.toMatchObject({ reason: 'disabled' });
  });

  it('should refuse a user name that cannot be a bridge user name, creating nothing', async () => {
    await expect(
      signIn.resolve(person({ externalId: 'sub-bad', username: 'has space' })),
    ).rejects.toMatchObject({ reason: 'invalid-username' });
    expect(
      await identities.findByExternal('oidc:default', 'sub-bad'),
    ).toBeNull();
  });

  it('should create one user when the same person signs in twice at once', async () => {
    const results = await Promise.all(
      [1, 2, 3].map(() =>
        signIn.resolve(person({ externalId: 'sub-race', username: 'racer' })),
      ),
    );
    expect(new Set(results.map((u) => u.id)).size).toBe(1);
  });
});
