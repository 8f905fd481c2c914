import { getConnectionToken } from '@nestjs/mongoose';
import type { Connection } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SourceRecheckTask } from '../../src/accounts/index.js';
import { SessionService } from '../../src/session/index.js';
import { UserAdminService, UsersRepository } from '../../src/users/index.js';
import { fakeClock } from '../support/fake-clock.js';
import { startTestDirectory, type TestDirectory } from '../support/slapd.js';
import {
  callApiUrl,
  startHarness,
  type Harness,
} from '../rocketchat/harness.js';
import {
  bridgeEnv,
  cli,
  cliEnv,
  newStaffMember,
  signIn,
  type SignedIn,
} from './accounts-harness.js';

const MINUTE = 60_000;

let d: TestDirectory;
let h: Harness;
const rooms: Record<string, string> = {};

async function members(room: string): Promise<string[]> {
  return h.rc.control.roomMembers(rooms[room]);
}

async function sessionAlive(v: SignedIn): Promise<boolean> {
  return (
    (await h.app.get(SessionService).resolve({
      headers: { cookie: v.client.cookieHeader() },
    } as never)) !== null
  );
}

async function auditKinds(userId: string): Promise<string[]> {
  const records = await h.app
    .get<Connection>(getConnectionToken())
    .collection('bridge_audit_events')
    .find({ userId })
    .toArray();
  return records.map((r) => String(r.kind));
}

/** Time moves past LDAP_RECHECK_INTERVAL (5 minutes here), then one pass of the re-check. */
async function recheckLater(ms = 6 * MINUTE): Promise<number> {
  clock.advance(ms);
  return h.app.get(SourceRecheckTask).run();
}

let clock: ReturnType<typeof fakeClock>;

beforeAll(async () => {
  d = await startTestDirectory();
  h = await startHarness({
    label: 'recheck',
    env: {
      ...bridgeEnv(d),
      ROCKETCHAT_REVOCATION_INTERVAL: '100ms',
      ROCKETCHAT_BREAKER_FAILURES: '1000',
    },
  });
  for (const name of ['staff-room', 'contractors']) {
    rooms[name] = (await h.rc.control.createChannel({ name })).roomId;
  }
});

afterAll(async () => {
  await h?.close();
  await d?.dispose();
});

