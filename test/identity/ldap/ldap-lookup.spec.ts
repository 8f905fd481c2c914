import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LdapConfigurationError } from '../../../src/identity/ldap/index.js';
import {
  BASE_DN,
  GROUPS_DN,
  PEOPLE_DN,
  personDn,
  startTestDirectory,
  type TestDirectory,
} from '../../support/slapd.js';
import {
  directoryEnv,
  ldapFromEnv,
  type LdapUnderTest,
} from './ldap-harness.js';

const CHAT = `cn=chat,${GROUPS_DN}`;

let d: TestDirectory;
let ldap: LdapUnderTest;

beforeAll(async () => {
  d = await startTestDirectory();
  ldap = ldapFromEnv(directoryEnv(d, { LDAP_REQUIRED_GROUP: CHAT }));
});

afterAll(async () => {
  await ldap?.close();
  await d?.dispose();
});

/** Signs a new person in (member of chat) and returns their stable id, as a session would keep it. */
async function signedIn(uid: string): Promise<string> {
  await d.addPerson(uid, `${uid}-pw-1`, { mail: `${uid}@example.org` });
  await d.addMember('chat', personDn(uid));
  const result = await ldap.auth.login(uid, `${uid}-pw-1`);
  if (!result.ok) {
    throw new Error(`sign-in of ${uid} failed: ${result.refusal}`);
  }
  return result.person.externalId;
}

describe('LDAP re-check (lookup)', () => {
  it('should find a person who is fine, by stable id or by name, with current groups', async () => {
    const id = await signedIn('erin');
    const byId = await ldap.auth.lookup({ externalId: id });
    expect(byId).toEqual({
      status: 'active',
      dn: personDn('erin'),
      person: {
        source: { kind: 'ldap', id: 'ldap' },
        externalId: id,
        username: 'erin',
        email: 'erin@example.org',
        emailVerified: true,
        displayName: 'erin',
        groups: [CHAT],
      },
    });
    expect(await ldap.auth.lookup({ username: 'erin' })).toEqual(byId);
    await d.addMember('staff', personDn('erin'));
    expect(await ldap.auth.lookup({ externalId: id })).toMatchObject({
      person: {
        groups: expect.arrayContaining([CHAT, `cn=staff,${GROUPS_DN}`]),
      },
    });
  });

  it('should report a person disabled by an administrator, and active again once unlocked', async () => {
    const id = await signedIn('frank');
    await d.setLocked(personDn('frank'), true);
    expect(await ldap.auth.lookup({ externalId: id })).toMatchObject({
      status: 'disabled',
      dn: personDn('frank'),
    });
    expect(await ldap.auth.login('frank', 'frank-pw-1')).toMatchObject({
      ok: false,
      refusal: 'disabled',
    });
    await d.setLocked(personDn('frank'), false);
    expect(await ldap.auth.lookup({ externalId: id })).toMatchObject({
      status: 'active',
    });
  });

  it('should report a person moved out of the required group', async () => {
    const id = await signedIn('grace');
    await d.removeMember('chat', personDn('grace'));
    expect(await ldap.auth.lookup({ externalId: id })).toMatchObject({
      status: 'not-in-group',
      person: { username: 'grace', groups: [] },
    });
  });

  it('should report a removed person as gone', async () => {
    const id = await signedIn('heidi');
    await d.removeEntry(personDn('heidi'));
    expect(await ldap.auth.lookup({ externalId: id })).toEqual({
      status: 'gone',
    });
    expect(await ldap.auth.lookup({ username: 'heidi' })).toEqual({
      status: 'gone',
    });
  });

  it('should follow a person moved within the search base, and count one moved out of it as gone', async () => {
    const id = await signedIn('ivan');
    const moved = await d.move(personDn('ivan'), `ou=contractors,${PEOPLE_DN}`);
    // refint kept the group membership pointing at the new DN
    expect(await ldap.auth.lookup({ externalId: id })).toMatchObject({
      status: 'active',
      dn: moved,
    });
    await d.move(moved, `ou=former,${BASE_DN}`);
    expect(await ldap.auth.lookup({ externalId: id })).toEqual({
      status: 'gone',
    });
  });

  it('should not take a new entry with the same name for the person who left', async () => {
    const id = await signedIn('judy');
    await d.removeEntry(personDn('judy'));
    await signedIn('judy');
    expect(await ldap.auth.lookup({ externalId: id })).toEqual({
      status: 'gone',
    });
    expect(await ldap.auth.lookup({ username: 'judy' })).toMatchObject({
      status: 'active',
    });
  });

  it('should treat an id that cannot exist as gone and a name that matches twice as a configuration error', async () => {
    expect(await ldap.auth.lookup({ externalId: '*' })).toEqual({
      status: 'gone',
    });
    expect(
      await ldap.auth.lookup({
        externalId: '00000000-0000-0000-0000-000000000000',
      }),
    ).toEqual({ status: 'gone' });
    await expect(ldap.auth.lookup({ username: 'twin' })).rejects.toBeInstanceOf(
      LdapConfigurationError,
    );
  });
});
