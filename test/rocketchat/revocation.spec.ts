import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { RocketChatHttp } from '../../src/rocketchat/client/rocketchat-http.service.js';
import { RevocationQueueRepository } from '../../src/rocketchat/tokens/revocation-queue.repository.js';
import {
  RevocationService,
  sessionTokenContext,
} from '../../src/rocketchat/tokens/revocation.service.js';
import { RestTokenStrategy } from '../../src/rocketchat/tokens/rest-token.strategy.js';
import type { StoredSessionToken } from '../../src/rocketchat/tokens/session-tokens.repository.js';
import { TokenCipher } from '../../src/rocketchat/tokens/token-cipher.js';
import { UserLogoutService } from '../../src/rocketchat/tokens/user-logout.service.js';
import { createTestApp } from '../support/app.js';
import { RcClient } from '../rc-emulator/test-helpers.js';
import { startHarness, type Harness } from './harness.js';

async function issue(
  h: Harness,
  rcUserId: string,
  app = h.app,
): Promise<{ stored: StoredSessionToken; token: string }> {
  const minted = await app.get(RestTokenStrategy).mint(rcUserId);
  const sessionId = randomUUID().replace(/-/g, '').slice(0, 24);
  return {
    token: minted.token,
    stored: {
      sessionId,
      bridgeUserId: 'bridge-user',
      rcUserId,
      strategy: 'rest',
      sealedToken: app
        .get(TokenCipher)
        .encrypt(minted.token, sessionTokenContext(sessionId)),
      hashedToken: minted.hashedToken,
      issuedAt: new Date(),
      deliveredAt: new Date(),
      deliveredTo: 'api',
    },
  };
}

async function until(check: () => Promise<boolean>, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) {
      throw new Error('condition not reached in time');
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe.each(['7.10.0', '8.0.0', '9.0.1'])(
  'users.logout guard (Rocket.Chat %s)',
  (version) => {
    let h: Harness;

    beforeAll(async () => {
      h = await startHarness({ version });
    });

    afterAll(async () => {
      await h.close();
    });

    it('should log an ordinary user out everywhere', async () => {
      const user = await h.rc.control.createUser({
        resumeToken: true,
        pat: true,
      });
      expect(await h.app.get(UserLogoutService).logoutUser(user.userId)).toBe(
        true,
      );
      expect(await h.rc.control.tokenCount(user.userId)).toBe(0);
    });

    it("should never send users.logout for an empty id, the bridge's own account, an admin or a bot, and the admin's token survives", async () => {
      const started = new Date();
      const guard = h.app.get(UserLogoutService);
      const otherAdmin = await h.rc.control.createAdmin();
      const bot = await h.rc.control.createBot();
      for (const id of [
        '',
        '   ',
        h.admin.userId,
        otherAdmin.userId,
        bot.userId,
      ]) {
        expect(await guard.logoutUser(id)).toBe(false);
      }
      expect(
        h.rc.control
          .calls({ route: 'users.logout' })
          .filter((call) => call.at >= started),
      ).toEqual([]);
      const me = await new RcClient(h.rc.url).get('/api/v1/me', {
        auth: { userId: h.admin.userId, token: h.admin.pat ?? '' },
      });
      expect(me.status).toBe(200);
      expect(await h.rc.control.checkToken(otherAdmin.pat ?? '')).toMatchObject(
        {
          valid: true,
        },
      );
    });
  },
);

describe('Revocation queue', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness({
      env: {
        ROCKETCHAT_REVOCATION_INTERVAL: '100ms',
        ROCKETCHAT_BREAKER_FAILURES: '1000',
      },
    });
  });

  afterAll(async () => {
    await h.close();
  });

  afterEach(() => {
    h.rc.control.clearFaults();
    h.rc.control.clearCalls();
  });

  it('should revoke a token at once and leave nothing queued', async () => {
    const user = await h.rc.control.createUser();
    const { stored, token } = await issue(h, user.userId);
    await h.app.get(RevocationService).revokeToken(stored);
    await until(async () => !(await h.rc.control.checkToken(token)).valid);
    await until(
      async () => (await h.app.get(RevocationQueueRepository).count()) === 0,
    );
    expect(h.rc.control.countCalls('logout')).toBe(1);
  });

  it('should keep retrying with backoff while Rocket.Chat fails, then succeed', async () => {
    const user = await h.rc.control.createUser();
    const { stored, token } = await issue(h, user.userId);
    h.rc.control.injectFault({
      route: 'logout',
      action: { type: 'status', status: 503 },
      times: 3,
    });
    await h.app.get(RevocationService).revokeToken(stored);
    await until(
      async () => !(await h.rc.control.checkToken(token)).valid,
      10_000,
    );
    expect(
      h.rc.control.calls({ route: 'logout' }).map((c) => c.status),
    ).toEqual([503, 503, 503, 200]);
    await until(
      async () => (await h.app.get(RevocationQueueRepository).count()) === 0,
    );
  });

  it('should wait for the rate-limit reset after a 429', async () => {
    const user = await h.rc.control.createUser();
    const { stored, token } = await issue(h, user.userId);
    h.rc.control.injectFault({
      route: 'logout',
      action: {
        type: 'status',
        status: 429,
        headers: { 'x-ratelimit-reset': String(Date.now() + 1500) },
      },
      times: 1,
    });
    const started = Date.now();
    await h.app.get(RevocationService).revokeToken(stored);
    await until(
      async () => !(await h.rc.control.checkToken(token)).valid,
      10_000,
    );
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    expect(h.rc.control.countCalls('logout')).toBe(2);
  });
});

