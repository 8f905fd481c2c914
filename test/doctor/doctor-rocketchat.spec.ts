import { spawn } from 'node:child_process';
import { createServer as createHttpServer, request } from 'node:http';
import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { Env } from '../../src/config/index.js';
import { expectedIframeSettings } from '../../src/doctor/checks/iframe-settings.check.js';
import type { RocketChatEmulatorOptions } from '../rc-emulator/index.js';
import {
  CREATE_TOKEN_SECRET,
  startHarness,
  type Harness,
} from '../rocketchat/harness.js';
import { TEST_ENV } from '../support/app.js';
import { freshDatabaseUri } from '../support/mongo.js';
import { doctor, type DoctorRun } from './doctor-harness.js';

// Every Rocket.Chat-facing doctor line against the emulator: a healthy setup first, then one
// misconfiguration per FAIL line (and the WARN lines next to them).

interface Setup {
  readonly h: Harness;
  /** The environment the bridge runs with; the doctor gets the same. */
  readonly env: Env;
  readonly publicUrl: string;
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server: Server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        resolve(typeof address === 'object' && address ? address.port : 0),
      );
    });
  });
}

const cleanups: (() => Promise<unknown>)[] = [];

/** The bridge listening at PUBLIC_URL, Rocket.Chat (emulated, 8.0 unless told) pointed at it. */
async function setup(
  options: {
    version?: string;
    env?: Env;
    publicPort?: number;
    withMongoDb?: boolean;
    emulator?: Partial<RocketChatEmulatorOptions>;
  } = {},
): Promise<Setup> {
  const port = options.publicPort ?? (await freePort());
  const publicUrl = `http://localhost:${port}`;
  const h = await startHarness({
    label: 'doctor_rc',
    version: options.version,
    // Rocket.Chat on localhost too: same site as the bridge (127.0.0.1 would be another site).
    emulator: { host: 'localhost', ...options.emulator },
    withMongoDb: options.withMongoDb,
    env: { PUBLIC_URL: publicUrl, ...options.env },
  });
  cleanups.push(() => h.close());
  if (options.publicPort === undefined) {
    await h.app.listen({ port, host: '127.0.0.1' });
  }
  const expected = expectedIframeSettings({ publicUrl } as never);
  h.rc.control.configureIframe({
    iframeUrl: String(expected.Accounts_iframe_url),
    apiUrl: String(expected.Accounts_Iframe_api_url),
    apiMethod: 'POST',
  });
  const env: Env = {
    ...TEST_ENV,
    PUBLIC_URL: publicUrl,
    MONGODB_URI: h.mongoUri,
    ROCKETCHAT_URL: h.rc.url,
    ROCKETCHAT_USER_ID: h.admin.userId,
    ROCKETCHAT_AUTH_TOKEN: h.admin.pat,
    CREATE_TOKENS_FOR_USERS_SECRET: CREATE_TOKEN_SECRET,
    ...options.env,
  };
  return { h, env, publicUrl };
}

function expectNoSecret(run: DoctorRun, s: Setup): void {
  const text = run.stdout + run.stderr;
  for (const secret of [
    s.h.admin.pat,
    s.h.admin.password,
    CREATE_TOKEN_SECRET,
    TEST_ENV.SESSION_SECRET,
    TEST_ENV.TOKEN_ENCRYPTION_KEY,
    s.h.mongoUri,
  ]) {
    expect(text).not.toContain(secret);
  }
}

