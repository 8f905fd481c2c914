import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabaseUri } from '../support/mongo.js';
import {
  startRocketChatEmulator,
  type CreatedUser,
  type RocketChatEmulator,
} from './index.js';
import { RcClient, asCredentials } from './test-helpers.js';

const STRONG = 'Str0ng-Passw0rd!';

function newUser(username: string, extra: Record<string, unknown> = {}) {
  return {
    username,
    email: `${username}@example.org`,
    name: `Name ${username}`,
    password: STRONG,
    ...extra,
  };
}

describe.each(['7.10.0', '8.0.0', '9.0.1'])(
  'rc-emulator %s: user administration',
  (version) => {
    const major = Number(version[0]);
    let emu: RocketChatEmulator;
    let rc: RcClient;
    let admin: CreatedUser;
    let mongo: MongoClient;
    let dbName: string;

    beforeAll(async () => {
      const fresh = freshDatabaseUri('rcemu_users');
      dbName = fresh.dbName;
      emu = await startRocketChatEmulator({
        mongoUri: fresh.uri,
        version,
        rateLimit: { enabled: false },
      });
      rc = new RcClient(emu.url);
      admin = await emu.control.createAdmin();
      mongo = await new MongoClient(fresh.uri).connect();
    });

    afterAll(async () => {
      await mongo.close();
      await emu.close();
    });

    it('should create a user stored in Rocket.Chat document shape', async () => {
      const answer = await rc.post(
        '/api/v1/users.create',
        newUser('carol', { verified: true }),
        {
          auth: asCredentials(admin),
        },
      );
      expect(answer.status).toBe(200);
      expect(answer.body.success).toBe(true);
      expect(answer.body.user).toMatchObject({
        username: 'carol',
        name: 'Name carol',
        emails: [{ address: 'carol@example.org', verified: true }],
        active: true,
        roles: ['user'],
        type: 'user',
      });
      expect(answer.body.user.services).toBeUndefined();
      const doc = await mongo
        .db(dbName)
        .collection('users')
        .findOne({ username: 'carol' });
      expect(doc?._id).toMatch(/^[23456789A-HJ-NP-Za-km-z]{17}$/);
      expect(doc?.createdAt).toBeInstanceOf(Date);
      expect(typeof doc?.services?.password?.bcrypt).toBe('string');
      expect(doc?.services?.password?.bcrypt).not.toContain(STRONG);
      // Accounts_TwoFactorAuthentication_By_Email_Auto_Opt_In (protocol doc §4.2)
      expect(doc?.services?.email2fa?.enabled).toBe(true);
      expect(doc?.services?.resume?.loginTokens).toEqual([]);
    });

    it('should reject missing and extra fields as invalid-params', async () => {
      const missing = await rc.post(
        '/api/v1/users.create',
        { username: 'x', name: 'x', password: STRONG },
        { auth: asCredentials(admin) },
      );
      const extra = await rc.post(
        '/api/v1/users.create',
        newUser('dave', { shoeSize: 44 }),
        {
          auth: asCredentials(admin),
        },
      );
      // 8.x validates typed routes in the router (before auth, no suffix); 7.x in ApiClass.
      const suffix = major >= 8 ? '' : ' [invalid-params]';
      expect(missing.status).toBe(400);
      expect(missing.body).toEqual({
        success: false,
        errorType: 'invalid-params',
        error: `must have required property 'email'${suffix}`,
      });
      expect(extra.status).toBe(400);
      expect(extra.body).toEqual({
        success: false,
        errorType: 'invalid-params',
        error: `must NOT have additional properties${suffix}`,
      });
    });

    it('should refuse a taken username or e-mail with error-field-unavailable', async () => {
      await emu.control.createUser({
        username: 'erin',
        email: 'erin@example.org',
      });
      const username = await rc.post(
        '/api/v1/users.create',
        newUser('ERIN', { email: 'other@example.org' }),
        {
          auth: asCredentials(admin),
        },
      );
      expect(username.status).toBe(400);
      expect(username.body).toEqual({
        success: false,
        error: 'ERIN is already in use :( [error-field-unavailable]',
        errorType: 'error-field-unavailable',
        details: { method: 'insertOrUpdateUser', field: 'ERIN' },
      });
      const email = await rc.post(
        '/api/v1/users.create',
        newUser('erin2', { email: 'Erin@Example.org' }),
        {
          auth: asCredentials(admin),
        },
      );
      expect(email.body.error).toBe(
        'Erin@Example.org is already in use :( [error-field-unavailable]',
      );
    });

    it('should apply the version default password policy (8.x on, min 14; 7.x off)', async () => {
      const weak = await rc.post(
        '/api/v1/users.create',
        newUser('frank', { password: 'short1A!' }),
        {
          auth: asCredentials(admin),
        },
      );
      expect(weak.status).toBe(major >= 8 ? 400 : 200);
      expect(weak.body.errorType).toBe(
        major >= 8 ? 'error-password-policy-not-met' : undefined,
      );
      expect(weak.body.details).toEqual(
        major >= 8
          ? [
              {
                error: 'error-password-policy-not-met-minLength',
                message:
                  'The password does not meet the minimum length password policy.',
              },
            ]
          : undefined,
      );
    });

    it('should report policy failures in the version style (7.x first rule, 8.x all rules)', async () => {
      emu.control.setSettings({ Accounts_Password_Policy_Enabled: true });
      try {
        const weak = await rc.post(
          '/api/v1/users.create',
          newUser('frank2', { password: 'onlylowercase' }),
          {
            auth: asCredentials(admin),
          },
        );
        const upper = {
          error: 'error-password-policy-not-met-oneUppercase',
          message:
            'The password does not contain at least one uppercase character which is against the password policy.',
        };
        const expected =
          major >= 8
            ? {
                success: false,
                error:
                  "The password provided does not meet the server's password policy. [error-password-policy-not-met]",
                errorType: 'error-password-policy-not-met',
                details: [
                  {
                    error: 'error-password-policy-not-met-minLength',
                    message:
                      'The password does not meet the minimum length password policy.',
                  },
                  upper,
                  {
                    error: 'error-password-policy-not-met-oneNumber',
                    message:
                      'The password does not contain at least one numerical character which is against the password policy.',
                  },
                  {
                    error: 'error-password-policy-not-met-oneSpecial',
                    message:
                      'The password does not contain at least one special character which is against the password policy.',
                  },
                ],
              }
            : {
                success: false,
                error: `${upper.message} [${upper.error}]`,
                errorType: upper.error,
              };
        expect(weak.status).toBe(400);
        expect(weak.body).toEqual(expected);
      } finally {
        emu.control.setSettings({
          Accounts_Password_Policy_Enabled: major >= 8,
        });
      }
    });

    it('should refuse unknown roles, the admin role without assign-admin-role, and callers without create-user', async () => {
      const unknown = await rc.post(
        '/api/v1/users.create',
        newUser('gina', { roles: ['user', 'wizard'] }),
        {
          auth: asCredentials(admin),
        },
      );
      expect(unknown.body).toMatchObject({
        error:
          'The field Roles consist invalid role id [error-action-not-allowed]',
        errorType: 'error-action-not-allowed',
      });
      const helper = await emu.control.createUser({
        pat: true,
        roles: ['user', 'helper-role'],
      });
      emu.control.addRole('helper-role');
      emu.control.grantPermission('create-user', 'helper-role');
      const asAdmin = await rc.post(
        '/api/v1/users.create',
        newUser('hank', { roles: ['admin'] }),
        {
          auth: asCredentials(helper),
        },
      );
      expect(asAdmin.body.error).toBe(
        'Assigning admin is not allowed [error-action-not-allowed]',
      );
      const plain = await emu.control.createUser({ pat: true });
      const denied = await rc.post('/api/v1/users.create', newUser('ivan'), {
        auth: asCredentials(plain),
      });
      expect(denied.status).toBe(400);
      expect(denied.body).toEqual({
        success: false,
        error: 'Adding user is not allowed [error-action-not-allowed]',
        errorType: 'error-action-not-allowed',
        details: { method: 'insertOrUpdateUser', action: 'Adding_user' },
      });
    });

    it('should require 2FA on users.create only with PR #41388 (emulator option), which a bypass PAT satisfies', async () => {
      const session = await emu.control.createUser({
        roles: ['admin'],
        resumeToken: true,
        createdAt: '2020-01-01',
      });
      const auth = {
        userId: session.userId,
        token: session.resumeToken as string,
      };
      const released = await rc.post(
        '/api/v1/users.create',
        newUser(`jane${major}`),
        { auth },
      );
      expect(released.status).toBe(200);
      emu.control.setQuirks({ twoFactorOnUserCreation: true });
      try {
        const answer = await rc.post(
          '/api/v1/users.create',
          newUser(`june${major}`),
          { auth },
        );
        expect(answer.status).toBe(400);
        expect(answer.body.errorType).toBe('totp-required');
        expect(answer.body.details?.method).toBe('password');
        const bypass = await rc.post(
          '/api/v1/users.create',
          newUser(`joan${major}`),
          { auth: asCredentials(admin) },
        );
        expect(bypass.status).toBe(200);
      } finally {
        emu.control.setQuirks({ twoFactorOnUserCreation: false });
      }
    });

    it('should update a user (name, e-mail, roles) and refuse non-admin edits of others', async () => {
      const target = await emu.control.createUser({ username: 'kate' });
      const answer = await rc.post(
        '/api/v1/users.update',
        {
          userId: target.userId,
          data: {
            name: 'Kate K',
            email: 'kate.k@example.org',
            verified: true,
            roles: ['user', 'bot'],
          },
        },
        { auth: asCredentials(admin) },
      );
      expect(answer.status).toBe(200);
      expect(answer.body.user).toMatchObject({
        name: 'Kate K',
        emails: [{ address: 'kate.k@example.org', verified: true }],
        roles: ['user', 'bot'],
      });
      const plain = await emu.control.createUser({ pat: true });
      const denied = await rc.post(
        '/api/v1/users.update',
        { userId: target.userId, data: { name: 'x' } },
        { auth: asCredentials(plain) },
      );
      expect(denied.body.errorType).toBe('error-action-not-allowed');
    });

    it('should clear every token, PATs included, when deactivating a user', async () => {
      const target = await emu.control.createUser({
        resumeToken: true,
        pat: true,
      });
      const answer = await rc.post(
        '/api/v1/users.setActiveStatus',
        { userId: target.userId, activeStatus: false },
        { auth: asCredentials(admin) },
      );
      expect(answer.status).toBe(200);
      expect(answer.body).toEqual({
        user: { _id: target.userId, active: false },
        success: true,
      });
      expect(await emu.control.tokenCount(target.userId)).toBe(0);
      const plain = await emu.control.createUser({ pat: true });
      const denied = await rc.post(
        '/api/v1/users.setActiveStatus',
        { userId: target.userId, activeStatus: true },
        { auth: asCredentials(plain) },
      );
      expect(denied.status).toBe(major >= 8 ? 403 : 401);
    });

    it('should refuse to deactivate the last owner of a room (user-last-owner) unless told to relinquish, then hand the room over or delete it', async () => {
      const owner = await emu.control.createUser();
      const member = await emu.control.createUser();
      const shared = await emu.control.createChannel({
        name: `shared-${version}`,
        owner: owner.userId,
        members: [member.userId],
      });
      const alone = await emu.control.createPrivateGroup({
        name: `alone-${version}`,
        owner: owner.userId,
      });
      const refused = await rc.post(
        '/api/v1/users.setActiveStatus',
        { userId: owner.userId, activeStatus: false },
        { auth: asCredentials(admin) },
      );
      expect(refused.status).toBe(400);
      expect(refused.body).toMatchObject({
        success: false,
        error: '[user-last-owner]',
        errorType: 'user-last-owner',
      });
      expect((await emu.control.getUser(owner.userId))?.active).toBe(true);
      const relinquished = await rc.post(
        '/api/v1/users.setActiveStatus',
        { userId: owner.userId, activeStatus: false, confirmRelinquish: true },
        { auth: asCredentials(admin) },
      );
      expect(relinquished.body.user).toEqual({
        _id: owner.userId,
        active: false,
      });
      const sub = await mongo
        .db(dbName)
        .collection('rocketchat_subscription')
        .findOne({ rid: shared.roomId, 'u._id': member.userId });
      expect(sub?.roles).toContain('owner');
      expect(
        await mongo
          .db(dbName)
          .collection('rocketchat_room')
          .findOne({ _id: alone.roomId as never }),
      ).toBeNull();
    });

    it('should log out another user, and with an empty userId log out the caller, wiping its PAT', async () => {
      const target = await emu.control.createUser({
        resumeToken: true,
        pat: true,
      });
      const other = await rc.post(
        '/api/v1/users.logout',
        { userId: target.userId },
        { auth: asCredentials(admin) },
      );
      expect(other.body).toEqual({
        message: `User ${target.userId} has been logged out!`,
        success: true,
      });
      expect(await emu.control.tokenCount(target.userId)).toBe(0);

      const victim = await emu.control.createAdmin();
      const hazard = await rc.post(
        '/api/v1/users.logout',
        { userId: '' },
        { auth: asCredentials(victim) },
      );
      expect(hazard.status).toBe(200);
      expect(hazard.body.message).toBe(
        `User ${victim.userId} has been logged out!`,
      );
      expect(await emu.control.tokenCount(victim.userId)).toBe(0);
      const after = await rc.get('/api/v1/me', { auth: asCredentials(victim) });
      expect(after.status).toBe(401);
    });

    it('should refuse logging out another user without logout-other-user', async () => {
      const target = await emu.control.createUser({ resumeToken: true });
      const plain = await emu.control.createUser({ pat: true });
      const denied = await rc.post(
        '/api/v1/users.logout',
        { userId: target.userId },
        { auth: asCredentials(plain) },
      );
      expect(denied.status).toBe(major >= 8 ? 403 : 401);
      // `forbidden()` says "forbidden" from 9.0 (ApiClass applyBreakingChanges).
      expect(denied.body).toEqual({
        success: false,
        error: major >= 9 ? 'forbidden' : 'unauthorized',
      });
      expect(await emu.control.tokenCount(target.userId)).toBe(1);
      // 7.x/8.x `unsetLoginTokens` returns an UpdateResult, so an unknown id still "succeeds".
      const unknown = await rc.post(
        '/api/v1/users.logout',
        { userId: 'NoSuchUser1234567' },
        { auth: asCredentials(admin) },
      );
      expect(unknown.status).toBe(200);
    });

    it('should find users by id and username with users.info, full fields only for privileged callers', async () => {
      const target = await emu.control.createUser({ username: 'liam' });
      const byId = await rc.get('/api/v1/users.info', {
        auth: asCredentials(admin),
        query: { userId: target.userId },
      });
      expect(byId.body.user).toMatchObject({
        _id: target.userId,
        username: 'liam',
        emails: [{ address: target.email }],
      });
      expect(byId.body.user.services).toBeUndefined();
      const plain = await emu.control.createUser({ pat: true });
      const limited = await rc.get('/api/v1/users.info', {
        auth: asCredentials(plain),
        query: { username: 'LIAM' },
      });
      expect(limited.body.user.username).toBe('liam');
      expect(limited.body.user.emails).toBeUndefined();
      const missing = await rc.get('/api/v1/users.info', {
        auth: asCredentials(admin),
        query: { username: 'nobody' },
      });
      expect(missing.status).toBe(400);
      expect(missing.body).toEqual({
        success: false,
        error: 'User not found.',
      });
      const empty = await rc.get('/api/v1/users.info', {
        auth: asCredentials(admin),
        query: { username: '' },
      });
      expect(empty.body).toEqual({
        success: false,
        error: 'Invalid search query.',
      });
      const byEmail = await rc.get('/api/v1/users.info', {
        auth: asCredentials(admin),
        query: { email: target.email },
      });
      // `email` is a search term from 8.x; 7.x's schema rejects it.
      expect(byEmail.status).toBe(major >= 8 ? 200 : 400);
      expect(byEmail.body.user?._id ?? byEmail.body.errorType).toBe(
        major >= 8 ? target.userId : 'invalid-params',
      );
    });
  },
);
