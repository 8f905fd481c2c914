import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { fakeClock } from '../support/fake-clock.js';
import {
  ENGINEERING_DN,
  person,
  startGroupHarness,
  type GroupHarness,
} from './group-harness.js';

describe.each(['7.10.0', '8.0.0'])(
  'Groups to Rocket.Chat when Rocket.Chat refuses or fails (%s)',
  (version) => {
    let h: GroupHarness;

    beforeAll(async () => {
      h = await startGroupHarness(version);
    });

    afterAll(async () => {
      await h.close();
    });

    beforeEach(() => {
      h.rc.control.reset();
    });

    it('should record a room that does not exist, say so, and succeed at the next apply once it does', async () => {
      const p = await person(h);
      const request = { ...p, groups: ['broken'], source: 'local' };
      const first = await h.sync.apply(request);
      expect(first.status).toBe('partial');
      expect(first.failed).toEqual([
        {
          target: { kind: 'channel', name: 'not-yet' },
          action: 'grant',
          error: expect.stringContaining(
            'Rocket.Chat has no public channel named "not-yet"',
          ),
        },
      ]);
      expect((await h.grants.find(p.rocketChatUserId))?.failures).toHaveLength(
        1,
      );
      const room = await h.rc.control.createChannel({ name: 'not-yet' });
      const second = await h.sync.apply(request);
      expect(second.status).toBe('applied');
      expect(await h.rc.control.isMember(room.roomId, p.rocketChatUserId)).toBe(
        true,
      );
      expect((await h.grants.find(p.rocketChatUserId))?.failures).toEqual([]);
    });

    it('should name the missing permission (private group, 400 error-not-allowed) and retry', async () => {
      const p = await person(h);
      const request = { ...p, groups: ['secret'], source: 'local' };
      const refused = await h.sync.apply(request);
      expect(refused.status).toBe('partial');
      expect(refused.failed[0].error).toContain(
        "the bridge's Rocket.Chat account lacks a permission for groups.invite: it needs add-user-to-any-p-room",
      );
      h.rc.control.grantPermission('add-user-to-any-p-room', 'admin');
      try {
        expect((await h.sync.apply(request)).status).toBe('applied');
        expect(
          await h.rc.control.isMember(h.rooms.hidden, p.rocketChatUserId),
        ).toBe(true);
      } finally {
        h.rc.control.revokePermission('add-user-to-any-p-room', 'admin');
      }
    });

    it('should keep a grant it could not withdraw (403 without access-permissions) and withdraw it later', async () => {
      const p = await person(h);
      await h.sync.apply({ ...p, groups: ['roles-only'], source: 'local' });
      h.rc.control.revokePermission('access-permissions', 'admin');
      try {
        const refused = await h.sync.apply({
          ...p,
          groups: [],
          source: 'local',
        });
        expect(refused.status).toBe('partial');
        expect(refused.failed[0]).toMatchObject({
          target: { kind: 'role', name: 'developer' },
          action: 'withdraw',
          error: expect.stringMatching(/access-permissions .*\(403\)$/),
        });
        expect((await h.grants.find(p.rocketChatUserId))?.grants).toHaveLength(
          1,
        );
      } finally {
        h.rc.control.grantPermission('access-permissions', 'admin');
      }
      const later = await h.sync.apply({ ...p, groups: [], source: 'local' });
      expect(later.withdrawn).toEqual([{ kind: 'role', name: 'developer' }]);
      expect((await h.rc.control.getUser(p.rocketChatUserId))?.roles).toEqual([
        'user',
      ]);
    });

    it('should fail readably while Rocket.Chat is down, lose nothing, and apply once it is back', async () => {
      const p = await person(h);
      await h.sync.apply({ ...p, groups: ['roles-only'], source: 'local' });
      h.rc.control.injectFault({
        route: '*',
        action: { type: 'status', status: 503 },
      });
      const down = await h.sync.apply({
        ...p,
        groups: [ENGINEERING_DN],
        source: 'ldap',
      });
      expect(down.status).toBe('failed');
      expect(down.error).toBe('Rocket.Chat users.info: answered 503');
      h.rc.control.clearFaults();
      h.rc.control.injectFault({ route: '*', action: { type: 'close' } });
      const closed = await h.sync.apply({
        ...p,
        groups: [ENGINEERING_DN],
        source: 'ldap',
      });
      expect(closed.error).toMatch(/^Rocket.Chat users.info: unreachable/);
      expect((await h.grants.find(p.rocketChatUserId))?.grants).toHaveLength(1);
      h.rc.control.clearFaults();
      const back = await h.sync.apply({
        ...p,
        groups: [ENGINEERING_DN],
        source: 'ldap',
      });
      expect(back.status).toBe('applied');
      expect(back.granted).toHaveLength(3);
      expect((await h.grants.find(p.rocketChatUserId))?.grants).toHaveLength(4);
    });

    it('should wait for the reset of a 429 without calling again, then apply', async () => {
      const p = await person(h);
      const clock = fakeClock();
      h.rc.control.injectFault({
        route: 'channels.invite',
        action: { type: 'status', status: 429 },
        times: 1,
      });
      const request = { ...p, groups: ['pair'], source: 'local' };
      const limited = await h.sync.apply(request);
      expect(limited.status).toBe('partial');
      expect(limited.failed.map((f) => f.error)).toEqual([
        expect.stringMatching(
          /^Rocket.Chat channels.invite: rate limited for \d+ s/,
        ),
        expect.stringMatching(
          /^Rocket.Chat channels.invite: rate limited for \d+ s/,
        ),
      ]);
      expect(h.rc.control.countCalls('channels.invite')).toBe(1);
      const early = await h.sync.apply(request);
      expect(early.status).toBe('partial');
      expect(h.rc.control.countCalls('channels.invite')).toBe(1);
      clock.advance(61_000);
      const later = await h.sync.apply(request);
      expect(later.status).toBe('applied');
      expect(await h.rc.control.memberships(p.rocketChatUserId)).toEqual([
        'alpha',
        'beta',
      ]);
    });

    it("should never touch the bridge's own account, and forget the grants of a deleted one", async () => {
      const own = await h.sync.apply({
        bridgeUserId: 'bridge-admin',
        rocketChatUserId: h.admin.userId,
        groups: [ENGINEERING_DN],
        source: 'ldap',
      });
      expect(own.status).toBe('failed');
      expect(own.error).toContain("the bridge's own account");
      expect(h.rc.control.countCalls('roles.addUserToRole')).toBe(0);

      const p = await person(h);
      await h.sync.apply({ ...p, groups: ['pair'], source: 'local' });
      await h.rc.control.deleteUser(p.rocketChatUserId);
      const gone = await h.sync.apply({ ...p, groups: [], source: 'local' });
      expect(gone.status).toBe('applied');
      expect((await h.grants.find(p.rocketChatUserId))?.grants).toEqual([]);
    });
  },
);
