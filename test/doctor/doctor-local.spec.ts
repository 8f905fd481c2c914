import { createServer, request, type Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { createTestApp, TEST_ENV } from '../support/app.js';
import { freshDatabaseUri } from '../support/mongo.js';
import { doctor } from './doctor-harness.js';

// The doctor lines that need no Rocket.Chat: configuration, MongoDB, framing as served at
// PUBLIC_URL, same site. Each FAIL line is provoked by a misconfiguration of its own.

const SECRETS = {
  SESSION_SECRET: 'doctor-session-secret-7f3a9c1e5b2d8f4a6c0e',
  ROCKETCHAT_AUTH_TOKEN: 'doctor-admin-personal-access-token-x9y8z7',
  TOKEN_ENCRYPTION_KEY: 'q1w2e3r4t5y6u7i8o9p0a1s2d3f4g5h6j7k8l9z0x1c',
};

function env(overrides: Record<string, string> = {}): Record<string, string> {
  return {
    ...TEST_ENV,
    ...SECRETS,
    MONGODB_URI: freshDatabaseUri('doctor_local').uri,
    ...overrides,
  };
}

function expectNoSecrets(text: string, extra: string[] = []): void {
  for (const secret of [...Object.values(SECRETS), ...extra]) {
    expect(text).not.toContain(secret);
  }
}

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return typeof address === 'object' && address ? address.port : 0;
}

describe('rc-bridge doctor: configuration, MongoDB, framing, same site', () => {
  const cleanups: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    while (cleanups.length > 0) {
      await cleanups.pop()!();
    }
  });

  it('should report each configuration problem as a FAIL line, skip the rest and exit 1', async () => {
    const run = await doctor(
      env({ SESSION_SECRET: '', PORT: 'eighty', MONGODB_URI: 'postgres://x' }),
    );
    expect(run.code).toBe(1);
    const config = run.checks.filter((c) => c.id === 'config');
    expect(config.every((c) => c.status === 'fail')).toBe(true);
    expect(config.map((c) => c.message).join('\n')).toMatch(/PORT/);
    expect(config.map((c) => c.message).join('\n')).toMatch(/MONGODB_URI/);
    expect(run.status('checks')).toBe('skip');
    expect(run.stderr).toContain('check(s) failed');
    expectNoSecrets(run.stdout + run.stderr, ['postgres://x']);
  });

  it('should FAIL the MongoDB line for an unreachable server without printing the URI', async () => {
    const uri = 'mongodb://doctoruser:S3cr3t-Mongo-Pw@127.0.0.1:9/bridge';
    const run = await doctor(
      env({ MONGODB_URI: uri, MONGO_SERVER_SELECTION_TIMEOUT: '300ms' }),
    );
    expect(run.code).toBe(1);
    expect(run.status('config')).toBe('ok');
    expect(run.line('mongodb')).toMatchObject({
      status: 'fail',
      message: expect.stringMatching(/^not usable: /),
      fix: expect.stringContaining('MONGODB_URI'),
    });
    expectNoSecrets(run.stdout + run.stderr, ['S3cr3t-Mongo-Pw', uri]);
  });

  it('should pass the MongoDB line for the test server (a warning on FerretDB)', async () => {
    const run = await doctor(env());
    expect(['ok', 'warn']).toContain(run.status('mongodb'));
    expect(run.line('mongodb')?.message).toMatch(/^reachable/);
  });

  it('should FAIL same-site for a cross-site bridge with SameSite=Lax cookies, WARN with None, OK on one site', async () => {
    const cross = {
      PUBLIC_URL: 'https://sso.example.net',
      ROCKETCHAT_URL: 'https://chat.example.org',
    };
    const lax = await doctor(env(cross));
    expect(lax.line('same-site')).toMatchObject({
      status: 'fail',
      message: expect.stringContaining('SESSION_COOKIE_SAMESITE=lax'),
    });
    expect(lax.code).toBe(1);
    const none = await doctor(
      env({ ...cross, SESSION_COOKIE_SAMESITE: 'none' }),
    );
    expect(none.status('same-site')).toBe('warn');
    const unpartitioned = await doctor(
      env({
        ...cross,
        SESSION_COOKIE_SAMESITE: 'none',
        SESSION_COOKIE_PARTITIONED: 'false',
      }),
    );
    expect(unpartitioned.status('same-site')).toBe('fail');
    const one = await doctor(
      env({
        PUBLIC_URL: 'https://sso.example.org',
        ROCKETCHAT_URL: 'https://chat.example.org',
      }),
    );
    expect(one.status('same-site')).toBe('ok');
  });

  it('should WARN (not FAIL) the live lines when PUBLIC_URL cannot be reached from here', async () => {
    const run = await doctor(env({ PUBLIC_URL: 'http://localhost:9' }));
    expect(run.line('framing')).toMatchObject({
      status: 'warn',
      message: expect.stringContaining('not checked live'),
    });
  });

  it('should FAIL framing when a proxy in front of the bridge adds X-Frame-Options', async () => {
    const proxy = createServer();
    const proxyPort = await listen(proxy);
    cleanups.push(
      () => new Promise((resolve) => proxy.close(() => resolve(undefined))),
    );
    const publicUrl = `http://localhost:${proxyPort}`;
    const bridge = await createTestApp({
      label: 'doctor_framing',
      env: { ...env(), PUBLIC_URL: publicUrl },
    });
    cleanups.push(() => bridge.close());
    await bridge.app.listen({ port: 0, host: '127.0.0.1' });
    const bridgePort = Number(new URL(await bridge.app.getUrl()).port);
    let addHeader = false;
    proxy.on('request', (req, res) => {
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
          if (addHeader) {
            headers['x-frame-options'] = 'SAMEORIGIN';
          }
          res.writeHead(answer.statusCode ?? 502, headers);
          answer.pipe(res);
        },
      );
      req.pipe(upstream);
    });

    const clean = await doctor(env({ PUBLIC_URL: publicUrl }));
    expect(clean.line('framing')).toMatchObject({
      status: 'ok',
      message: expect.stringContaining(TEST_ENV.ROCKETCHAT_URL!),
    });
    addHeader = true;
    const broken = await doctor(env({ PUBLIC_URL: publicUrl }));
    expect(broken.line('framing')).toMatchObject({
      status: 'fail',
      message: expect.stringContaining('X-Frame-Options: SAMEORIGIN'),
    });
    expect(broken.code).toBe(1);
  });
});
