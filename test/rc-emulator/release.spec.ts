import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CreatedUser, RocketChatEmulator } from './index.js';
import { RcClient, asCredentials, startTestEmulator } from './test-helpers.js';

const SECRET = 'release-secret-0001';
const TYPE_ERROR = {
  success: false,
  error: "Cannot read properties of undefined (reading 'tokens')",
};

/** `users.createToken` with the body of the version (7.x flag, 8.x+ secret). */
function createToken(
  rc: RcClient,
  caller: CreatedUser,
  userId: string,
  major: number,
) {
  return rc.post(
    '/api/v1/users.createToken',
    major >= 8 ? { userId, secret: SECRET } : { userId },
    { auth: asCredentials(caller) },
  );
}

describe('rc-emulator: bug #40598 in users.createToken', () => {
  let emu: RocketChatEmulator;
  let rc: RcClient;
  let admin: CreatedUser;

  beforeAll(async () => {
    emu = await startTestEmulator({
      version: '7.13.7',
      rateLimit: { enabled: false },
      env: {
        CREATE_TOKENS_FOR_USERS: 'true',
        CREATE_TOKENS_FOR_USERS_SECRET: SECRET,
      },
    });
    rc = new RcClient(emu.url);
    admin = await emu.control.createAdmin();
  });

  afterAll(async () => {
    await emu.close();
  });

  it.each([
    ['7.13.7', true],
    ['8.0.0', true],
    ['8.0.8', false],
    ['8.1.3', true],
    ['8.2.7', false],
    ['8.4.1', true],
    ['8.5.0', false],
    ['9.0.1', false],
  ])(
    'on %s (affected: %s), answers a user without login tokens as reported and keeps the token',
    async (version, affected) => {
      emu.control.setVersion(version);
      const major = Number(version[0]);
      // Created as users.create does: no services.resume at all, only a password.
      const fresh = await emu.control.createUser({});
      const first = await createToken(rc, admin, fresh.userId, major);
      expect(first.status).toBe(affected ? 400 : 200);
      expect(affected ? first.body : TYPE_ERROR).toEqual(TYPE_ERROR);
      expect(first.body.error).toBe(affected ? TYPE_ERROR.error : undefined);
      // Either way Rocket.Chat stored a token (when affected one it never handed out); the next
      // call finds it and succeeds.
      expect(await emu.control.tokenCount(fresh.userId, 'resume')).toBe(1);
      const second = await createToken(rc, admin, fresh.userId, major);
      expect(second.status).toBe(200);
      expect(await emu.control.tokenCount(fresh.userId, 'resume')).toBe(2);
    },
  );

  it('should hit users whose only tokens are personal access tokens, or whose tokens were all removed', async () => {
    emu.control.setVersion('8.0.0');
    const patOnly = await emu.control.createUser({ pat: true });
    expect((await createToken(rc, admin, patOnly.userId, 8)).body).toEqual(
      TYPE_ERROR,
    );
    const loggedOut = await emu.control.createUser({ resumeToken: true });
    await emu.control.logoutEverywhere(loggedOut.userId);
    expect((await createToken(rc, admin, loggedOut.userId, 8)).body).toEqual(
      TYPE_ERROR,
    );
    const active = await emu.control.createUser({ resumeToken: true });
    expect((await createToken(rc, admin, active.userId, 8)).status).toBe(200);
  });

  it('should follow the emulator option over the version', async () => {
    emu.control.setVersion('9.0.1');
    emu.control.setQuirks({ issue40598: true });
    try {
      const fresh = await emu.control.createUser({});
      expect((await createToken(rc, admin, fresh.userId, 9)).body).toEqual(
        TYPE_ERROR,
      );
      expect(emu.control.quirks().issue40598Active).toBe(true);
    } finally {
      emu.control.setQuirks({ issue40598: null });
    }
    expect(emu.control.quirks().issue40598Active).toBe(false);
  });
});

describe('rc-emulator: users.logoutOtherClients', () => {
  let emu: RocketChatEmulator;
  let rc: RcClient;

  beforeAll(async () => {
    emu = await startTestEmulator({ version: '8.0.0' });
    rc = new RcClient(emu.url);
  });

  afterAll(async () => {
    await emu.close();
  });

  it("should keep the caller's token and its personal access tokens and remove the other login tokens", async () => {
    const user = await emu.control.createUser({ resumeToken: true, pat: true });
    const other = await emu.control.issueResumeToken(user.userId);
    const answer = await rc.post(
      '/api/v1/users.logoutOtherClients',
      undefined,
      {
        auth: { userId: user.userId, token: user.resumeToken as string },
      },
    );
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({
      token: user.resumeToken,
      tokenExpires: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      success: true,
    });
    expect(await emu.control.checkToken(other, user.userId)).toMatchObject({
      valid: false,
    });
    expect(await emu.control.tokenCount(user.userId, 'resume')).toBe(1);
    expect(
      await emu.control.tokenCount(user.userId, 'personalAccessToken'),
    ).toBe(1);
  });
});

