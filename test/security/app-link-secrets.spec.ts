import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditRepository } from '../../src/audit/index.js';
import { UserAdminService } from '../../src/users/index.js';
import {
  createObservedApp,
  type ObservedApp,
} from '../observability/observed-app.js';
import type { RocketChatEmulator } from '../rc-emulator/index.js';
import { startTestEmulator } from '../rc-emulator/test-helpers.js';
import { callApiUrl, loginAs } from '../rocketchat/harness.js';
import {
  appLinkOf,
  IPHONE_SAFARI,
  topLevel,
} from '../rocketchat/mobile-app-helpers.js';
import { csrfOf } from '../support/browser-like-client.js';
import { leaks, type Secret } from './secret-scan.js';

const CREATE_TOKEN_SECRET = 'app-link-create-token-secret-61c0';
const PASSWORD = 'app link password of some length';

interface Recorded {
  readonly label: string;
  readonly response: LightMyRequestResponse;
}

/** Every answer `app.inject` gives, whoever calls it. */
function recordResponses(app: NestFastifyApplication): Recorded[] {
  const recorded: Recorded[] = [];
  const adapter = app.getHttpAdapter() as unknown as {
    inject: (options: InjectOptions) => Promise<LightMyRequestResponse>;
  };
  const inject = adapter.inject.bind(adapter);
  adapter.inject = async (options: InjectOptions) => {
    const response = await inject(options);
    recorded.push({
      label: `${options.method ?? 'GET'} ${typeof options.url === 'string' ? options.url : JSON.stringify(options.url)} ${response.statusCode}`,
      response,
    });
    return response;
  };
  return recorded;
}

describe('"Open in the Rocket.Chat app": the link is never logged (SEC-1)', () => {
  let rc: RocketChatEmulator;
  let observed: ObservedApp;

  beforeAll(async () => {
    rc = await startTestEmulator({
      env: { CREATE_TOKENS_FOR_USERS_SECRET: CREATE_TOKEN_SECRET },
    });
    const admin = await rc.control.createAdmin();
    observed = await createObservedApp({
      env: {
        LOG_LEVEL: 'trace',
        ROCKETCHAT_URL: rc.url,
        ROCKETCHAT_USER_ID: admin.userId,
        ROCKETCHAT_AUTH_TOKEN: admin.pat,
        CREATE_TOKENS_FOR_USERS_SECRET: CREATE_TOKEN_SECRET,
        ROCKETCHAT_REVOCATION_INTERVAL: '100ms',
      },
    });
  });

  afterAll(async () => {
    await observed?.close();
    await rc?.close();
  });

  it('should keep the token and the link out of the request log, the audit trail, error logs and every other answer', async () => {
    const { app } = observed;
    const recorded = recordResponses(app);
    const users = app.get(UserAdminService);
    await users.create({ username: 'mira', password: PASSWORD });
    await users.create({ username: 'noor', password: PASSWORD });

    const mira = await loginAs(app, 'mira', PASSWORD);
    const shown = await mira.get(
      '/rocketchat/redirect',
      topLevel(IPHONE_SAFARI),
    );
    const link = appLinkOf(shown.body);
    expect(link).toBeDefined();
    const token = link?.searchParams.get('token') ?? '';
    expect((await rc.control.checkToken(token)).valid).toBe(true);
    // Shown again (same token), the browser's own token, the app's native request.
    const again = await mira.get(
      '/rocketchat/redirect',
      topLevel(IPHONE_SAFARI),
    );
    expect(appLinkOf(again.body)?.searchParams.get('token')).toBe(token);
    expect((await callApiUrl(app, mira, rc.origin)).statusCode).toBe(200);
    expect(
      (
        await callApiUrl(app, undefined, undefined, {
          headers: { 'user-agent': 'RC Mobile; android 14; v4.65.0 (1)' },
        })
      ).statusCode,
    ).toBe(401);

    // A failure while getting another person's app token: logged, without any token.
    const noor = await loginAs(app, 'noor', PASSWORD);
    rc.control.injectFault({
      route: 'users.createToken',
      action: { type: 'html', status: 502 },
      times: 1,
    });
    expect(
      (await noor.get('/rocketchat/redirect', topLevel(IPHONE_SAFARI)))
        .statusCode,
    ).toBe(303);

    // Logout, with Rocket.Chat failing the first revocations (retried, logged).
    rc.control.injectFault({
      route: 'logout',
      action: { type: 'status', status: 503 },
      times: 2,
    });
    const home = await mira.get('/');
    await mira.post('/logout', { csrf: csrfOf(home.body) });
    await expect
      .poll(async () => (await rc.control.checkToken(token)).valid, {
        timeout: 10_000,
      })
      .toBe(false);

    const audit = await app.get(AuditRepository).recent(1000);
    const text = observed.logs.text;
    expect(text).toMatch(
      /No \\?"Open in the Rocket.Chat app\\?" link for session/,
    );
    expect(text).toMatch(/Revoking the Rocket.Chat app's token of session/);
    expect(audit.some((r) => r.kind === 'token.minted')).toBe(true);

    const secrets: Secret[] = [
      { name: "the app's token", value: token },
      { name: 'the app link', value: link?.href ?? '' },
      { name: "the app link's query", value: link?.search ?? '' },
    ];
    const problems = [
      ...leaks(secrets, 'the log', text),
      ...leaks(secrets, 'the audit trail', JSON.stringify(audit)),
    ];
    for (const { label, response } of recorded) {
      const own = response === shown || response === again;
      problems.push(
        ...leaks(
          secrets,
          own ? `the headers of ${label}` : `the answer to ${label}`,
          own
            ? JSON.stringify(response.headers)
            : `${JSON.stringify(response.headers)}\n${response.body}`,
        ),
      );
    }
    expect(problems).toEqual([]);
    expect(recorded.length).toBeGreaterThan(8);
  });
});
