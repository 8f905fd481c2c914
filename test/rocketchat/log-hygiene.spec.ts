import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UserAdminService } from '../../src/users/index.js';
import { SessionService } from '../../src/session/index.js';
import { AdminCredentials } from '../../src/rocketchat/client/admin-credentials.service.js';
import {
  createObservedApp,
  type ObservedApp,
} from '../observability/observed-app.js';
import type { RocketChatEmulator, CreatedUser } from '../rc-emulator/index.js';
import { startTestEmulator } from '../rc-emulator/test-helpers.js';
import { callApiUrl, loginAs } from './harness.js';

const SECRET = 'log-hygiene-create-token-secret-91ab';
const KEY = 'bG9nLWh5Z2llbmUtdG9rZW4tZW5jcnlwdGlvbi1rZXk=';
const PASSWORD = 'a rather long bridge password';

describe('Secrets in log lines', () => {
  let rc: RocketChatEmulator;
  let admin: CreatedUser;
  let observed: ObservedApp;
  const secrets: string[] = [];

  beforeAll(async () => {
    rc = await startTestEmulator({
      env: { CREATE_TOKENS_FOR_USERS_SECRET: SECRET },
    });
    admin = await rc.control.createAdmin();
    observed = await createObservedApp({
      env: {
        LOG_LEVEL: 'trace',
        ROCKETCHAT_URL: rc.url,
        ROCKETCHAT_USER_ID: undefined,
        ROCKETCHAT_AUTH_TOKEN: undefined,
        ROCKETCHAT_ADMIN_USERNAME: admin.username,
        ROCKETCHAT_ADMIN_PASSWORD: admin.password,
        CREATE_TOKENS_FOR_USERS_SECRET: SECRET,
        TOKEN_ENCRYPTION_KEY: KEY,
        // Room for an admin-token bootstrap within one call budget on a loaded machine.
        ROCKETCHAT_TIMEOUT: '1s',
        // Each kind of failure must reach Rocket.Chat's client, not an open circuit breaker.
        ROCKETCHAT_BREAKER_FAILURES: '100',
        ROCKETCHAT_REVOCATION_INTERVAL: '100ms',
      },
    });
    secrets.push(SECRET, KEY, admin.password, PASSWORD);
  });

  afterAll(async () => {
    await observed.close();
    await rc.close();
  });

  it('should log no token, password, secret or key through bootstrap, minting, failures and revocation', async () => {
    const { app } = observed;
    const auth = await app.get(AdminCredentials).get();
    secrets.push(auth.token);
    await app
      .get(UserAdminService)
      .create({ username: 'lena', password: PASSWORD });
    const client = await loginAs(app, 'lena', PASSWORD);
    const minted = await callApiUrl(app, client, rc.origin);
    const token = minted.json<{ loginToken: string }>().loginToken;
    secrets.push(token);

    // Failures of every kind while the token is revoked and minted again.
    // A 401 makes the bridge create a new admin token and carry on; the rest fail the call.
    const outcomes: number[] = [];
    for (const action of [
      { type: 'status' as const, status: 401 },
      { type: 'status' as const, status: 500 },
      { type: 'hang' as const },
      { type: 'close' as const },
      { type: 'html' as const },
    ]) {
      const fresh = await loginAs(app, 'lena', PASSWORD);
      rc.control.injectFault({ route: 'users.info', action, times: 1 });
      // One refused admin token per request: a second bootstrap would not fit one call budget.
      if (action.type !== 'status' || action.status !== 401) {
        rc.control.injectFault({
          route: 'users.createToken',
          action,
          times: 1,
        });
      }
      const answer = await callApiUrl(app, fresh, rc.origin);
      outcomes.push(answer.statusCode);
      secrets.push(
        ...(/"loginToken":"([^"]+)"/.exec(answer.body)?.slice(1) ?? []),
      );
      rc.control.clearFaults();
    }
    expect(outcomes).toEqual([200, 503, 503, 503, 503]);
    secrets.push((await app.get(AdminCredentials).get()).token);
    rc.control.clearFaults();
    const page = await client.get('/rocketchat/redirect', {
      'sec-fetch-dest': 'iframe',
    });
    const handed = /"loginToken":"([^"]+)"/.exec(page.body)?.[1];
    if (handed) {
      secrets.push(handed);
    }
    rc.control.injectFault({
      route: 'logout',
      action: { type: 'status', status: 503 },
      times: 2,
    });
    await app
      .get(SessionService)
      .destroyAllForUser(
        (await app.get(UserAdminService).require('lena')).id,
        'logout',
      );
    await expect
      .poll(() => rc.control.countCalls('logout'), { timeout: 10_000 })
      .toBeGreaterThanOrEqual(3);

    // The failed revocation is logged after its call returns: wait for the line.
    await expect
      .poll(() => observed.logs.text)
      .toMatch(/Ending a login of Rocket.Chat user .* failed/);
    const text = observed.logs.text;
    expect(text.length).toBeGreaterThan(0);
    expect(text).toMatch(/Issued a Rocket.Chat token/);
    expect(text).toMatch(/no answer within \d+ ms/);
    expect(text).toMatch(/unreachable/);
    expect(text).toMatch(/Ending a login of Rocket.Chat user .* failed/);
    for (const secret of secrets) {
      expect(text).not.toContain(secret);
    }
    expect(text).not.toMatch(/x-auth-token"?\s*[:=]\s*"?[A-Za-z0-9_-]{20}/i);
  });
});