describe('rc-emulator 9.x: what changed for the bridge', () => {
  let emu: RocketChatEmulator;
  let rc: RcClient;
  let admin: CreatedUser;

  beforeAll(async () => {
    emu = await startTestEmulator({
      version: '9.0.1',
      rateLimit: { enabled: false },
      env: { CREATE_TOKENS_FOR_USERS_SECRET: SECRET },
    });
    rc = new RcClient(emu.url);
    admin = await emu.control.createAdmin();
  });

  afterAll(async () => {
    await emu.close();
  });

  it('should disclose 9.0 in /api/info', async () => {
    const info = await rc.get('/api/info');
    expect(info.body).toMatchObject({ version: '9.0', success: true });
  });

  it('should answer a missing login with 401 but no status/message fields', async () => {
    const anonymous = await rc.get('/api/v1/me');
    expect(anonymous.status).toBe(401);
    expect(anonymous.body).toEqual({
      success: false,
      error: 'You must be logged in to do this.',
    });
  });

  it('should answer every refused login the same, a second factor included', async () => {
    const wrong = await rc.post('/api/v1/login', {
      user: admin.username,
      password: 'not-the-password',
    });
    const totp = await emu.control.createUser({ totp: true });
    const needsCode = await rc.post('/api/v1/login', {
      user: totp.username,
      password: totp.password,
    });
    for (const answer of [wrong, needsCode]) {
      expect(answer.status).toBe(401);
      expect(answer.body).toEqual({ success: false, error: 'unauthorized' });
    }
  });

  it('should refuse createToken and personal access tokens with 403 error-forbidden', async () => {
    const fresh = await emu.control.createUser({ resumeToken: true });
    const wrongSecret = await rc.post(
      '/api/v1/users.createToken',
      { userId: fresh.userId, secret: 'not-the-secret' },
      { auth: asCredentials(admin) },
    );
    expect(wrongSecret.status).toBe(403);
    expect(wrongSecret.body).toEqual({
      success: false,
      error: 'Not authorized [error-not-authorized]',
      errorType: 'error-forbidden',
    });
    emu.control.revokePermission('create-personal-access-tokens', 'user');
    try {
      const plain = await emu.control.createUser({
        resumeToken: true,
        createdAt: new Date(),
      });
      const pat = await rc.post(
        '/api/v1/users.generatePersonalAccessToken',
        { tokenName: 'mine' },
        {
          auth: { userId: plain.userId, token: plain.resumeToken as string },
        },
      );
      expect(pat.status).toBe(403);
      expect(pat.body).toEqual({
        success: false,
        error: 'Not Authorized [not-authorized]',
        errorType: 'error-forbidden',
      });
    } finally {
      emu.control.grantPermission('create-personal-access-tokens', 'user');
    }
  });

  it('should keep Accounts_Iframe_api_method a select (POST, GET) that REST still writes unchecked', async () => {
    expect(emu.control.settingInfo('Accounts_Iframe_api_method')).toEqual({
      type: 'select',
      values: ['POST', 'GET'],
      blocked: false,
    });
    const written = await rc.post(
      '/api/v1/settings/Accounts_Iframe_api_method',
      { value: 'post' },
      { auth: asCredentials(admin) },
    );
    expect(written.status).toBe(200);
    expect(emu.control.getSetting('Accounts_Iframe_api_method')).toBe('post');
  });

  it('should ignore the removed query parameter of settings.public', async () => {
    const byQuery = await rc.get('/api/v1/settings.public', {
      query: { query: JSON.stringify({ _id: 'Accounts_iframe_enabled' }) },
    });
    expect(byQuery.body.total).toBeGreaterThan(1);
    const byId = await rc.get('/api/v1/settings.public', {
      query: { _id: 'Accounts_iframe_enabled,Accounts_Iframe_api_url' },
    });
    expect(byId.body.total).toBe(2);
  });
});

describe('rc-emulator: SETTINGS_BLOCKED and the break-glass REST path', () => {
  let emu: RocketChatEmulator;
  let rc: RcClient;

  beforeAll(async () => {
    emu = await startTestEmulator({
      version: '9.0.1',
      env: {
        SETTINGS_BLOCKED:
          'Accounts_iframe_enabled, Accounts_iframe_url,Accounts_Iframe_api_url,Accounts_Iframe_api_method',
      },
      settings: { Accounts_iframe_enabled: true },
    });
    rc = new RcClient(emu.url);
  });

  afterAll(async () => {
    await emu.close();
  });

  it('should mark the listed settings blocked, and still let an admin switch iframe login off over REST', async () => {
    for (const id of [
      'Accounts_iframe_enabled',
      'Accounts_iframe_url',
      'Accounts_Iframe_api_url',
      'Accounts_Iframe_api_method',
    ]) {
      expect(emu.control.settingInfo(id)?.blocked).toBe(true);
    }
    expect(emu.control.settingInfo('Site_Url')?.blocked).toBe(false);
    // Break-glass: a password login over REST, then the setting (admin, 2FA by password fallback).
    const admin = await emu.control.createAdmin({ createdAt: new Date() });
    const login = await rc.post('/api/v1/login', {
      user: admin.username,
      password: admin.password,
    });
    expect(login.status).toBe(200);
    const auth = {
      userId: login.body.data.userId,
      token: login.body.data.authToken,
    };
    const off = await rc.post(
      '/api/v1/settings/Accounts_iframe_enabled',
      { value: false },
      { auth },
    );
    expect(off.status).toBe(200);
    expect(emu.control.getSetting('Accounts_iframe_enabled')).toBe(false);
    emu.control.restart();
    expect(emu.control.settingInfo('Accounts_iframe_enabled')?.blocked).toBe(
      true,
    );
  });
});