describe('the directory stays the source of truth (slapd, the emulator)', () => {
  it('should map directory groups, and end everything for a person moved out of the required group while signed in; back in it, a sign-in re-activates the account', async () => {
    const ivan = await newStaffMember(d, 'ivan');
    const v = await signIn(h, 'ivan', ivan.password);
    await expect.poll(() => members('staff-room')).toContain(v.rcUserId);

    clock = fakeClock();
    // Not before LDAP_RECHECK_INTERVAL has passed since the sign-in...
    expect(await recheckLater(4 * MINUTE)).toBe(0);
    // ...then once (still in the group: nothing changes).
    expect(await recheckLater(2 * MINUTE)).toBe(1);
    expect(await recheckLater(1000)).toBe(0);
    expect(await sessionAlive(v)).toBe(true);

    await d.removeMember('staff', ivan.dn);
    await recheckLater();
    expect(await sessionAlive(v)).toBe(false);
    await expect
      .poll(async () => (await h.rc.control.checkToken(v.token)).valid)
      .toBe(false);
    expect((await h.rc.control.getUser(v.rcUserId))?.active).toBe(false);
    expect(await members('staff-room')).not.toContain(v.rcUserId);
    const userId = (await h.app.get(UsersRepository).findByUsername('ivan'))!
      .id;
    await expect
      .poll(() => auditKinds(userId))
      .toEqual(expect.arrayContaining(['account.deprovisioned']));

    // Refused at the form meanwhile, like a wrong password.
    await expect(signIn(h, 'ivan', ivan.password)).rejects.toThrow(
      'login of ivan answered 401',
    );

    await d.addMember('staff', ivan.dn);
    const back = await signIn(h, 'ivan', ivan.password);
    expect(back.rcUserId).toBe(v.rcUserId);
    expect((await h.rc.control.getUser(v.rcUserId))?.active).toBe(true);
    expect((await h.rc.control.checkToken(back.token)).valid).toBe(true);
    await expect.poll(() => members('staff-room')).toContain(v.rcUserId);
    await expect
      .poll(() => auditKinds(userId))
      .toEqual(expect.arrayContaining(['account.reinstated']));
  });

  it('should keep the sessions while the directory is down, and ask again a minute later', async () => {
    const leo = await newStaffMember(d, 'leo');
    const v = await signIn(h, 'leo', leo.password);
    clock = fakeClock();
    await d.stop();
    try {
      expect(await recheckLater()).toBe(0);
      expect(await sessionAlive(v)).toBe(true);
      // Not due again at once...
      expect(await recheckLater(1000)).toBe(0);
    } finally {
      await d.start();
    }
    await d.removeMember('staff', leo.dn);
    // ...but a minute later, with the directory back, its answer counts.
    expect(await recheckLater(MINUTE)).toBe(1);
    expect(await sessionAlive(v)).toBe(false);
    expect((await h.rc.control.getUser(v.rcUserId))?.active).toBe(false);
  });

  it('should deprovision with users sync a person disabled or removed in the directory, signed in or not, and say what it did', async () => {
    const judy = await newStaffMember(d, 'judy');
    const kate = await newStaffMember(d, 'kate');
    const vj = await signIn(h, 'judy', judy.password);
    const vk = await signIn(h, 'kate', kate.password);
    // kate has signed out since: her account goes all the same.
    await h.app.get(SessionService).destroy(vk.sessionId, 'logout');
    await d.setLocked(judy.dn, true);
    await d.removeEntry(kate.dn);

    const env = cliEnv(h, d);
    const dry = await cli(['users', 'sync', '--dry-run'], env);
    expect(dry.stderr).toBe('');
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain(
      'judy (ldap): disabled; sessions would end; Rocket.Chat account would be deactivated',
    );
    expect(await sessionAlive(vj)).toBe(true);

    const run = await cli(['users', 'sync', '--json'], env);
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout) as {
      users: {
        username: string;
        status: string;
        sessionsEnded: number;
        rocketChat?: { account: string };
      }[];
      summary: Record<string, number>;
    };
    expect(report.users.find((u) => u.username === 'judy')).toMatchObject({
      status: 'disabled',
      sessionsEnded: 1,
      rocketChat: { account: 'deactivated' },
    });
    expect(report.users.find((u) => u.username === 'kate')).toMatchObject({
      status: 'gone',
      sessionsEnded: 0,
      rocketChat: { account: 'deactivated' },
    });
    expect(await sessionAlive(vj)).toBe(false);
    expect((await h.rc.control.checkToken(vj.token)).valid).toBe(false);
    expect((await h.rc.control.getUser(vj.rcUserId))?.active).toBe(false);
    expect((await h.rc.control.getUser(vk.rcUserId))?.active).toBe(false);

    // A second run finds nothing left to do.
    const again = await cli(['users', 'sync'], env);
    expect(again.stdout).toContain(
      'judy (ldap): disabled; 0 session(s) ended; Rocket.Chat account already inactive',
    );

    // Unlocked in the directory: the next sync re-activates the account the bridge deactivated.
    await d.setLocked(judy.dn, false);
    const back = await cli(['users', 'sync'], env);
    expect(back.stdout).toContain(
      'judy (ldap): active; Rocket.Chat account re-activated',
    );
    expect((await h.rc.control.getUser(vj.rcUserId))?.active).toBe(true);
  });

  it('should keep the account active with LDAP_DEPROVISION=logout, revoking the logins all the same', async () => {
    const max = await newStaffMember(d, 'max');
    const v = await signIn(h, 'max', max.password);
    await d.removeMember('staff', max.dn);
    const run = await cli(
      ['users', 'sync'],
      cliEnv(h, d, { LDAP_DEPROVISION: 'logout' }),
    );
    expect(run.stdout).toContain(
      'max (ldap): not-in-group; 1 session(s) ended; Rocket.Chat account kept (LDAP_DEPROVISION=logout)',
    );
    expect((await h.rc.control.getUser(v.rcUserId))?.active).toBe(true);
    await expect
      .poll(async () => (await h.rc.control.checkToken(v.token)).valid)
      .toBe(false);
    expect(await members('staff-room')).not.toContain(v.rcUserId);
  });

  it('should leave active the last owner of a room, saying why, while still ending the sessions', async () => {
    const olga = await newStaffMember(d, 'olga');
    const v = await signIn(h, 'olga', olga.password);
    await h.rc.control.createPrivateGroup({
      name: 'olgas-room',
      owner: v.rcUserId,
    });
    await d.removeMember('staff', olga.dn);
    const run = await cli(['users', 'sync'], cliEnv(h, d));
    expect(run.stdout).toMatch(
      /olga \(ldap\): not-in-group; 1 session\(s\) ended; Rocket\.Chat account not deactivated \(Rocket\.Chat refuses to deactivate the last owner of a room \(user-last-owner\)/,
    );
    expect((await h.rc.control.getUser(v.rcUserId))?.active).toBe(true);
    expect(await sessionAlive(v)).toBe(false);
  });

  it('should apply and withdraw the mappings of local groups set with the CLI', async () => {
    await h.app.get(UserAdminService).create({
      username: 'mia',
      password: 'mia-password-1',
      groups: ['contractors'],
    });
    const v = await signIn(h, 'mia', 'mia-password-1');
    await expect.poll(() => members('contractors')).toContain(v.rcUserId);
    const env = cliEnv(h, d);
    expect(
      (await cli(['users', 'groups', 'mia', '--set', ''], env)).stdout,
    ).toBe('mia is in no group\n');
    const run = await cli(['users', 'sync'], env);
    expect(run.stdout).toContain(
      'mia (local): not-directory; mappings: 0 granted, 1 withdrawn',
    );
    expect(await members('contractors')).not.toContain(v.rcUserId);
    // The API URL still hands the session its token: mappings never touch the login.
    expect((await callApiUrl(h.app, v.client, h.rc.origin)).statusCode).toBe(
      200,
    );
  });

  it('should try one person end to end with users test-login, creating nothing', async () => {
    const env = cliEnv(h, d);
    const before = (await h.app.get(UsersRepository).list()).length;
    const ok = await cli(['users', 'test-login', 'bob'], env, 'bob-pw-1\n');
    expect(ok.code).toBe(0);
    expect(ok.stdout).toBe(
      [
        'Sources, in order: local, ldap',
        '  local: refused (no bridge user has this name)',
        '  ldap: accepted, entry uid=bob,ou=people,dc=example,dc=org on ' +
          d.ldapUrl,
        'Answered by: ldap',
        'Bridge user: bob (would be created)',
        'Groups: cn=chat,ou=groups,dc=example,dc=org',
        'Mappings: no rule applies',
        '',
      ].join('\n'),
    );
    const alice = await cli(
      ['users', 'test-login', 'alice', '--json'],
      env,
      'alice-pw-1\n',
    );
    expect(JSON.parse(alice.stdout)).toMatchObject({
      answeredBy: 'ldap',
      mappings: {
        matchedRules: ['staff'],
        targets: [{ kind: 'channel', name: 'staff-room', rule: 'staff' }],
      },
    });
    const wrong = await cli(['users', 'test-login', 'bob'], env, 'nope\n');
    expect(wrong).toMatchObject({
      code: 1,
      stderr: 'rc-bridge: no sign-in source accepted bob\n',
    });
    expect(wrong.stdout).toContain('  ldap: refused (wrong-password)');
    const local = await cli(
      ['users', 'test-login', 'mia'],
      env,
      'mia-password-1\n',
    );
    expect(local.stdout).toContain('Answered by: local');
    expect((await h.app.get(UsersRepository).list()).length).toBe(before);
  });
});