describe('rc-bridge doctor against Rocket.Chat', () => {
  afterEach(async () => {
    while (cleanups.length > 0) {
      await cleanups.pop()!();
    }
  });

  it('should pass every line of a healthy setup, exit 0, leave no token behind and print no secret', async () => {
    const s = await setup();
    const before = await s.h.rc.control.tokenCount(s.h.admin.userId);
    const run = await doctor(s.env);
    for (const id of [
      'config',
      'rocketchat',
      'rocketchat.token',
      'rocketchat.two-factor-bypass',
      'rocketchat.permissions',
      'rocketchat.create-token',
      'rocketchat.iframe-settings',
      'cors',
      'framing',
      'same-site',
    ]) {
      expect({ id, status: run.status(id) }).toEqual({ id, status: 'ok' });
    }
    // FerretDB is fine for tests but worth a warning; real MongoDB passes.
    expect(['ok', 'warn']).toContain(run.status('mongodb'));
    expect(run.code).toBe(0);
    expect(run.line('rocketchat')?.message).toMatch(
      /^Rocket\.Chat 8\.0 answers/,
    );
    expect(run.line('rocketchat.token')?.message).toContain(s.h.admin.username);
    expect(run.line('rocketchat.create-token')?.message).toContain(
      'the test token was removed',
    );
    // 8.0.0 has bug #40598 and the bridge's account has no login token: seen, and coped with.
    expect(run.line('rocketchat.issue-40598')).toMatchObject({
      status: 'warn',
      message: expect.stringContaining('has bug #40598 (just seen'),
      fix: expect.stringContaining('nothing is needed'),
    });
    expect(run.line('rocketchat.two-factor-bypass')?.message).toContain(
      'ignores two-factor authentication',
    );
    // Neither the test token nor the one Rocket.Chat stored for the refused call is left.
    expect(await s.h.rc.control.tokenCount(s.h.admin.userId)).toBe(before);
    expectNoSecret(run, s);
  });

  it('should pass on Rocket.Chat 9.x, and know it has no bug #40598', async () => {
    const s = await setup({ version: '9.0.1' });
    const before = await s.h.rc.control.tokenCount(s.h.admin.userId);
    const run = await doctor(s.env);
    for (const id of [
      'rocketchat',
      'rocketchat.token',
      'rocketchat.two-factor-bypass',
      'rocketchat.permissions',
      'rocketchat.create-token',
      'rocketchat.issue-40598',
      'rocketchat.iframe-settings',
    ]) {
      expect({ id, status: run.status(id) }).toEqual({ id, status: 'ok' });
    }
    expect(run.line('rocketchat')?.message).toMatch(
      /^Rocket\.Chat 9\.0 answers/,
    );
    expect(run.line('rocketchat.create-token')?.message).toContain(
      'Rocket.Chat 9: the shared secret matches',
    );
    expect(run.line('rocketchat.issue-40598')?.message).toBe(
      'Rocket.Chat 9.0 does not have bug #40598',
    );
    expect(run.code).toBe(0);
    expect(await s.h.rc.control.tokenCount(s.h.admin.userId)).toBe(before);
  });

  it('should WARN about bug #40598 on 7.x by version when the test call does not meet it', async () => {
    const s = await setup({ version: '7.13.7' });
    await s.h.rc.control.issueResumeToken(s.h.admin.userId);
    const run = await doctor(s.env);
    expect(run.status('rocketchat.create-token')).toBe('ok');
    expect(run.line('rocketchat.issue-40598')).toMatchObject({
      status: 'warn',
      message: expect.stringMatching(
        /^Rocket\.Chat 7\.13 has bug #40598 \(not seen now: the bridge's account has a login token\): users\.createToken fails/,
      ),
    });
  });

  it('should FAIL createToken on Rocket.Chat 9 when the shared secret differs (a 403 there)', async () => {
    const s = await setup({
      version: '9.0.1',
      env: { CREATE_TOKENS_FOR_USERS_SECRET: 'another-secret-value-0000' },
    });
    const run = await doctor(s.env);
    expect(run.line('rocketchat.create-token')).toMatchObject({
      status: 'fail',
      message: expect.stringContaining('Rocket.Chat 9 refuses the secret'),
    });
  });

  it('should FAIL when Rocket.Chat does not answer, and skip what depends on it', async () => {
    const s = await setup();
    await s.h.rc.close();
    const run = await doctor(s.env);
    expect(run.line('rocketchat')).toMatchObject({
      status: 'fail',
      message: expect.stringContaining('no answer from'),
    });
    for (const id of [
      'rocketchat.token',
      'rocketchat.permissions',
      'rocketchat.create-token',
      'rocketchat.iframe-settings',
    ]) {
      expect(run.status(id)).toBe('skip');
    }
    expect(run.code).toBe(1);
  });

  it('should FAIL when something other than Rocket.Chat answers at ROCKETCHAT_URL', async () => {
    const s = await setup();
    const impostor = createHttpServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<html><body>Welcome to nginx!</body></html>');
    });
    await new Promise<void>((resolve) =>
      impostor.listen(0, '127.0.0.1', resolve),
    );
    cleanups.push(() => new Promise((resolve) => impostor.close(resolve)));
    const address = impostor.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    const run = await doctor({
      ...s.env,
      ROCKETCHAT_URL: `http://127.0.0.1:${port}`,
    });
    expect(run.line('rocketchat')).toMatchObject({
      status: 'fail',
      message: expect.stringContaining('not like Rocket.Chat'),
    });
  });

  it("should FAIL the token line when Rocket.Chat refuses the bridge's personal access token", async () => {
    const s = await setup();
    await s.h.rc.control.revokeToken(s.h.admin.userId, s.h.admin.pat!);
    const run = await doctor(s.env);
    expect(run.line('rocketchat.token')).toMatchObject({
      status: 'fail',
      message: expect.stringContaining('refused ROCKETCHAT_USER_ID'),
    });
    expect(run.status('rocketchat.permissions')).toBe('skip');
    expect(run.code).toBe(1);
    expectNoSecret(run, s);
  });

  it('should FAIL the token line when the admin user name and password do not log in', async () => {
    const s = await setup();
    const run = await doctor({
      ...s.env,
      // A database without a stored bridge token: the doctor has to log in itself.
      MONGODB_URI: freshDatabaseUri('doctor_pw').uri,
      ROCKETCHAT_USER_ID: undefined,
      ROCKETCHAT_AUTH_TOKEN: undefined,
      ROCKETCHAT_ADMIN_USERNAME: s.h.admin.username,
      ROCKETCHAT_ADMIN_PASSWORD: 'definitely-not-the-password-42',
    });
    expect(run.line('rocketchat.token')).toMatchObject({
      status: 'fail',
      message: expect.stringContaining(
        'could not log in as ROCKETCHAT_ADMIN_USERNAME',
      ),
    });
    expect(run.stdout).not.toContain('definitely-not-the-password-42');
  });

  it('should FAIL the permissions line when a needed permission is removed, WARN without api-bypass-rate-limit', async () => {
    const s = await setup();
    s.h.rc.control.revokePermission('api-bypass-rate-limit', 'admin');
    const warned = await doctor(s.env);
    expect(warned.line('rocketchat.permissions')).toMatchObject({
      status: 'warn',
      message: expect.stringContaining('api-bypass-rate-limit'),
    });
    s.h.rc.control.revokePermission('create-user', 'admin');
    const failed = await doctor(s.env);
    expect(failed.line('rocketchat.permissions')).toMatchObject({
      status: 'fail',
      message: expect.stringMatching(/lacks create-user .*\(roles: admin\)/),
    });
    expect(failed.code).toBe(1);
  });

  it('should FAIL createToken on Rocket.Chat 8 when the shared secret differs', async () => {
    const s = await setup();
    const run = await doctor({
      ...s.env,
      CREATE_TOKENS_FOR_USERS_SECRET: 'not-the-servers-secret-1234',
    });
    expect(run.line('rocketchat.create-token')).toMatchObject({
      status: 'fail',
      message: expect.stringContaining('refuses the secret'),
    });
    expect(run.code).toBe(1);
  });

  it('should FAIL createToken on Rocket.Chat 7.x when the server runs without CREATE_TOKENS_FOR_USERS', async () => {
    const s = await setup({ version: '7.10.0' });
    s.h.rc.control.setEnv({ CREATE_TOKENS_FOR_USERS: undefined });
    const run = await doctor(s.env);
    expect(run.line('rocketchat')?.message).toMatch(/^Rocket\.Chat 7\.10/);
    expect(run.line('rocketchat.create-token')).toMatchObject({
      status: 'fail',
      message: expect.stringContaining('without CREATE_TOKENS_FOR_USERS=true'),
    });
    s.h.rc.control.setEnv({ CREATE_TOKENS_FOR_USERS: 'true' });
    expect((await doctor(s.env)).status('rocketchat.create-token')).toBe('ok');
  });

  it('should FAIL the two-factor bypass line for a token without "Ignore Two Factor Authentication", and createToken too with PR #41388', async () => {
    for (const pr41388 of [false, true]) {
      const s = await setup({
        version: '9.0.1',
        emulator: { twoFactorOnUserCreation: pr41388 },
      });
      const strict = await s.h.rc.control.createAdmin({
        pat: { name: 'no-bypass', bypassTwoFactor: false },
      });
      const run = await doctor({
        ...s.env,
        ROCKETCHAT_USER_ID: strict.userId,
        ROCKETCHAT_AUTH_TOKEN: strict.pat,
      });
      expect(run.status('rocketchat.token')).toBe('ok');
      expect(run.line('rocketchat.two-factor-bypass')).toMatchObject({
        status: 'fail',
        message: expect.stringContaining(
          'personal access token "no-bypass" does not ignore two-factor authentication',
        ),
        fix: expect.stringContaining('"Ignore Two Factor Authentication"'),
      });
      const createToken = run.line('rocketchat.create-token');
      expect(createToken?.status).toBe(pr41388 ? 'fail' : 'ok');
      expect(/two-factor/.test(createToken?.message ?? '')).toBe(pr41388);
    }
  });

  it('should FAIL the two-factor bypass line for a login token, and WARN when the account may not list its tokens', async () => {
    const s = await setup();
    const session = await s.h.rc.control.createAdmin({ resumeToken: true });
    const loginToken = await doctor({
      ...s.env,
      ROCKETCHAT_USER_ID: session.userId,
      ROCKETCHAT_AUTH_TOKEN: session.resumeToken,
    });
    expect(loginToken.line('rocketchat.two-factor-bypass')).toMatchObject({
      status: 'fail',
      message: expect.stringContaining('(a login token?)'),
    });
    s.h.rc.control.revokePermission('create-personal-access-tokens', 'admin');
    const unlisted = await doctor(s.env);
    expect(unlisted.line('rocketchat.two-factor-bypass')).toMatchObject({
      status: 'warn',
      message: expect.stringContaining('create-personal-access-tokens'),
    });
  });

  it('should skip createToken for the Mongo strategies', async () => {
    const s = await setup({
      env: { ROCKETCHAT_TOKEN_STRATEGY: 'mongo-resume' },
      withMongoDb: true,
    });
    const run = await doctor({ ...s.env, MONGO_DB: s.h.rcMongoUri });
    expect(run.line('rocketchat.create-token')).toMatchObject({
      status: 'skip',
      message: expect.stringContaining('mongo-resume'),
    });
  });

  it('should FAIL wrong Iframe settings, set them with --fix, and pass afterwards', async () => {
    const s = await setup();
    s.h.rc.control.configureIframe({
      iframeUrl:
        'https://old-django.example.org/login/?next=/rocketchat/redirect',
      apiUrl: 'https://old-django.example.org/rocketchat/api',
      enabled: false,
    });
    const wrong = await doctor(s.env);
    expect(wrong.line('rocketchat.iframe-settings')).toMatchObject({
      status: 'fail',
      message: expect.stringContaining('Accounts_iframe_url is'),
      fix: expect.stringContaining('rc-bridge doctor --fix'),
    });
    const fixed = await doctor(s.env, ['--fix']);
    expect(fixed.line('rocketchat.iframe-settings')).toMatchObject({
      status: 'ok',
      message: expect.stringMatching(/^fixed: /),
    });
    const expected = expectedIframeSettings({
      publicUrl: s.publicUrl,
    } as never);
    for (const [id, value] of Object.entries(expected)) {
      expect(s.h.rc.control.getSetting(id)).toEqual(value);
    }
    expect((await doctor(s.env)).status('rocketchat.iframe-settings')).toBe(
      'ok',
    );
  });

  it('should FAIL --fix readably when Rocket.Chat refuses to change the settings', async () => {
    const s = await setup();
    s.h.rc.control.configureIframe({ iframeUrl: '', apiUrl: '' });
    s.h.rc.control.revokePermission('edit-privileged-setting', 'admin');
    const run = await doctor(s.env, ['--fix']);
    expect(run.line('rocketchat.iframe-settings')).toMatchObject({
      status: 'fail',
      message: expect.stringContaining('could not change them'),
    });
  });

  it("should FAIL CORS when Rocket.Chat's Site_Url is not an allowed origin", async () => {
    const s = await setup();
    s.h.rc.control.setSettings({ Site_Url: 'https://chat.other.example' });
    const run = await doctor(s.env);
    expect(run.line('cors')).toMatchObject({
      status: 'fail',
      message: expect.stringContaining('https://chat.other.example'),
    });
  });

  it('should FAIL CORS when a proxy in front of the bridge replaces its CORS headers', async () => {
    const publicPort = await freePort();
    const s = await setup({ publicPort });
    await s.h.app.listen({ port: 0, host: '127.0.0.1' });
    const bridgePort = Number(new URL(await s.h.app.getUrl()).port);
    const proxy = createHttpServer((req, res) => {
      const upstream = request(
        {
          host: '127.0.0.1',
          port: bridgePort,
          method: req.method,
          path: req.url,
          headers: req.headers,
        },
        (answer) => {
          const headers = { ...answer.headers };
          // A "helpful" proxy rule: allow everyone.
          headers['access-control-allow-origin'] = '*';
          delete headers['access-control-allow-credentials'];
          res.writeHead(answer.statusCode ?? 502, headers);
          answer.pipe(res);
        },
      );
      req.pipe(upstream);
    });
    await new Promise<void>((resolve) =>
      proxy.listen(publicPort, '127.0.0.1', resolve),
    );
    cleanups.push(() => new Promise((resolve) => proxy.close(resolve)));
    const run = await doctor(s.env);
    expect(run.line('cors')).toMatchObject({
      status: 'fail',
      message: expect.stringContaining('Access-Control-Allow-Origin "*"'),
    });
    expect(run.status('framing')).toBe('ok');
  });

  it('should run as the built binary under plain Node and exit with the same code', async () => {
    const s = await setup();
    const bin = new URL('../../bin/rc-bridge.js', import.meta.url).pathname;
    const result = await new Promise<{ code: number | null; out: string }>(
      (resolve) => {
        const child = spawn(process.execPath, [bin, 'doctor'], {
          env: { PATH: process.env.PATH, ...s.env },
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        let out = '';
        child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
        child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
        child.on('exit', (code) => resolve({ code, out }));
      },
    );
    expect(result.out).toMatch(/^OK {4}Rocket\.Chat /m);
    expect(result.out).toMatch(/^OK {4}Bridge token /m);
    expect(result.code).toBe(0);
  });
});
