import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { CreatedUser, RocketChatEmulator } from './index.js';
import { RcClient, asCredentials, startTestEmulator } from './test-helpers.js';

describe('rc-emulator: fault injection, call log, settings and control API', () => {
  let emu: RocketChatEmulator;
  let rc: RcClient;
  let admin: CreatedUser;

  beforeAll(async () => {
    emu = await startTestEmulator({
      version: '8.0.0',
      rateLimit: { enabled: false },
      env: { CREATE_TOKENS_FOR_USERS_SECRET: 'fault-secret' },
    });
    rc = new RcClient(emu.url);
    // A login token already there: the fault tests are not about #40598 (tokens.spec.ts is).
    admin = await emu.control.createAdmin({ resumeToken: true });
  });

  afterEach(() => {
    emu.control.clearFaults();
  });

  afterAll(async () => {
    await emu.close();
  });

  const createToken = () =>
    rc.post(
      '/api/v1/users.createToken',
      { userId: admin.userId, secret: 'fault-secret' },
      { auth: asCredentials(admin) },
    );

  it('should answer a fixed status for N calls, then behave normally', async () => {
    emu.control.injectFault({
      route: 'users.createToken',
      action: { type: 'status', status: 503 },
      times: 2,
    });
    expect((await createToken()).status).toBe(503);
    expect((await createToken()).status).toBe(503);
    expect((await createToken()).status).toBe(200);
    expect(emu.control.faults()).toEqual([]);
  });

  it('should inject 429 with rate-limit headers, 500 and 502 on every route', async () => {
    emu.control.injectFault({
      route: '*',
      action: { type: 'status', status: 429 },
      times: 1,
    });
    const limited = await rc.get('/api/v1/me', { auth: asCredentials(admin) });
    expect(limited.status).toBe(429);
    expect(limited.body.error).toContain('[error-too-many-requests]');
    expect(limited.headers.get('x-ratelimit-remaining')).toBe('0');
    expect(Number(limited.headers.get('x-ratelimit-reset'))).toBeGreaterThan(
      Date.now(),
    );
    emu.control.injectFault({
      route: '*',
      action: { type: 'status', status: 500 },
      times: 1,
    });
    expect((await rc.get('/api/info')).status).toBe(500);
    emu.control.injectFault({
      route: 'info',
      method: 'GET',
      action: { type: 'html' },
      times: 1,
    });
    const html = await rc.get('/api/info');
    expect(html.status).toBe(502);
    expect(html.headers.get('content-type')).toContain('text/html');
    expect(html.body).toBeUndefined();
  });

  it('should add latency, or hang until the client gives up, or close the socket', async () => {
    emu.control.injectFault({
      route: 'info',
      action: { type: 'latency', ms: 300 },
      times: 1,
    });
    const started = Date.now();
    expect((await rc.get('/api/info')).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(280);

    emu.control.injectFault({
      route: 'info',
      action: { type: 'hang' },
      times: 1,
    });
    await expect(
      rc.get('/api/info', { signal: AbortSignal.timeout(300) }),
    ).rejects.toThrow(/aborted|timeout/i);

    emu.control.injectFault({
      route: 'info',
      action: { type: 'close' },
      times: 1,
    });
    await expect(rc.get('/api/info')).rejects.toThrow('fetch failed');
    expect((await rc.get('/api/info')).status).toBe(200);
  });

  it('should serve malformed bodies: truncated JSON, success:false, no authToken', async () => {
    emu.control.injectFault({
      route: 'users.createToken',
      action: { type: 'truncated-json' },
      times: 1,
    });
    const truncated = await createToken();
    expect(truncated.status).toBe(200);
    expect(truncated.headers.get('content-type')).toBe('application/json');
    expect(truncated.body).toBeUndefined();
    emu.control.injectFault({
      route: 'users.createToken',
      action: { type: 'success-false' },
      times: 1,
    });
    expect((await createToken()).body).toEqual({ success: false });
    emu.control.injectFault({
      route: 'users.createToken',
      action: { type: 'no-auth-token' },
      times: 1,
    });
    const noToken = await createToken();
    expect(noToken.body).toEqual({
      data: { userId: admin.userId },
      success: true,
    });
    emu.control.injectFault({
      route: 'login',
      action: { type: 'no-auth-token' },
      times: 1,
    });
    const login = await rc.post('/api/v1/login', {
      user: admin.username,
      password: admin.password,
    });
    expect(login.body.data.authToken).toBeUndefined();
  });

  it('should log calls with route, status and caller but never tokens, countable and clearable', async () => {
    emu.control.clearCalls();
    await createToken();
    await createToken();
    await rc.get('/api/v1/me');
    expect(emu.control.countCalls('users.createToken')).toBe(2);
    const [call] = emu.control.calls({ route: 'users.createToken' });
    expect(call).toMatchObject({
      method: 'POST',
      path: '/api/v1/users.createToken',
      status: 200,
      userId: admin.userId,
      fault: null,
    });
    expect(call.at).toBeInstanceOf(Date);
    expect(emu.control.calls({ route: 'me' })[0]).toMatchObject({
      status: 401,
      userId: null,
    });
    const serialized = JSON.stringify(emu.control.calls());
    expect(serialized).not.toContain(admin.pat as string);
    expect(serialized).not.toContain('fault-secret');
    emu.control.clearCalls();
    expect(emu.control.countCalls()).toBe(0);
  });

  it('should read and change settings over REST, gated by permissions and 2FA', async () => {
    const read = await rc.get('/api/v1/settings/Accounts_iframe_enabled', {
      auth: asCredentials(admin),
    });
    expect(read.body).toEqual({
      _id: 'Accounts_iframe_enabled',
      value: false,
      success: true,
    });
    const write = await rc.post(
      '/api/v1/settings/Accounts_iframe_enabled',
      { value: true },
      { auth: asCredentials(admin) },
    );
    expect(write.body).toEqual({ success: true });
    expect(emu.control.getSetting('Accounts_iframe_enabled')).toBe(true);
    expect(
      (
        await rc.get('/api/v1/settings/No_Such_Setting', {
          auth: asCredentials(admin),
        })
      ).body,
    ).toEqual({ success: false });
    const plain = await emu.control.createUser({ pat: true });
    const denied = await rc.get('/api/v1/settings/Accounts_iframe_enabled', {
      auth: asCredentials(plain),
    });
    expect(denied.status).toBe(403);
    expect(denied.body).toEqual({
      success: false,
      error:
        'User does not have the permissions required for this action [error-unauthorized]',
    });
    emu.control.revokePermission('view-privileged-setting', 'admin');
    expect(
      (
        await rc.get('/api/v1/settings/Site_Url', {
          auth: asCredentials(admin),
        })
      ).status,
    ).toBe(403);
    emu.control.grantPermission('view-privileged-setting', 'admin');
  });

  it('should list public settings anonymously and permissions for a caller', async () => {
    emu.control.configureIframe({
      iframeUrl: 'http://bridge.test/login',
      apiUrl: 'http://bridge.test/api',
    });
    const pub = await rc.get('/api/v1/settings.public', {
      query: {
        query: JSON.stringify({
          _id: {
            $in: [
              'Accounts_iframe_url',
              'Accounts_Iframe_api_url',
              'API_Enable_Rate_Limiter',
            ],
          },
        }),
      },
    });
    expect(pub.body.settings).toEqual([
      { _id: 'Accounts_Iframe_api_url', value: 'http://bridge.test/api' },
      { _id: 'Accounts_iframe_url', value: 'http://bridge.test/login' },
    ]);
    const perms = await rc.get('/api/v1/permissions.listAll', {
      auth: asCredentials(admin),
    });
    expect(perms.body.remove).toEqual([]);
    expect(perms.body.update).toContainEqual(
      expect.objectContaining({ _id: 'create-user', roles: ['admin'] }),
    );
  });

  it('should expose the control API over HTTP', async () => {
    const call = (method: string, args: unknown[] = []) =>
      rc.post(`/__emulator/rpc/${method}`, { args });
    const created = await call('createUser', [
      { username: 'rpc-user', resumeToken: true },
    ]);
    expect(created.body.result).toMatchObject({
      username: 'rpc-user',
      resumeToken: expect.any(String),
    });
    const { userId, resumeToken } = created.body.result;
    expect((await call('checkToken', [resumeToken])).body.result).toMatchObject(
      { valid: true, userId },
    );
    expect((await call('revokeToken', [userId, resumeToken])).body.result).toBe(
      true,
    );
    expect((await call('checkToken', [resumeToken])).body.result).toEqual({
      valid: false,
    });
    expect((await call('version')).body.result).toBe('8.0.0');
    expect((await call('noSuchMethod')).status).toBe(404);
  });

  it('should switch version at runtime', async () => {
    emu.control.setVersion('7.10.0');
    try {
      expect((await rc.get('/api/info')).body.version).toBe('7.10');
      expect(emu.control.getSetting('Accounts_Password_Policy_Enabled')).toBe(
        false,
      );
    } finally {
      emu.control.setVersion('8.0.0');
    }
    expect(emu.control.getSetting('Accounts_Password_Policy_Enabled')).toBe(
      true,
    );
    // Explicitly set values survive a switch.
    expect(emu.control.getSetting('Accounts_iframe_url')).toBe(
      'http://bridge.test/login',
    );
  });
});
