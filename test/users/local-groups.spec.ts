import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Env } from '../../src/config/index.js';
import { cli, signIn } from '../accounts/accounts-harness.js';
import {
  CREATE_TOKEN_SECRET,
  startHarness,
  type Harness,
} from '../rocketchat/harness.js';
import { TEST_ENV } from '../support/app.js';

/** GROUP_MAPPINGS: a group for local users only, one for every source, one for OpenID only. */
const RULES = [
  {
    name: 'contractors',
    group: 'contractors',
    sources: ['local'],
    roles: ['Contractor'],
    channels: ['contractors'],
  },
  { name: 'auditors', group: 'auditors', channels: ['auditors'] },
  {
    name: 'sso-auditors',
    group: 'auditors',
    sources: ['oidc'],
    channels: ['sso'],
  },
];

describe('Group mappings for groups the CLI sets on local users, end to end (form login, emulated Rocket.Chat)', () => {
  let h: Harness;
  let env: Env;
  const rooms: Record<string, string> = {};
  let contractor = '';

  beforeAll(async () => {
    const mappings = { GROUP_MAPPINGS: JSON.stringify(RULES) };
    h = await startHarness({ label: 'local_groups', env: mappings });
    // `rc-bridge` in this process, against the same database and Rocket.Chat.
    env = {
      ...TEST_ENV,
      MONGODB_URI: h.mongoUri,
      ROCKETCHAT_URL: h.rc.url,
      CREATE_TOKENS_FOR_USERS_SECRET: CREATE_TOKEN_SECRET,
      ROCKETCHAT_USER_ID: h.admin.userId,
      ROCKETCHAT_AUTH_TOKEN: h.admin.pat ?? '',
      ...mappings,
    };
    for (const name of ['contractors', 'auditors', 'sso', 'lounge']) {
      rooms[name] = (await h.rc.control.createChannel({ name })).roomId;
    }
    contractor = h.rc.control.createRole('Contractor');
  });
  afterAll(async () => {
    await h?.close();
  });

  const roles = async (id: string) =>
    (await h.rc.control.getUser(id))?.roles ?? [];
  const member = (room: string, id: string) =>
    h.rc.control.isMember(rooms[room], id);

  it('should grant the mappings of groups given with users add --group at sign-in, and withdraw one removed with users groups --remove at the next sign-in', async () => {
    const added = await cli(
      ['users', 'add', 'lena', '--group', 'contractors', '--group', 'auditors'],
      env,
      'lena-password-1\n',
    );
    expect(added.code).toBe(0);
    const first = await signIn(h, 'lena', 'lena-password-1');
    await expect.poll(() => roles(first.rcUserId)).toContain(contractor);
    await expect.poll(() => member('contractors', first.rcUserId)).toBe(true);
    await expect.poll(() => member('auditors', first.rcUserId)).toBe(true);
    // A rule limited to OpenID Connect does not reach a local user.
    expect(await member('sso', first.rcUserId)).toBe(false);
    // Joined by hand in Rocket.Chat, and a mapped room she is not granted: never the bridge's.
    await h.rc.control.addMember(rooms.lounge, first.rcUserId);
    await h.rc.control.addMember(rooms.sso, first.rcUserId);

    const removed = await cli(
      ['users', 'groups', 'lena', '--remove', 'contractors'],
      env,
    );
    expect(removed).toMatchObject({ code: 0, stdout: 'lena: auditors\n' });
    const next = await signIn(h, 'lena', 'lena-password-1');
    expect(next.rcUserId).toBe(first.rcUserId);
    await expect.poll(() => member('contractors', next.rcUserId)).toBe(false);
    await expect.poll(() => roles(next.rcUserId)).not.toContain(contractor);
    expect(await member('auditors', next.rcUserId)).toBe(true);
    expect(await member('lounge', next.rcUserId)).toBe(true);
    expect(await member('sso', next.rcUserId)).toBe(true);
  });

  it('should grant at the next sign-in the groups set with users groups --set on a user who had none', async () => {
    const added = await cli(['users', 'add', 'milo'], env, 'milo-password-1\n');
    expect(added.code).toBe(0);
    const first = await signIn(h, 'milo', 'milo-password-1');
    const set = await cli(
      ['users', 'groups', 'milo', '--set', 'auditors,contractors'],
      env,
    );
    expect(set).toMatchObject({
      code: 0,
      stdout: 'milo: auditors, contractors\n',
    });
    // Nothing until the person signs in again (or `users sync` runs).
    expect(await member('auditors', first.rcUserId)).toBe(false);
    const next = await signIn(h, 'milo', 'milo-password-1');
    await expect.poll(() => member('auditors', next.rcUserId)).toBe(true);
    await expect.poll(() => member('contractors', next.rcUserId)).toBe(true);
    await expect.poll(() => roles(next.rcUserId)).toContain(contractor);
  });
});
