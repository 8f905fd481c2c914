import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.factory.js';
import { UserAdminService } from '../../src/users/index.js';
import {
  IndexManager,
  MongoConnectionService,
} from '../../src/database/index.js';
import { AdminCredentials } from '../../src/rocketchat/client/admin-credentials.service.js';
import { SessionService } from '../../src/session/index.js';
import { CapturedLines } from '../observability/captured-lines.js';
import type { CreatedUser, RocketChatEmulator } from '../rc-emulator/index.js';
import { startTestEmulator } from '../rc-emulator/test-helpers.js';
import { callApiUrl, loginAs } from '../rocketchat/harness.js';
import { BrowserLikeClient, csrfOf } from '../support/browser-like-client.js';
import { TEST_ENV } from '../support/app.js';
import { freshDatabaseUri, mongoIsFerretDb } from '../support/mongo.js';
import {
  mongoHostPort,
  TcpProxy,
  withMongoHost,
} from '../support/tcp-proxy.js';
import { leaks, type Secret } from './secret-scan.js';

const SECRETS = {
  SESSION_SECRET: 'sec1-session-secret-7c1e9a52b4d83f60e2a9c7d5b1f4',
  TOKEN_ENCRYPTION_KEY: 'I5QSNiRC2qwqWP6Z+FuJM5shivCbz0zhiOG39fHJlpA=',
  CREATE_TOKENS_FOR_USERS_SECRET: 'sec1-create-token-secret-5d2b8e41f09a',
  METRICS_TOKEN: 'sec1-metrics-token-0b7f3c9e2d61a845',
  MONGO_PASSWORD: 'sec1-mongo-password-93e1b7c04f',
} as const;
const USER_PASSWORD = 'sec1 user password with spaces 31';
const WRONG_PASSWORD = 'sec1 wrong password typed 8827';

/**
 * A MongoDB URI carrying a password. FerretDB v1 accepts one with PLAIN (it does not check it);
 * MongoDB without users refuses any, so there the password is only in the URI of a server that is
 * down (second test), where it can leak through connection errors all the same.
 */
function withPassword(uri: string): string {
  if (!mongoIsFerretDb()) {
    return uri;
  }
  const url = uri.replace(
    /^mongodb:\/\//,
    `mongodb://bridge:${SECRETS.MONGO_PASSWORD}@`,
  );
  return `${url}${url.includes('?') ? '&' : '?'}authMechanism=PLAIN&authSource=admin`;
}

interface Recorded {
  readonly label: string;
  readonly response: LightMyRequestResponse;
}

/**
 * Records every answer `app.inject` gives, whoever calls it (BrowserLikeClient included): the
 * application proxies `inject` to its HTTP adapter, which is wrapped here.
 */
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

function responseText(response: LightMyRequestResponse): string {
  return `${JSON.stringify(response.headers)}\n${response.body}`;
}