describe('Revocation across restarts and replicas', () => {
  it('should finish a queued revocation in another process, exactly once', async () => {
    const h = await startHarness({
      env: { ROCKETCHAT_REVOCATION_INTERVAL: '2s' },
    });
    const replicas: Awaited<ReturnType<typeof createTestApp>>[] = [];
    try {
      const user = await h.rc.control.createUser();
      const { stored, token } = await issue(h, user.userId);
      h.rc.control.injectFault({
        route: 'logout',
        action: { type: 'status', status: 502 },
        times: 1,
      });
      await h.app.get(RevocationService).revokeToken(stored);
      await until(() =>
        Promise.resolve(h.rc.control.countCalls('logout') === 1),
      );
      // The first process goes away; its job is due again after the backoff.
      await h.app.close();
      const env = {
        MONGODB_URI: h.mongoUri,
        ROCKETCHAT_URL: h.rc.url,
        ROCKETCHAT_USER_ID: h.admin.userId,
        ROCKETCHAT_AUTH_TOKEN: h.admin.pat,
        ROCKETCHAT_REVOCATION_INTERVAL: '50ms',
      };
      replicas.push(await createTestApp({ env }), await createTestApp({ env }));
      await until(
        async () => !(await h.rc.control.checkToken(token)).valid,
        15_000,
      );
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(
        h.rc.control.calls({ route: 'logout' }).map((c) => c.status),
      ).toEqual([502, 200]);
      expect(await replicas[0].app.get(RevocationQueueRepository).count()).toBe(
        0,
      );
    } finally {
      for (const replica of replicas) {
        await replica.close();
      }
      await h.rc.close();
    }
  });
});

describe('Revocation deadline', () => {
  it('should drop a job once the token would have expired in Rocket.Chat anyway', async () => {
    const h = await startHarness({
      env: {
        ROCKETCHAT_REVOCATION_INTERVAL: '50ms',
        ROCKETCHAT_TOKEN_LIFETIME: '60s',
      },
    });
    try {
      const user = await h.rc.control.createUser();
      const { stored } = await issue(h, user.userId);
      h.rc.control.injectFault({
        route: 'logout',
        action: { type: 'status', status: 503 },
      });
      await h.app
        .get(RevocationService)
        .revokeToken({ ...stored, issuedAt: new Date(Date.now() - 61_000) });
      await until(
        async () => (await h.app.get(RevocationQueueRepository).count()) === 0,
      );
      expect(h.rc.control.countCalls('logout')).toBe(0);
      // The breaker saw no failures from this.
      expect(h.app.get(RocketChatHttp).breaker.state).toBe('closed');
    } finally {
      await h.close();
    }
  });
});
