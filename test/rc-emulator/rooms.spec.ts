import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { CreatedUser, RocketChatEmulator } from './index.js';
import {
  RcClient,
  asCredentials,
  startTestEmulator,
  type Credentials,
} from './test-helpers.js';

let counter = 0;
const unique = (prefix: string) => `${prefix}-${(counter += 1)}`;

describe.each(['7.10.0', '8.0.0'])(
  'rc-emulator %s: roles, rooms and teams',
  (version) => {
    const major = Number(version[0]);
    let emu: RocketChatEmulator;
    let rc: RcClient;
    let admin: CreatedUser;
    let auth: Credentials;

    beforeAll(async () => {
      emu = await startTestEmulator({ version });
      rc = new RcClient(emu.url);
      admin = await emu.control.createAdmin();
      auth = asCredentials(admin);
    });

    afterAll(async () => {
      await emu.close();
    });

    beforeEach(() => {
      emu.control.reset();
    });

    it('should list the roles with their scopes, custom roles under a random id', async () => {
      const id = emu.control.createRole(unique('Support Staff'));
      const answer = await rc.get('/api/v1/roles.list', { auth });
      expect(answer.status).toBe(200);
      const roles = answer.body.roles as {
        _id: string;
        name: string;
        scope: string;
      }[];
      expect(roles.find((r) => r._id === 'user')).toMatchObject({
        name: 'user',
        scope: 'Users',
      });
      expect(roles.find((r) => r._id === 'owner')?.scope).toBe('Subscriptions');
      const custom = roles.find((r) => r._id === id);
      expect(custom?.name).toMatch(/^Support Staff/);
      expect(id).not.toBe(custom?.name);
    });

    it('should add and remove a role by id, with Rocket.Chat refusals', async () => {
      const user = await emu.control.createUser({ username: unique('rolly') });
      const roleId = emu.control.createRole(unique('helpdesk'));
      const add = (body: Record<string, unknown>, as = auth) =>
        rc.post('/api/v1/roles.addUserToRole', body, { auth: as });
      expect((await add({ roleId, username: user.username })).status).toBe(200);
      expect((await emu.control.getUser(user.userId))?.roles).toEqual([
        'user',
        roleId,
      ]);
      const again = await add({ roleId, username: user.username });
      expect(again.status).toBe(400);
      expect(again.body.errorType).toBe('error-user-already-in-role');
      const unknown = await add({ roleId: 'nope', username: user.username });
      expect(unknown.body).toMatchObject({
        success: false,
        error: 'error-role-not-found',
      });
      const plain = await emu.control.createUser({ pat: true });
      const refused = await add(
        { roleId: 'bot', username: user.username },
        asCredentials(plain),
      );
      expect(refused.status).toBe(400);
      expect(refused.body.errorType).toBe('error-action-not-allowed');
      const extra = await add({ roleId, username: user.username, role: 'x' });
      expect(extra.status).toBe(400);
      expect(extra.body.errorType).toBe('invalid-params');

      const remove = (as = auth) =>
        rc.post(
          '/api/v1/roles.removeUserFromRole',
          { roleId, username: user.username },
          { auth: as },
        );
      expect((await remove(asCredentials(plain))).status).toBe(403);
      expect((await remove()).status).toBe(200);
      expect((await emu.control.getUser(user.userId))?.roles).toEqual(['user']);
      const gone = await remove();
      expect(gone.body.errorType).toBe('error-user-not-in-role');
    });

    it('should invite to and kick from a public channel by name, idempotently', async () => {
      const user = await emu.control.createUser({ username: unique('chan') });
      const channel = await emu.control.createChannel({
        name: unique('general'),
      });
      const invite = () =>
        rc.post(
          '/api/v1/channels.invite',
          { roomName: channel.name, userId: user.userId },
          { auth },
        );
      const first = await invite();
      expect(first.status).toBe(200);
      expect(first.body.channel).toMatchObject({
        _id: channel.roomId,
        t: 'c',
        usersCount: 1,
      });
      expect((await invite()).body.channel.usersCount).toBe(1);
      expect(await emu.control.roomMembers(channel.roomId)).toEqual([
        user.userId,
      ]);
      const info = await rc.get('/api/v1/users.info', {
        auth,
        query: { userId: user.userId, includeUserRooms: 'true' },
      });
      expect(info.body.user.rooms).toEqual([
        expect.objectContaining({
          rid: channel.roomId,
          name: channel.name,
          t: 'c',
        }),
      ]);
      const kick = await rc.post(
        '/api/v1/channels.kick',
        { roomId: channel.roomId, userId: user.userId },
        { auth },
      );
      expect(kick.status).toBe(200);
      expect(await emu.control.isMember(channel.roomId, user.userId)).toBe(
        false,
      );

      const missing = await rc.post(
        '/api/v1/channels.invite',
        { roomName: unique('nowhere'), userId: user.userId },
        { auth },
      );
      expect(missing.status).toBe(400);
      expect(missing.body.errorType).toBe('error-room-not-found');
      const group = await emu.control.createPrivateGroup({
        name: unique('secret'),
      });
      const wrongKind = await rc.post(
        '/api/v1/channels.invite',
        { roomName: group.name, userId: user.userId },
        { auth },
      );
      expect(wrongKind.body.errorType).toBe('error-room-not-found');
    });

    it('should let nobody add to or kick from a private group they are not in, by default', async () => {
      const user = await emu.control.createUser({ username: unique('priv') });
      const group = await emu.control.createPrivateGroup({
        name: unique('board'),
      });
      const invite = () =>
        rc.post(
          '/api/v1/groups.invite',
          { roomName: group.name, userId: user.userId },
          { auth },
        );
      const refused = await invite();
      expect(refused.status).toBe(400);
      expect(refused.body).toMatchObject({
        errorType: 'error-not-allowed',
        error: 'Not allowed [error-not-allowed]',
      });
      await emu.control.addMember(group.roomId, admin.userId);
      const allowed = await invite();
      expect(allowed.status).toBe(200);
      expect(allowed.body.group._id).toBe(group.roomId);
      await emu.control.removeMember(group.roomId, admin.userId);
      const kick = await rc.post(
        '/api/v1/groups.kick',
        { roomId: group.roomId, userId: user.userId },
        { auth },
      );
      expect(kick.body.errorType).toBe('error-room-not-found');
      emu.control.grantPermission('kick-user-from-any-p-room', 'admin');
      try {
        const kicked = await rc.post(
          '/api/v1/groups.kick',
          { roomName: group.name, userId: user.userId },
          { auth },
        );
        expect(kicked.status).toBe(200);
        expect(await emu.control.isMember(group.roomId, user.userId)).toBe(
          false,
        );
      } finally {
        emu.control.revokePermission('kick-user-from-any-p-room', 'admin');
      }
    });

    it('should add and remove team members through the main room', async () => {
      const user = await emu.control.createUser({ username: unique('teamy') });
      const team = await emu.control.createTeam({ name: unique('Sales') });
      const add = await rc.post(
        '/api/v1/teams.addMembers',
        { teamName: team.name, members: [{ userId: user.userId }] },
        { auth },
      );
      expect(add.status).toBe(200);
      expect(await emu.control.teamMembers(team.teamId)).toEqual([user.userId]);
      expect(await emu.control.isMember(team.roomId, user.userId)).toBe(true);
      const remove = (body: Record<string, unknown>, as = auth) =>
        rc.post('/api/v1/teams.removeMember', body, { auth: as });
      expect(
        (await remove({ teamName: team.name, userId: user.userId })).status,
      ).toBe(200);
      expect(await emu.control.teamMembers(team.teamId)).toEqual([]);
      expect(await emu.control.isMember(team.roomId, user.userId)).toBe(false);
      const again = await remove({ teamName: team.name, userId: user.userId });
      expect(again.body).toMatchObject({
        success: false,
        error: 'member-does-not-exist',
      });
      const none = await remove({
        teamName: unique('Nope'),
        userId: user.userId,
      });
      expect(none.body.error).toBe('team-does-not-exist');
      const plain = await emu.control.createUser({ pat: true });
      const refused = await remove(
        { teamId: team.teamId, userId: user.userId },
        asCredentials(plain),
      );
      expect(refused.status).toBe(major < 8 ? 401 : 403);
      expect(refused.body).toEqual({ success: false, error: 'unauthorized' });
    });

    it('should rate limit these routes for callers without api-bypass-rate-limit', async () => {
      const plain = await emu.control.createUser({ pat: true });
      emu.control.grantPermission('add-user-to-any-c-room', 'user');
      emu.control.setRateLimit({ calls: 2, windowMs: 60_000 });
      try {
        const channel = await emu.control.createChannel({
          name: unique('busy'),
        });
        const answers = [];
        for (let i = 0; i < 3; i += 1) {
          answers.push(
            await rc.post(
              '/api/v1/channels.invite',
              { roomId: channel.roomId, userId: plain.userId },
              { auth: asCredentials(plain) },
            ),
          );
        }
        const statuses = answers.map((a) => a.status);
        const limited = answers[2];
        expect(
          Number(limited.headers.get('x-ratelimit-reset')),
        ).toBeGreaterThan(Date.now());
        expect(limited.body.error).toMatch(/\[error-too-many-requests\]$/);
        expect(statuses).toEqual([200, 200, 429]);
      } finally {
        emu.control.revokePermission('add-user-to-any-c-room', 'user');
        emu.control.setRateLimit({ calls: 10, windowMs: 60_000 });
      }
    });
  },
);
