import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UserIdentitiesRepository } from '../../src/users/index.js';
import { callApiUrl } from '../rocketchat/harness.js';
import type { TestAccount } from '../support/oidc-provider.js';
import { OidcBrowser, startOidcApp, type OidcApp } from './oidc-app-fixture.js';

/** GROUP_MAPPINGS: a Keycloak-style group for OpenID Connect people only, and two others. */
const RULES = [
  {
    name: 'ops',
    group: '/ops',
    sources: ['oidc'],
    roles: ['Ops'],
    channels: ['ops'],
  },
  { name: 'ops-local', group: '/ops', sources: ['local'], channels: ['desk'] },
  { name: 'staff', group: 'staff', roles: ['Staff'], channels: ['staff-room'] },
];

const DORA: TestAccount = {
  sub: 'dora-0010',
  claims: {
    preferred_username: 'dora',
    email: 'dora@example.org',
    email_verified: true,
    groups: ['/ops', 'unmapped'],
  },
};

describe('Group mappings for the OpenID Connect groups claim, end to end (real provider, emulated Rocket.Chat)', () => {
  let t: OidcApp;
  const rooms: Record<string, string> = {};
  const roleIds: Record<string, string> = {};

  beforeAll(async () => {
    t = await startOidcApp({
      label: 'oidc_groups',
      accounts: [DORA],
      env: { GROUP_MAPPINGS: JSON.stringify(RULES) },
    });
    for (const name of ['ops', 'desk', 'staff-room']) {
      rooms[name] = (await t.rc.control.createChannel({ name })).roomId;
    }
    roleIds.Ops = t.rc.control.createRole('Ops');
    roleIds.Staff = t.rc.control.createRole('Staff');
  });
  afterAll(async () => {
    await t?.close();
  });

  /** A fresh browser signs in at the provider, then Rocket.Chat's client calls the API URL. */
  async function signInAndMint(sub: string): Promise<string> {
    const browser = new OidcBrowser(t);
    expect((await browser.signIn(sub)).statusCode).toBe(303);
    const answer = await callApiUrl(t.app, browser.bridge, t.rc.origin);
    expect(answer.statusCode).toBe(200);
    const check = await t.rc.control.checkToken(
      answer.json<{ loginToken: string }>().loginToken,
    );
    expect(check.valid).toBe(true);
    return check.userId!;
  }

  const roles = async (id: string) =>
    (await t.rc.control.getUser(id))?.roles ?? [];
  const member = (room: string, id: string) =>
    t.rc.control.isMember(rooms[room], id);

  it('should grant the role and channel of a groups claim at sign-in, and at a sign-in without that group withdraw them, keeping what the bridge did not grant', async () => {
    const rcUserId = await signInAndMint(DORA.sub);
    const user = await t.app
      .get(UserIdentitiesRepository)
      .findByExternal('oidc:default', DORA.sub);
    expect(user?.groups).toEqual(['/ops', 'unmapped']);
    // Applied in the background, after the token.
    await expect.poll(() => roles(rcUserId)).toContain(roleIds.Ops);
    await expect.poll(() => member('ops', rcUserId)).toBe(true);
    // The rule for local users of the same group does not reach her.
    expect(await member('desk', rcUserId)).toBe(false);

    // By hand in Rocket.Chat: the room and role of another rule.
    await t.rc.control.addMember(rooms['staff-room'], rcUserId);
    await t.rc.control.updateUser(rcUserId, {
      roles: [...(await roles(rcUserId)), roleIds.Staff],
    });

    // The provider no longer lists her in /ops; she signs in again.
    t.provider.setClaims(DORA.sub, { ...DORA.claims, groups: ['unmapped'] });
    expect(await signInAndMint(DORA.sub)).toBe(rcUserId);
    await expect.poll(() => member('ops', rcUserId)).toBe(false);
    await expect.poll(() => roles(rcUserId)).not.toContain(roleIds.Ops);
    expect(
      (
        await t.app
          .get(UserIdentitiesRepository)
          .findByExternal('oidc:default', DORA.sub)
      )?.groups,
    ).toEqual(['unmapped']);
    expect(await member('staff-room', rcUserId)).toBe(true);
    expect(await roles(rcUserId)).toEqual(['user', roleIds.Staff]);
  });
});
