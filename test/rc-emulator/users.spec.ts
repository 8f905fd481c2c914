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

describe.each(['7.10.0', '8.0.0'])(
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
        {
          auth: asCredentials(admin),
        },
      );
      const extra = await rc.post(
        '/api/v1/users.create',
        newUser('dave', { shoeSize: 44 }),
        {
          auth: asCredentials(admin),
        },
      );
      if (major >= 8) {
        expect(missing.body).toEqual({
          success: false,
          errorType: 'invalid-params',
          error: "must have required property 'email'",
        });
        expect(extra.body).toEqual({
          success: false,
          errorType: 'invalid-params',
          error: 'must NOT have additional properties',
        });
      } else {
        expect(missing.body).toEqual({
          success: false,
          errorType: 'invalid-params',
          error: "must have required property 'email' [invalid-params]",
        });
        expect(extra.body.error).toBe(
          'must NOT have additional properties [invalid-params]',
        );
      }
      expect(missing.status).toBe(400);
      expect(extra.status).toBe(400);
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

    it('should apply the version default password policy', async () => {
      const weak = await rc.post(
        '/api/v1/users.create',
        newUser('frank', { password: 'short1A!' }),
        {
          auth: asCredentials(admin),
        },
      );
      if (major >= 8) {
        expect(weak.status).toBe(400);
        expect(weak.body.errorType).toBe('error-password-policy-not-met');
        expect(weak.body.details).toEqual([
          {
            error: 'error-password-policy-not-met-minLength',
            message:
              'The password does not meet the minimum length password policy.',
          },
        ]);
      } else {
        // Older defaults: policy off.
        expect(weak.status).toBe(200);
        emu.control.setSettings({ Accounts_Password_Policy_Enabled: true });
        const weaker = await rc.post(
          '/api/v1/users.create',
          newUser('frank2', { password: 'onlylowercase' }),
          {
            auth: asCredentials(admin),
          },
        );
        emu.control.setSettings({ Accounts_Password_Policy_Enabled: false });
        expect(weaker.body).toEqual({
          success: false,
          error:
            'The password does not contain at least one uppercase character which is against the password policy. [error-password-policy-not-met-oneUppercase]',
          errorType: 'error-password-policy-not-met-oneUppercase',
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

    it('should require 2FA on users.create only from 8.x, which a bypass PAT satisfies', async () => {
      const session = await emu.control.createUser({
        roles: ['admin'],
        resumeToken: true,
        createdAt: '2020-01-01',
      });
      const answer = await rc.post(
        '/api/v1/users.create',
        newUser(`jane${major}`),
        {
          auth: {
            userId: session.userId,
            token: session.resumeToken as string,
          },
        },
      );
      if (major >= 8) {
        expect(answer.status).toBe(400);
        expect(answer.body).toMatchObject({
          errorType: 'totp-required',
          details: { method: 'password' },
        });
      } else {
        expect(answer.status).toBe(200);
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
      expect(denied.body).toEqual({ success: false, error: 'unauthorized' });
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
      if (major >= 8) {
        expect(byEmail.body.user._id).toBe(target.userId);
      } else {
        expect(byEmail.status).toBe(400);
        expect(byEmail.body.errorType).toBe('invalid-params');
      }
    });
  },
);
