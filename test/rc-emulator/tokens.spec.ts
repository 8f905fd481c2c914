import { createHash, randomBytes } from 'node:crypto';
import { MongoClient } from 'mongodb';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabaseUri } from '../support/mongo.js';
import {
  startRocketChatEmulator,
  type CreatedUser,
  type RocketChatEmulator,
} from './index.js';
import { RcClient, asCredentials } from './test-helpers.js';

const NOT_AUTHORIZED_8 = {
  success: false,
  error: 'Not authorized [error-not-authorized]',
  errorType: 'error-not-authorized',
};
const NOT_AUTHORIZED_7 = {
  ...NOT_AUTHORIZED_8,
  details: { method: 'createToken' },
};

describe('rc-emulator: users.createToken gating (protocol doc §5.4)', () => {
  let emu: RocketChatEmulator;
  let rc: RcClient;
  let admin: CreatedUser;
  let target: CreatedUser;

  beforeAll(async () => {
    const { uri } = freshDatabaseUri('rcemu_ct');
    emu = await startRocketChatEmulator({
      mongoUri: uri,
      version: '7.10.0',
      rateLimit: { enabled: false },
    });
    rc = new RcClient(emu.url);
    admin = await emu.control.createAdmin();
    // With a login token: gating is tested here, bug #40598 below.
    target = await emu.control.createUser({
      username: 'target',
      resumeToken: true,
    });
  });

  afterEach(() => {
    emu.control.setVersion('7.10.0');
    emu.control.setEnv({
      CREATE_TOKENS_FOR_USERS: undefined,
      CREATE_TOKENS_FOR_USERS_SECRET: undefined,
    });
  });

  afterAll(async () => {
    await emu.close();
  });

  it('should refuse 7.x createToken unless CREATE_TOKENS_FOR_USERS is true or yes', async () => {
    const refused = await rc.post(
      '/api/v1/users.createToken',
      { userId: target.userId },
      { auth: asCredentials(admin) },
    );
    expect(refused.status).toBe(400);
    expect(refused.body).toEqual(NOT_AUTHORIZED_7);
    for (const flag of ['true', 'yes']) {
      emu.control.setEnv({ CREATE_TOKENS_FOR_USERS: flag });
      const ok = await rc.post(
        '/api/v1/users.createToken',
        { username: 'target' },
        { auth: asCredentials(admin) },
      );
      expect(ok.status).toBe(200);
      expect(ok.body).toEqual({
        data: { userId: target.userId, authToken: expect.any(String) },
        success: true,
      });
      expect(
        await emu.control.checkToken(ok.body.data.authToken, target.userId),
      ).toMatchObject({ valid: true, kind: 'resume' });
    }
  });

  it('should refuse 7.x createToken for another user without user-generate-access-token', async () => {
    emu.control.setEnv({ CREATE_TOKENS_FOR_USERS: 'true' });
    const plain = await emu.control.createUser({
      pat: true,
      resumeToken: true,
    });
    const other = await rc.post(
      '/api/v1/users.createToken',
      { userId: target.userId },
      { auth: asCredentials(plain) },
    );
    expect(other.body).toEqual(NOT_AUTHORIZED_7);
    const self = await rc.post(
      '/api/v1/users.createToken',
      { userId: plain.userId },
      { auth: asCredentials(plain) },
    );
    expect(self.status).toBe(200);
    const unknown = await rc.post(
      '/api/v1/users.createToken',
      { userId: 'NoSuchUser1234567' },
      { auth: asCredentials(admin) },
    );
    expect(unknown.body.errorType).toBe('error-invalid-user');
  });

  it('should refuse 8.x createToken unless the secret is set and equal', async () => {
    emu.control.setVersion('8.0.0');
    const unset = await rc.post(
      '/api/v1/users.createToken',
      { userId: target.userId, secret: 'anything' },
      { auth: asCredentials(admin) },
    );
    expect(unset.status).toBe(400);
    expect(unset.body).toEqual(NOT_AUTHORIZED_8);
    emu.control.setEnv({ CREATE_TOKENS_FOR_USERS_SECRET: 's3cret-value' });
    const wrong = await rc.post(
      '/api/v1/users.createToken',
      { userId: target.userId, secret: 'nope' },
      { auth: asCredentials(admin) },
    );
    expect(wrong.body).toEqual(NOT_AUTHORIZED_8);
    const ok = await rc.post(
      '/api/v1/users.createToken',
      { userId: target.userId, secret: 's3cret-value' },
      { auth: asCredentials(admin) },
    );
    expect(ok.status).toBe(200);
    expect(ok.body.data.userId).toBe(target.userId);
    // CREATE_TOKENS_FOR_USERS alone means nothing any more.
    emu.control.setEnv({
      CREATE_TOKENS_FOR_USERS: 'true',
      CREATE_TOKENS_FOR_USERS_SECRET: undefined,
    });
    const legacy = await rc.post(
      '/api/v1/users.createToken',
      { userId: target.userId, secret: 'x' },
      { auth: asCredentials(admin) },
    );
    expect(legacy.body).toEqual(NOT_AUTHORIZED_8);
  });

  it('should reject a 8.x createToken body with username or without secret before authenticating', async () => {
    emu.control.setVersion('8.0.0');
    emu.control.setEnv({ CREATE_TOKENS_FOR_USERS_SECRET: 's3cret-value' });
    const byName = await rc.post('/api/v1/users.createToken', {
      username: 'target',
      secret: 's3cret-value',
    });
    expect(byName.status).toBe(400);
    expect(byName.body).toEqual({
      success: false,
      errorType: 'invalid-params',
      error: "must have required property 'userId'",
    });
    const extra = await rc.post(
      '/api/v1/users.createToken',
      { userId: target.userId, username: 'target', secret: 's3cret-value' },
      { auth: asCredentials(admin) },
    );
    expect(extra.body.error).toBe('must NOT have additional properties');
  });

  it('should require user-generate-access-token on 8.x, and 2FA only with PR #41388', async () => {
    emu.control.setVersion('8.0.0');
    emu.control.setEnv({ CREATE_TOKENS_FOR_USERS_SECRET: 's3cret-value' });
    emu.control.revokePermission('user-generate-access-token', 'admin');
    try {
      const denied = await rc.post(
        '/api/v1/users.createToken',
        { userId: target.userId, secret: 's3cret-value' },
        { auth: asCredentials(admin) },
      );
      expect(denied.body).toEqual(NOT_AUTHORIZED_8);
    } finally {
      emu.control.grantPermission('user-generate-access-token', 'admin');
    }
    const session = await emu.control.createUser({
      roles: ['admin'],
      resumeToken: true,
      createdAt: '2020-01-01',
    });
    const released = await rc.post(
      '/api/v1/users.createToken',
      { userId: target.userId, secret: 's3cret-value' },
      {
        auth: { userId: session.userId, token: session.resumeToken as string },
      },
    );
    expect(released.status).toBe(200);
    emu.control.setQuirks({ twoFactorOnUserCreation: true });
    const noCode = await rc.post(
      '/api/v1/users.createToken',
      { userId: target.userId, secret: 's3cret-value' },
      {
        auth: { userId: session.userId, token: session.resumeToken as string },
      },
    );
    expect(noCode.body).toMatchObject({
      errorType: 'totp-required',
      details: { method: 'password', codeGenerated: false },
    });
    const nonBypassPat = await emu.control.createUser({
      roles: ['admin'],
      pat: { bypassTwoFactor: false },
      createdAt: '2020-01-01',
    });
    const patNoBypass = await rc.post(
      '/api/v1/users.createToken',
      { userId: target.userId, secret: 's3cret-value' },
      { auth: asCredentials(nonBypassPat) },
    );
    expect(patNoBypass.body.errorType).toBe('totp-required');
    const bypass = await rc.post(
      '/api/v1/users.createToken',
      { userId: target.userId, secret: 's3cret-value' },
      { auth: asCredentials(admin) },
    );
    expect(bypass.status).toBe(200);
    emu.control.setQuirks({ twoFactorOnUserCreation: false });
  });
});

