import { getConnectionToken } from '@nestjs/mongoose';
import type { Connection } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { AuditRepository } from '../../src/audit/audit.repository.js';
import {
  AuditService,
  AuditSweeper,
  type AuditRecord,
} from '../../src/audit/index.js';
import { UserAdminService } from '../../src/users/index.js';
import { MetricsService } from '../../src/observability/index.js';
import { SessionService } from '../../src/session/index.js';
import { csrfOf, setCookies } from '../support/browser-like-client.js';
import {
  createObservedApp,
  type ObservedApp,
} from '../observability/observed-app.js';
import { attemptLogin, PASSWORD } from '../auth/login-attempts.js';
import { freshDatabaseUri } from '../support/mongo.js';
import {
  mongoHostPort,
  TcpProxy,
  withMongoHost,
} from '../support/tcp-proxy.js';

const LONG_AGENT = `Mozilla/5.0 (X11) \u001b[31mred\u001b[0m ${'x'.repeat(1000)}`;

function records(app: ObservedApp): Promise<AuditRecord[]> {
  return app.app
    .get<Connection>(getConnectionToken())
    .collection<AuditRecord>('bridge_audit_events')
    .find()
    .sort({ at: 1, _id: 1 })
    .toArray();
}

describe('audit trail of logins, lockouts and logouts', () => {
  let t: ObservedApp;
  let ids: Record<string, string>;
  beforeAll(async () => {
    t = await createObservedApp({ env: { LOGIN_IP_MAX_FAILURES: '6' } });
    const admin = t.app.get(UserAdminService);
    ids = {
      alice: (await admin.create({ username: 'alice', password: PASSWORD })).id,
      bob: (await admin.create({ username: 'bob', password: PASSWORD })).id,
    };
  });
  afterAll(() => t.close());

  it('should record each event in MongoDB and as one JSON log line, with time, user, address, agent, outcome and request id, never a password', async () => {
    const ok = await attemptLogin(t.app, 'Alice', PASSWORD, {
      ip: '10.8.0.1',
      headers: { 'user-agent': LONG_AGENT },
    });
    expect(ok.statusCode).toBe(303);
    for (let i = 0; i < 5; i++) {
      await attemptLogin(t.app, 'alice', `wrong-secret-${i}`, {
        ip: `10.8.1.${i}`,
      });
    }
    const locked = await attemptLogin(t.app, 'alice', PASSWORD, {
      ip: '10.8.2.1',
    });
    for (let i = 0; i < 6; i++) {
      await attemptLogin(t.app, `sprayed${i}`, 'Spring2034!', {
        ip: '10.8.3.1',
      });
    }
    const throttled = await attemptLogin(t.app, 'bob', PASSWORD, {
      ip: '10.8.3.1',
    });
    expect(throttled.statusCode).toBe(429);

    // bob logs in and out at the bridge.
    const login = await attemptLogin(t.app, 'bob', PASSWORD, {
      ip: '10.8.4.1',
    });
    const cookie = setCookies(login)
      .map((l) => l.split(';')[0])
      .filter((pair) => !pair.endsWith('='))
      .join('; ');
    // The logout button is on the "Continue as" page, shown once Rocket.Chat dropped its token.
    const sessions = t.app.get(SessionService);
    const session = await sessions.resolve({ headers: { cookie } } as never);
    await sessions.setInteractionRequired(session!.id, true);
    const page = await t.app.inject({
      method: 'GET',
      url: '/login',
      headers: { cookie },
    });
    const form = setCookies(page).map((l) => l.split(';')[0]);
    const logout = await t.app.inject({
      method: 'POST',
      url: '/logout',
      remoteAddress: '10.8.4.1',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'sec-fetch-site': 'same-origin',
        cookie: [cookie, ...form].join('; '),
      },
      payload: `csrf=${csrfOf(page.body)}`,
    });
    expect(logout.statusCode).toBe(200);
    await t.app.get(AuditService).flush();

    const stored = await records(t);
    const summary = stored.map((r) => [
      r.kind,
      r.outcome,
      r.username ?? r.userId,
      r.details?.reason,
    ]);
    expect(summary).toEqual([
      ['login.succeeded', 'success', 'alice', undefined],
      ...Array.from({ length: 5 }, () => [
        'login.failed',
        'failure',
        'alice',
        'invalid-credentials',
      ]),
      ['account.locked', 'refused', 'alice', undefined],
      ['login.failed', 'failure', 'alice', 'account-locked'],
      ...Array.from({ length: 6 }, (_, i) => [
        'login.failed',
        'failure',
        `sprayed${i}`,
        'invalid-credentials',
      ]),
      ['login.throttled', 'refused', 'bob', undefined],
      ['login.succeeded', 'success', 'bob', undefined],
      ['session.ended', 'info', ids.bob, 'logout'],
      ['logout', 'success', ids.bob, undefined],
    ]);

    const first = stored[0];
    expect(first).toMatchObject({
      userId: ids.alice,
      ip: '10.8.0.1',
      requestId: ok.headers['x-request-id'],
    });
    expect(Date.now() - first.at.getTime()).toBeLessThan(60_000);
    expect(first.userAgent).toMatch(
      /^Mozilla\/5\.0 \(X11\) \\u001b\[31mred\\u001b\[0m x+…$/,
    );
    expect(first.userAgent!.length).toBeLessThanOrEqual(257);
    expect(stored.find((r) => r.kind === 'account.locked')?.details).toEqual({
      until: expect.stringMatching(/Z$/),
      level: 1,
    });
    expect(stored.find((r) => r.kind === 'login.throttled')).toMatchObject({
      ip: '10.8.3.1',
      requestId: throttled.headers['x-request-id'],
      details: { retryAfterSeconds: expect.any(Number) },
    });
    expect(
      stored.find((r) => r.details?.reason === 'account-locked')?.requestId,
    ).toBe(locked.headers['x-request-id']);
    expect(stored.find((r) => r.kind === 'logout')).toMatchObject({
      details: { direction: 'bridge' },
      ip: '10.8.4.1',
    });

    const lines = t.logs.json().filter((line) => line.audit === true);
    expect(lines.map((l) => l.event)).toEqual(stored.map((r) => r.kind));
    expect(lines[0]).toMatchObject({
      level: 'info',
      msg: 'audit login.succeeded',
      outcome: 'success',
      userId: ids.alice,
      username: 'alice',
      ip: '10.8.0.1',
      requestId: ok.headers['x-request-id'],
      at: first.at.toISOString(),
    });
    // The login metric counts the same outcomes (throttled and locked both as "locked").
    const metrics = await t.app.get(MetricsService).render();
    expect(
      ['ok', 'failed', 'locked'].map((outcome) =>
        Number(
          new RegExp(
            `rcbridge_login_attempts_total\\{outcome="${outcome}"\\} (\\d+)`,
          ).exec(metrics)?.[1],
        ),
      ),
    ).toEqual([2, 11, 2]);

    const everything = `${t.logs.text}\n${JSON.stringify(stored)}`;
    for (const secret of [PASSWORD, 'wrong-secret-', 'Spring2034!']) {
      expect(everything).not.toContain(secret);
    }
  });

  it('should escape control characters in what it records and logs (SEC-4)', async () => {
    const hostile = 'eve\n{"level":"fatal","msg":"forged"}\r\u001b[2J';
    await t.app.get(AuditService).record(
      {
        kind: 'login.failed',
        username: hostile,
        reason: 'invalid-credentials',
      },
      { ip: '10.8.9.1', headers: { 'user-agent': 'curl\r\nX-Injected: 1' } },
    );
    const stored = (await records(t)).at(-1)!;
    expect(stored.username).toBe(
      'eve\\u000a{"level":"fatal","msg":"forged"}\\u000d\\u001b[2J',
    );
    expect(stored.userAgent).toBe('curl\\u000d\\u000aX-Injected: 1');
    const line = t.logs.lines.at(-1)!;
    // No raw control character (a raw newline would forge a second line).
    expect(
      Array.from({ length: line.length }, (_, i) => line.charCodeAt(i)).some(
        (code) => code < 0x20,
      ),
    ).toBe(false);
    expect(t.logs.json().filter((l) => l.msg === 'forged')).toEqual([]);
  });
});

describe('audit retention and outages', () => {
  it('should keep an event for AUDIT_RETENTION and then sweep it', async () => {
    const t = await createObservedApp({ env: { AUDIT_RETENTION: '1h' } });
    try {
      await t.app
        .get(AuditService)
        .record({ kind: 'logout', direction: 'rocketchat' });
      const [stored] = await records(t);
      expect(stored.expiresAt.getTime() - stored.at.getTime()).toBe(3600_000);
      const sweeper = t.app.get(AuditSweeper);
      expect(
        await sweeper.sweep(new Date(stored.at.getTime() + 1800_000)),
      ).toBe(0);
      expect(
        await sweeper.sweep(new Date(stored.at.getTime() + 3600_000)),
      ).toBe(1);
      expect(await records(t)).toEqual([]);
    } finally {
      await t.close();
    }
  });

  it('should store a burst of events together (group commit), each once, and flush before shutdown', async () => {
    const t = await createObservedApp();
    try {
      const sent = vi.spyOn(AuditRepository.prototype, 'insertMany');
      const audit = t.app.get(AuditService);
      const burst = Array.from({ length: 120 }, (_, i) =>
        audit.record({
          kind: 'token.reused',
          userId: `user-${i}`,
          rocketChatUserId: `rc-${i}`,
          detail: 'rest',
        }),
      );
      await audit.flush();
      await Promise.all(burst);
      const batches = sent.mock.calls.map((call) => call[0].length);
      sent.mockRestore();
      // The first event goes alone, the 119 queued behind it in one insertMany.
      expect(batches).toEqual([1, 119]);
      const stored = await records(t);
      const byName = (a = '', b = '') => a.localeCompare(b);
      expect(stored.map((r) => r.userId).sort(byName)).toEqual(
        Array.from({ length: 120 }, (_, i) => `user-${i}`).sort(byName),
      );
      expect(
        t.logs.json().filter((l) => l.event === 'token.reused'),
      ).toHaveLength(120);
    } finally {
      await t.close();
    }
  });

  it('should still write the log line, and neither fail nor hang, when MongoDB cannot store the event', async () => {
    const { uri } = freshDatabaseUri('audit_down');
    const proxy = await TcpProxy.start(mongoHostPort(uri));
    const t = await createObservedApp({
      env: {
        MONGODB_URI: withMongoHost(uri, proxy.address),
        MONGO_SERVER_SELECTION_TIMEOUT: '500ms',
      },
    });
    try {
      await proxy.down();
      const started = Date.now();
      await t.app
        .get(AuditService)
        .record({ kind: 'token.revoked', userId: 'u1', detail: 'logout' });
      expect(Date.now() - started).toBeLessThan(10_000);
      const lines = t.logs.json();
      expect(lines).toContainEqual(
        expect.objectContaining({
          audit: true,
          event: 'token.revoked',
          userId: 'u1',
        }),
      );
      expect(lines).toContainEqual(
        expect.objectContaining({
          level: 'warn',
          msg: expect.stringMatching(/^audit event not stored \(Mongo\w*Error/),
        }),
      );
    } finally {
      await t.close();
      await proxy.close();
    }
  });
});
