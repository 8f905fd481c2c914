import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditRepository, AuditService } from '../../src/audit/index.js';
import { ConfigValidationError, loadConfig } from '../../src/config/index.js';
import {
  UserAdminService,
  UserIdentitiesRepository,
} from '../../src/users/index.js';
import { CapturedLines } from '../observability/captured-lines.js';
import { setCookies } from '../support/browser-like-client.js';
import { createTestApp, TEST_ENV, type TestApp } from '../support/app.js';

const PROXY = '10.9.8.7';
const SESSION = '__Host-rcbridge_session';

/**
 * Sign-in by a forward-auth proxy's headers (oauth2-proxy's names here): believed from the proxy
 * only, a person found or created through PersonSignIn with source `header`.
 */
describe('Trusted-header sign-in behind a forward-auth proxy', () => {
  let t: TestApp;
  const logs = new CapturedLines();

  beforeAll(async () => {
    t = await createTestApp({
      label: 'trusted_header',
      logDestination: logs,
      env: {
        LOG_LEVEL: 'info',
        TRUST_PROXY: `${PROXY}, loopback`,
        TRUSTED_HEADER_USER: 'X-Forwarded-User',
        TRUSTED_HEADER_USERNAME: 'X-Forwarded-Preferred-Username',
        TRUSTED_HEADER_EMAIL: 'X-Forwarded-Email',
        TRUSTED_HEADER_NAME: 'X-Forwarded-Name',
        TRUSTED_HEADER_GROUPS: 'X-Forwarded-Groups',
      },
    });
    await t.app
      .get(UserAdminService)
      .create({ username: 'judy', password: 'judy local password 123' });
  });
  afterAll(async () => {
    await t?.close();
  });

  function visit(
    peer: string,
    headers: Record<string, string>,
    cookie?: string,
  ): Promise<LightMyRequestResponse> {
    return t.app.inject({
      method: 'GET',
      url: '/login/?next=/rocketchat/redirect',
      remoteAddress: peer,
      headers: { ...headers, ...(cookie ? { cookie } : {}) },
    });
  }

  function sessionCookie(answer: LightMyRequestResponse): string | undefined {
    const line = setCookies(answer).find((l) => l.startsWith(`${SESSION}=`));
    return line?.split(';')[0];
  }

  const KIM = {
    'x-forwarded-user': '8c1e0f6a-kim',
    'x-forwarded-preferred-username': 'kim',
    'x-forwarded-email': 'kim@example.org',
    // Proxies pass names as UTF-8 bytes; Node reads header bytes as latin1.
    'x-forwarded-name': Buffer.from('Kim Müller', 'utf8').toString('latin1'),
    'x-forwarded-groups': 'staff, chat-admins,',
  };

  it('should sign in the person the proxy names, create them just in time, and go on to next', async () => {
    const answer = await visit(PROXY, KIM);
    expect(answer.statusCode).toBe(303);
    expect(answer.headers.location).toBe(
      'http://localhost:8000/rocketchat/redirect',
    );
    expect(sessionCookie(answer)).toBeDefined();
    const user = await t.app
      .get(UserIdentitiesRepository)
      .findByExternal('header', '8c1e0f6a-kim');
    expect(user).toMatchObject({
      username: 'kim',
      email: 'kim@example.org',
      displayName: 'Kim Müller',
      groups: ['staff', 'chat-admins'],
      hasPassword: false,
    });
    // The same person again with that session: nothing new (the login page's usual rules).
    const again = await visit(PROXY, KIM, sessionCookie(answer));
    expect(sessionCookie(again)).toBeUndefined();
    await t.app.get(AuditService).flush();
    const [record] = await t.app
      .get(AuditRepository)
      .recent(1, { kind: 'header.login.succeeded' });
    expect(record).toMatchObject({
      userId: user!.id,
      username: 'kim',
      details: { provider: 'x-forwarded-user' },
    });
  });

  it("should give a browser whose session is someone else's a new one for the person the proxy names", async () => {
    const first = await visit(PROXY, KIM);
    const other = await visit(
      PROXY,
      {
        'x-forwarded-user': 'liam-id',
        'x-forwarded-preferred-username': 'liam',
      },
      sessionCookie(first),
    );
    expect(other.statusCode).toBe(303);
    expect(sessionCookie(other)).toBeDefined();
    expect(sessionCookie(other)).not.toBe(sessionCookie(first));
  });

  it('should ignore the header from any peer not in TRUST_PROXY, and say so in the log at most once a minute', async () => {
    for (const peer of ['203.0.113.5', '203.0.113.6', '::ffff:10.9.8.8']) {
      const answer = await visit(peer, {
        'x-forwarded-user': 'mallory',
        // A client naming the proxy in X-Forwarded-For changes nothing: the peer decides.
        'x-forwarded-for': PROXY,
      });
      expect(answer.statusCode).toBe(200);
      expect(answer.body).toContain('name="password"');
      expect(sessionCookie(answer)).toBeUndefined();
    }
    expect(
      await t.app
        .get(UserIdentitiesRepository)
        .findByExternal('header', 'mallory'),
    ).toBeNull();
    const warnings = logs
      .json()
      .filter((l) => String(l.msg).startsWith('Ignored x-forwarded-user'));
    expect(warnings).toHaveLength(1);
    expect(String(warnings[0].msg)).toContain('203.0.113.5');
  });

  it('should refuse a user name a local user holds, on the login page, and ignore a repeated header', async () => {
    const refused = await visit(PROXY, {
      'x-forwarded-user': 'judy-at-proxy',
      'x-forwarded-preferred-username': 'judy',
    });
    expect(refused.statusCode).toBe(403);
    expect(refused.body).toContain(
      'The user name judy already belongs to another account here.',
    );
    expect(sessionCookie(refused)).toBeUndefined();
    await t.app.get(AuditService).flush();
    const [record] = await t.app
      .get(AuditRepository)
      .recent(1, { kind: 'header.login.refused' });
    expect(record).toMatchObject({
      username: 'judy',
      details: { reason: 'username-taken' },
    });
    const repeated = await t.app.inject({
      method: 'GET',
      url: '/login/',
      remoteAddress: PROXY,
      headers: { 'x-forwarded-user': ['a', 'b'] },
    });
    expect(repeated.statusCode).toBe(200);
    expect(sessionCookie(repeated)).toBeUndefined();
  });

  it('should be off by default, and refuse to start with a header but no trusted proxy', async () => {
    const plain = await createTestApp({ label: 'no_trusted_header' });
    try {
      const answer = await plain.app.inject({
        method: 'GET',
        url: '/login/',
        headers: { 'x-forwarded-user': 'nobody', 'remote-user': 'nobody' },
      });
      expect(answer.statusCode).toBe(200);
      expect(sessionCookie(answer)).toBeUndefined();
    } finally {
      await plain.close();
    }
    const problems = (env: Record<string, string>) => {
      try {
        loadConfig({ ...TEST_ENV, MONGODB_URI: 'mongodb://db/bridge', ...env });
        return [];
      } catch (error) {
        return (error as ConfigValidationError).problems;
      }
    };
    expect(problems({ TRUSTED_HEADER_USER: 'Remote-User' })).toEqual([
      {
        variable: 'TRUSTED_HEADER_USER',
        rule: 'needs TRUST_PROXY naming the proxy that sets it (a header any client can send identifies nobody)',
      },
    ]);
    expect(
      problems({
        TRUST_PROXY: '10.0.0.1',
        TRUSTED_HEADER_USER: 'Cookie',
        TRUSTED_HEADER_GROUPS: 'Remote Groups',
      }).map((p) => p.variable),
    ).toEqual(['TRUSTED_HEADER_USER', 'TRUSTED_HEADER_GROUPS']);
    expect(problems({ TRUSTED_HEADER_EMAIL: 'Remote-Email' })).toEqual([
      {
        variable: 'TRUSTED_HEADER_USER',
        rule: 'is required when TRUSTED_HEADER_EMAIL is set',
      },
    ]);
    expect(
      loadConfig({
        ...TEST_ENV,
        MONGODB_URI: 'mongodb://db/bridge',
        TRUST_PROXY: '10.0.0.1',
        TRUSTED_HEADER_USER: 'Remote-User',
        TRUSTED_HEADER_LINK_BY_USERNAME: 'true',
      }).app.trustedHeader,
    ).toEqual({
      userHeader: 'remote-user',
      usernameHeader: undefined,
      emailHeader: undefined,
      nameHeader: undefined,
      groupsHeader: undefined,
      linkByUsername: true,
    });
  });
});