describe('rc-emulator: resume tokens, hashing, cap and expiry (protocol doc §4.3)', () => {
  let emu: RocketChatEmulator;
  let rc: RcClient;
  let mongo: MongoClient;
  let dbName: string;

  beforeAll(async () => {
    const fresh = freshDatabaseUri('rcemu_tok');
    dbName = fresh.dbName;
    emu = await startRocketChatEmulator({
      mongoUri: fresh.uri,
      version: '8.0.0',
      rateLimit: { enabled: false },
      env: { CREATE_TOKENS_FOR_USERS_SECRET: 'cap-secret' },
    });
    rc = new RcClient(emu.url);
    mongo = await new MongoClient(fresh.uri).connect();
  });

  afterAll(async () => {
    await mongo.close();
    await emu.close();
  });

  it('should authenticate a token pushed straight into Mongo as {when, hashedToken}', async () => {
    const user = await emu.control.createUser({});
    const clear = randomBytes(32).toString('base64url');
    const hashedToken = createHash('sha256').update(clear).digest('base64');
    await mongo
      .db(dbName)
      .collection('users')
      .updateOne(
        { _id: user.userId as never },
        {
          $push: {
            'services.resume.loginTokens': { when: new Date(), hashedToken },
          } as never,
        },
      );
    const me = await rc.get('/api/v1/me', {
      auth: { userId: user.userId, token: clear },
    });
    expect(me.status).toBe(200);
    expect(me.body._id).toBe(user.userId);
    const resume = await rc.post('/api/v1/login', { resume: clear });
    expect(resume.status).toBe(200);
    expect(resume.body.data.authToken).toBe(clear);
  });

  it('should keep at most 50 resume tokens, evicting the oldest and never the PAT', async () => {
    const admin = await emu.control.createAdmin();
    const target = await emu.control.createUser({ pat: true });
    const first = await emu.control.issueResumeToken(target.userId, {
      when: Date.now() - 60_000,
    });
    for (let i = 0; i < 48; i += 1) {
      await emu.control.issueResumeToken(target.userId, {
        when: Date.now() - 50_000 + i,
      });
    }
    expect(await emu.control.tokenCount(target.userId, 'resume')).toBe(49);
    const made = [];
    for (let i = 0; i < 2; i += 1) {
      const answer = await rc.post(
        '/api/v1/users.createToken',
        { userId: target.userId, secret: 'cap-secret' },
        { auth: asCredentials(admin) },
      );
      made.push(answer.body.data.authToken as string);
    }
    expect(await emu.control.tokenCount(target.userId, 'resume')).toBe(50);
    expect(
      await emu.control.tokenCount(target.userId, 'personalAccessToken'),
    ).toBe(1);
    expect((await emu.control.checkToken(first)).valid).toBe(false);
    for (const token of made) {
      expect((await emu.control.checkToken(token)).valid).toBe(true);
    }
  });

  it('should honour MAX_RESUME_LOGIN_TOKENS', async () => {
    emu.control.setEnv({ MAX_RESUME_LOGIN_TOKENS: 3 });
    try {
      const user = await emu.control.createUser({
        password: 'Cap-Test-Pass-1!',
        email2fa: false,
      });
      for (let i = 0; i < 5; i += 1) {
        expect(
          (
            await rc.post('/api/v1/login', {
              user: user.username,
              password: 'Cap-Test-Pass-1!',
            })
          ).status,
        ).toBe(200);
      }
      expect(await emu.control.tokenCount(user.userId, 'resume')).toBe(3);
    } finally {
      emu.control.setEnv({ MAX_RESUME_LOGIN_TOKENS: undefined });
    }
  });

  it('should refuse an expired token on resume login but not on REST calls', async () => {
    const user = await emu.control.createUser({ resumeToken: true });
    const token = user.resumeToken as string;
    expect(await emu.control.expireToken(user.userId, token)).toBe(true);
    expect(await emu.control.checkToken(token)).toMatchObject({
      valid: true,
      expired: true,
    });
    const resume = await rc.post('/api/v1/login', { resume: token });
    expect(resume.status).toBe(401);
    expect(resume.body.error).toBe('Unauthorized');
    const rest = await rc.get('/api/v1/me', {
      auth: { userId: user.userId, token },
    });
    expect(rest.status).toBe(200);
  });

  it('should generate a PAT only after 2FA: password fallback headers or a young account', async () => {
    const old = await emu.control.createUser({
      password: 'Old-Account-Pass-1',
      resumeToken: true,
      createdAt: '2020-01-01',
    });
    const auth = { userId: old.userId, token: old.resumeToken as string };
    const noCode = await rc.post(
      '/api/v1/users.generatePersonalAccessToken',
      { tokenName: 'bridge', bypassTwoFactor: true },
      { auth },
    );
    expect(noCode.status).toBe(400);
    expect(noCode.body).toEqual({
      success: false,
      error: 'TOTP Required [totp-required]',
      errorType: 'totp-required',
      details: {
        method: 'password',
        codeGenerated: false,
        availableMethods: [],
      },
    });
    const wrong = await rc.post(
      '/api/v1/users.generatePersonalAccessToken',
      { tokenName: 'bridge' },
      {
        auth,
        headers: {
          'x-2fa-method': 'password',
          'x-2fa-code': createHash('sha256').update('nope').digest('hex'),
        },
      },
    );
    expect(wrong.body.errorType).toBe('totp-invalid');
    const digest = createHash('sha256')
      .update('Old-Account-Pass-1')
      .digest('hex');
    const ok = await rc.post(
      '/api/v1/users.generatePersonalAccessToken',
      { tokenName: 'bridge', bypassTwoFactor: true },
      {
        auth,
        headers: { 'x-2fa-method': 'password', 'x-2fa-code': digest },
      },
    );
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual({
      token: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      success: true,
    });
    // The 2FA is remembered for this token (same user agent and IP) for RememberFor seconds.
    const again = await rc.post(
      '/api/v1/users.generatePersonalAccessToken',
      { tokenName: 'bridge' },
      { auth },
    );
    expect(again.body).toMatchObject({
      errorType: 'error-token-already-exists',
      error:
        'A token with this name already exists [error-token-already-exists]',
    });
    const pat = await rc.get('/api/v1/me', {
      auth: { userId: old.userId, token: ok.body.token },
    });
    expect(pat.status).toBe(200);

    const young = await emu.control.createUser({ resumeToken: true });
    const youngOk = await rc.post(
      '/api/v1/users.generatePersonalAccessToken',
      { tokenName: 'bridge' },
      {
        auth: { userId: young.userId, token: young.resumeToken as string },
      },
    );
    expect(youngOk.status).toBe(200);
  });

  it('should list and remove personal access tokens', async () => {
    const user = await emu.control.createUser({
      pat: { name: 'bridge', bypassTwoFactor: true },
    });
    const list = await rc.get('/api/v1/users.getPersonalAccessTokens', {
      auth: asCredentials(user),
    });
    expect(list.body).toEqual({
      tokens: [
        {
          name: 'bridge',
          createdAt: expect.any(String),
          lastTokenPart: (user.pat as string).slice(-6),
          bypassTwoFactor: true,
        },
      ],
      success: true,
    });
    const second = await emu.control.addPersonalAccessToken(
      user.userId,
      'other',
    );
    const removed = await rc.post(
      '/api/v1/users.removePersonalAccessToken',
      { tokenName: 'other' },
      { auth: asCredentials(user) },
    );
    expect(removed.body).toEqual({ success: true });
    expect((await emu.control.checkToken(second)).valid).toBe(false);
    const missing = await rc.post(
      '/api/v1/users.removePersonalAccessToken',
      { tokenName: 'other' },
      { auth: asCredentials(user) },
    );
    expect(missing.body.errorType).toBe('error-token-does-not-exists');
  });
});