describe('secrets in log lines and responses, at LOG_LEVEL=trace (SEC-1)', () => {
  let rc: RocketChatEmulator;
  let admin: CreatedUser;
  let proxy: TcpProxy;
  let app: NestFastifyApplication;
  let recorded: Recorded[];
  const logs = new CapturedLines();
  const secrets: Secret[] = Object.entries(SECRETS).map(([name, value]) => ({
    name,
    value,
  }));
  /** Secrets that one response may carry by design: where they were handed out. */
  const handedOut: { secret: Secret; response: LightMyRequestResponse }[] = [];

  beforeAll(async () => {
    rc = await startTestEmulator({
      mongoUri: withPassword(freshDatabaseUri('sec1_rc').uri),
      env: {
        CREATE_TOKENS_FOR_USERS_SECRET: SECRETS.CREATE_TOKENS_FOR_USERS_SECRET,
      },
    });
    admin = await rc.control.createAdmin();
    const { uri } = freshDatabaseUri('sec1_bridge');
    proxy = await TcpProxy.start(mongoHostPort(uri));
    app = await createApp({
      env: {
        ...TEST_ENV,
        LOG_LEVEL: 'trace',
        MONGODB_URI: withPassword(withMongoHost(uri, proxy.address)),
        MONGO_SERVER_SELECTION_TIMEOUT: '500ms',
        MONGO_DB: withPassword(freshDatabaseUri('sec1_rc').uri),
        ROCKETCHAT_URL: rc.url,
        ROCKETCHAT_USER_ID: undefined,
        ROCKETCHAT_AUTH_TOKEN: undefined,
        // Bootstrap: the bridge logs in with the admin's password and creates its own token.
        ROCKETCHAT_ADMIN_USERNAME: admin.username,
        ROCKETCHAT_ADMIN_PASSWORD: admin.password,
        ROCKETCHAT_TIMEOUT: '400ms',
        ROCKETCHAT_REVOCATION_INTERVAL: '100ms',
        SESSION_SECRET: SECRETS.SESSION_SECRET,
        TOKEN_ENCRYPTION_KEY: SECRETS.TOKEN_ENCRYPTION_KEY,
        CREATE_TOKENS_FOR_USERS_SECRET: SECRETS.CREATE_TOKENS_FOR_USERS_SECRET,
        METRICS_TOKEN: SECRETS.METRICS_TOKEN,
      },
      logDestination: logs,
    });
    await app.getHttpAdapter().getInstance().ready();
    await app.get(MongoConnectionService).waitUntilConnected(15_000);
    await app.get(IndexManager).whenReady();
    recorded = recordResponses(app);
    secrets.push(
      { name: 'admin password', value: admin.password },
      { name: "admin's own personal access token", value: admin.pat ?? '' },
      { name: 'user password', value: USER_PASSWORD },
      { name: 'mistyped password', value: WRONG_PASSWORD },
    );
    const users = app.get(UserAdminService);
    for (const username of ['sam', 'tia', 'uri']) {
      await users.create({ username, password: USER_PASSWORD });
    }
  });

  afterAll(async () => {
    await app?.close();
    await proxy?.close();
    await rc?.close();
  });

  /** The session token a login response set: allowed in that response's Set-Cookie only. */
  function sessionTokenOf(client: BrowserLikeClient): void {
    const [name, value] =
      [...client.cookies].find(([cookie]) => !cookie.endsWith('_login')) ?? [];
    const response = recorded.findLast((r) =>
      JSON.stringify(r.response.headers['set-cookie'] ?? '').includes(
        `${name}=${value}`,
      ),
    )?.response;
    if (name && value && response) {
      handedOut.push({ secret: { name: 'session token', value }, response });
    }
  }

  /** A Rocket.Chat token a response handed out: allowed in that response's body only. */
  function mintedBy(response: LightMyRequestResponse): void {
    const token = /"loginToken":"([^"]+)"/.exec(response.body)?.[1];
    if (token) {
      handedOut.push({
        secret: { name: 'minted Rocket.Chat token', value: token },
        response,
      });
    }
  }

  it('should write none of them anywhere through logins, tokens, logouts, Rocket.Chat failures and a MongoDB outage', async () => {
    // The bridge's own token, created at bootstrap with the admin's password.
    secrets.push({
      name: 'bootstrapped personal access token',
      value: (await app.get(AdminCredentials).get()).token,
    });

    // Logins: refused, then accepted.
    const mistyped = new BrowserLikeClient(app);
    const { csrf } = await mistyped.open('/login');
    expect(
      (
        await mistyped.post('/login', {
          csrf,
          username: 'sam',
          password: WRONG_PASSWORD,
        })
      ).statusCode,
    ).toBe(401);
    const sam = await loginAs(app, 'sam', USER_PASSWORD);
    sessionTokenOf(sam);

    // The API URL: minted, handed out again, refused to another origin and without a session.
    const first = await callApiUrl(app, sam, rc.origin);
    expect(first.statusCode).toBe(200);
    mintedBy(first);
    mintedBy(await callApiUrl(app, sam, rc.origin));
    expect(
      (await callApiUrl(app, sam, 'https://evil.example')).statusCode,
    ).toBe(403);
    expect((await callApiUrl(app, undefined, rc.origin)).statusCode).toBe(401);
    // The framed post-login page hands the session's token over in its body.
    const page = await sam.get('/rocketchat/redirect', {
      'sec-fetch-dest': 'iframe',
    });
    expect(page.statusCode).toBe(200);
    mintedBy(page);

    // Logout at the bridge (its form), and from Rocket.Chat (its logout script).
    const sessions = app.get(SessionService);
    const session = await sessions.resolve({
      headers: { cookie: sam.cookieHeader() },
    } as never);
    await sessions.setInteractionRequired(session?.id ?? '', true);
    const ask = await sam.get('/login?next=/rocketchat/redirect');
    expect(
      (await sam.post('/logout', { csrf: csrfOf(ask.body) })).statusCode,
    ).toBe(200);
    const tia = await loginAs(app, 'tia', USER_PASSWORD);
    sessionTokenOf(tia);
    mintedBy(await callApiUrl(app, tia, rc.origin));
    const reverse = await app.inject({
      method: 'POST',
      url: '/rocketchat/logout',
      headers: { origin: rc.origin, cookie: tia.cookieHeader() ?? '' },
    });
    expect(reverse.statusCode).toBe(204);

    // Rocket.Chat failing: its token refused (a new one is bootstrapped), a 500, no answer at all.
    for (const action of [
      { type: 'status' as const, status: 401 },
      { type: 'status' as const, status: 500 },
      { type: 'hang' as const },
    ]) {
      const uri = await loginAs(app, 'uri', USER_PASSWORD);
      sessionTokenOf(uri);
      rc.control.injectFault({ route: 'users.createToken', action, times: 1 });
      mintedBy(await callApiUrl(app, uri, rc.origin));
      rc.control.clearFaults();
    }
    secrets.push({
      name: 'second bootstrapped personal access token',
      value: (await app.get(AdminCredentials).get()).token,
    });

    // Metrics, with the token and with a wrong one.
    for (const token of [SECRETS.METRICS_TOKEN, `${SECRETS.METRICS_TOKEN}x`]) {
      await app.inject({
        method: 'GET',
        url: '/metrics',
        headers: { authorization: `Bearer ${token}` },
      });
    }

    // MongoDB goes away, then comes back.
    await proxy.down();
    const during = await loginAs(app, 'sam', USER_PASSWORD).catch(
      () => undefined,
    );
    expect(during).toBeUndefined();
    const stale = await callApiUrl(app, tia, rc.origin);
    expect(stale.statusCode).toBe(503);
    await proxy.up();
    // The driver finds the server again on its own schedule; slower on a busy machine.
    await expect
      .poll(
        async () => {
          try {
            const back = await loginAs(app, 'sam', USER_PASSWORD);
            sessionTokenOf(back);
            const answer = await callApiUrl(app, back, rc.origin);
            mintedBy(answer);
            return answer.statusCode;
          } catch {
            return 0;
          }
        },
        { timeout: 30_000 },
      )
      .toBe(200);
    // Revocations queued meanwhile go out (their log lines are part of what is checked).
    await expect.poll(() => rc.control.countCalls('logout')).toBeGreaterThan(0);

    const problems: string[] = [
      ...leaks(secrets, 'the log', logs.text),
      ...leaks(
        handedOut.map((h) => h.secret),
        'the log',
        logs.text,
      ),
    ];
    for (const { label, response } of recorded) {
      problems.push(
        ...leaks(secrets, `the answer to ${label}`, responseText(response)),
      );
      for (const { secret } of handedOut) {
        // A token handed out twice (re-delivery) is at home in both answers.
        const own = handedOut.some(
          (h) => h.secret.value === secret.value && h.response === response,
        );
        if (!own) {
          problems.push(
            ...leaks(
              [secret],
              `the answer to ${label}`,
              responseText(response),
            ),
          );
        } else if (secret.name === 'session token') {
          // In its own response: in Set-Cookie, and nowhere else.
          const { 'set-cookie': _cookie, ...others } = response.headers;
          problems.push(
            ...leaks(
              [secret],
              `the body or other headers of ${label}`,
              `${JSON.stringify(others)}\n${response.body}`,
            ),
          );
        } else {
          problems.push(
            ...leaks(
              [secret],
              `the headers of ${label}`,
              JSON.stringify(response.headers),
            ),
          );
        }
      }
    }
    expect(logs.lines.length).toBeGreaterThan(100);
    expect(
      handedOut.filter((h) => h.secret.name === 'minted Rocket.Chat token')
        .length,
    ).toBeGreaterThan(3);
    expect(problems).toEqual([]);
  }, 120_000);
});
