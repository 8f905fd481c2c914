import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RocketChatEmulator } from './index.js';
import { RcClient, asCredentials, startTestEmulator } from './test-helpers.js';

describe('rc-emulator: login, logout, me and /api/info', () => {
  let emu: RocketChatEmulator;
  let rc: RcClient;

  beforeAll(async () => {
    emu = await startTestEmulator({
      version: '8.0.0',
      rateLimit: { enabled: false },
    });
    rc = new RcClient(emu.url);
  });

  afterAll(async () => {
    await emu.close();
  });

  it('should log in with username or e-mail and return a resume token stored hashed', async () => {
    const user = await emu.control.createUser({
      username: 'alice',
      password: 'Correct-Horse-9!',
    });
    const byName = await rc.post('/api/v1/login', {
      user: 'alice',
      password: 'Correct-Horse-9!',
    });
    expect(byName.status).toBe(200);
    expect(byName.body).toMatchObject({
      status: 'success',
      success: true,
      data: { userId: user.userId, me: { username: 'alice' } },
    });
    const token = byName.body.data.authToken as string;
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(await emu.control.checkToken(token)).toMatchObject({
      valid: true,
      kind: 'resume',
    });
    const byEmail = await rc.post('/api/v1/login', {
      user: user.email,
      password: 'Correct-Horse-9!',
    });
    expect(byEmail.status).toBe(200);
    expect(await emu.control.tokenCount(user.userId, 'resume')).toBe(2);
  });

  it('should answer a wrong password or unknown user with the ambiguous 401 envelope', async () => {
    await emu.control.createUser({
      username: 'bob',
      password: 'Right-Password-1',
    });
    for (const body of [
      { user: 'bob', password: 'wrong' },
      { user: 'nobody', password: 'wrong' },
    ]) {
      const answer = await rc.post('/api/v1/login', body);
      expect(answer.status).toBe(401);
      expect(answer.body).toEqual({
        success: false,
        status: 'error',
        error: 'Unauthorized',
        message: 'Unauthorized',
      });
    }
  });

  it('should log in with a resume token without issuing a new one', async () => {
    const user = await emu.control.createUser({ resumeToken: true });
    const answer = await rc.post('/api/v1/login', { resume: user.resumeToken });
    expect(answer.status).toBe(200);
    expect(answer.body.data.authToken).toBe(user.resumeToken);
    expect(await emu.control.tokenCount(user.userId)).toBe(1);
  });

  it('should require a TOTP code from a TOTP user and accept the right one', async () => {
    const user = await emu.control.createUser({
      totp: true,
      password: 'Totp-User-Pass-1',
    });
    const first = await rc.post('/api/v1/login', {
      user: user.username,
      password: 'Totp-User-Pass-1',
    });
    expect(first.status).toBe(401);
    expect(first.body).toEqual({
      success: false,
      status: 'error',
      error: 'totp-required',
      message: 'TOTP Required',
      details: {
        method: 'totp',
        codeGenerated: false,
        availableMethods: ['totp'],
      },
    });
    const code = emu.control.totpCode(user.totpSecret as string);
    const second = await rc.post(
      '/api/v1/login',
      { user: user.username, password: 'Totp-User-Pass-1' },
      { headers: { 'x-2fa-code': code } },
    );
    expect(second.status).toBe(200);
  });

  it('should require the e-mailed code from a verified e-mail 2FA user', async () => {
    const user = await emu.control.createUser({
      verified: true,
      email2fa: true,
      password: 'Mail-User-Pass-1',
    });
    const first = await rc.post('/api/v1/login', {
      user: user.username,
      password: 'Mail-User-Pass-1',
    });
    expect(first.status).toBe(401);
    expect(first.body.error).toBe('totp-required');
    expect(first.body.details).toMatchObject({
      method: 'email',
      codeGenerated: true,
      availableMethods: ['email'],
    });
    const code = emu.control.lastEmailCode(user.userId) as string;
    const second = await rc.post('/api/v1/login', {
      user: user.username,
      password: 'Mail-User-Pass-1',
      code,
    });
    expect(second.status).toBe(200);
  });

  it('should refuse an inactive user', async () => {
    const user = await emu.control.createUser({
      active: false,
      password: 'Inactive-Pass-1',
    });
    const answer = await rc.post('/api/v1/login', {
      user: user.username,
      password: 'Inactive-Pass-1',
    });
    expect(answer.status).toBe(401);
    expect(answer.body).toMatchObject({
      error: 'error-user-is-not-activated',
      message: 'User is not activated',
    });
  });

  it('should remove only the calling token on logout', async () => {
    const user = await emu.control.createUser({ resumeToken: true, pat: true });
    const other = await emu.control.issueResumeToken(user.userId);
    const answer = await rc.post(
      '/api/v1/logout',
      {},
      { auth: { userId: user.userId, token: other } },
    );
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({
      status: 'success',
      data: { message: "You've been logged out!" },
      success: true,
    });
    expect((await emu.control.checkToken(other)).valid).toBe(false);
    expect(
      (await emu.control.checkToken(user.resumeToken as string)).valid,
    ).toBe(true);
    expect((await emu.control.checkToken(user.pat as string)).valid).toBe(true);
  });

  it('should answer /me with the caller and the 401 envelope without valid credentials', async () => {
    const user = await emu.control.createUser({ pat: true, verified: true });
    const me = await rc.get('/api/v1/me', { auth: asCredentials(user) });
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({
      _id: user.userId,
      username: user.username,
      email: user.email,
      success: true,
    });
    expect(me.body.services).toEqual({
      password: { exists: true },
      email2fa: { enabled: true },
    });
    expect(JSON.stringify(me.body)).not.toContain('loginTokens');
    for (const auth of [
      undefined,
      { userId: user.userId, token: 'not-a-token' },
    ]) {
      const denied = await rc.get('/api/v1/me', { auth });
      expect(denied.status).toBe(401);
      expect(denied.body).toEqual({
        success: false,
        error: 'You must be logged in to do this.',
        status: 'error',
        message: 'You must be logged in to do this.',
      });
    }
  });

  it('should answer unknown API routes with a plain 404', async () => {
    const answer = await rc.get('/api/v1/no.such.endpoint');
    expect(answer.status).toBe(404);
    expect(answer.text).toBe('404 Not Found');
  });

  it('should disclose only major.minor to anonymous callers of /api/info and more to admins', async () => {
    const anonymous = await rc.get('/api/info');
    expect(anonymous.body).toMatchObject({ version: '8.0', success: true });
    expect(anonymous.body.info).toBeUndefined();
    const admin = await emu.control.createAdmin();
    const full = await rc.get('/api/info', { auth: asCredentials(admin) });
    expect(full.body).toMatchObject({
      version: '8.0.0',
      info: { version: '8.0.0' },
      success: true,
    });
    const plain = await emu.control.createUser({ pat: true });
    expect(
      (await rc.get('/api/info', { auth: asCredentials(plain) })).body.version,
    ).toBe('8.0');
  });
});
