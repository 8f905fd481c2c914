import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { RocketChatApi } from '../../src/rocketchat/client/rocketchat-api.service.js';
import { RocketChatHttp } from '../../src/rocketchat/client/rocketchat-http.service.js';
import {
  RocketChatRateLimitedError,
  RocketChatRequestError,
  RocketChatUnavailableError,
} from '../../src/rocketchat/client/rocketchat.errors.js';
import { RocketChatVersionService } from '../../src/rocketchat/client/rocketchat-version.service.js';
import { MetricsService } from '../../src/observability/index.js';
import { createTestApp } from '../support/app.js';
import { fakeClock } from '../support/fake-clock.js';
import { startSelfSignedTls } from '../support/self-signed-tls.js';
import { TcpProxy } from '../support/tcp-proxy.js';
import { startHarness, type Harness } from './harness.js';

describe('Rocket.Chat client against the emulator', () => {
  let h: Harness;
  let api: RocketChatApi;

  beforeAll(async () => {
    h = await startHarness({
      env: {
        ROCKETCHAT_TIMEOUT: '400ms',
        ROCKETCHAT_BREAKER_FAILURES: '3',
        ROCKETCHAT_BREAKER_WINDOW: '5s',
        ROCKETCHAT_BREAKER_COOLDOWN: '500ms',
      },
    });
    api = h.app.get(RocketChatApi);
  });

  afterAll(async () => {
    await h.close();
  });

  beforeEach(() => {
    h.rc.control.reset();
    h.app.get(RocketChatHttp).breaker.success();
  });

  it('should read users with the admin token and answer null for an unknown one', async () => {
    const alice = await h.rc.control.createUser({ username: 'alice' });
    const found = await api.userByUsername('alice');
    expect(found).toMatchObject({
      id: alice.userId,
      username: 'alice',
      active: true,
      roles: ['user'],
      type: 'user',
    });
    expect(await api.userById('no-such-id')).toBeNull();
  });

  it("should turn Rocket.Chat's 400 envelope into a request error with its errorType", async () => {
    await h.rc.control.createUser({ username: 'taken' });
    const error = await api
      .createUser({
        username: 'taken',
        email: 'someone@example.org',
        name: 'Someone',
        password: 'Str0ng-Passw0rd-Example!',
        roles: ['user'],
        joinDefaultChannels: false,
        verified: false,
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RocketChatRequestError);
    expect(error).toMatchObject({
      errorType: 'error-field-unavailable',
      reason: 'taken is already in use :(',
    });
  });

  it('should retry an idempotent read after a 5xx and succeed', async () => {
    await h.rc.control.createUser({ username: 'retried' });
    h.rc.control.injectFault({
      route: 'users.info',
      action: { type: 'status', status: 502 },
      times: 1,
    });
    expect(await api.userByUsername('retried')).toMatchObject({
      username: 'retried',
    });
    expect(h.rc.control.countCalls('users.info')).toBe(2);
  });

  it('should never retry a write, even after a 5xx', async () => {
    h.rc.control.injectFault({
      route: 'users.create',
      action: { type: 'status', status: 503 },
      times: 1,
    });
    const error = await api
      .createUser({
        username: 'once',
        email: 'once@example.org',
        name: 'Once',
        password: 'Str0ng-Passw0rd-Example!',
        roles: ['user'],
        joinDefaultChannels: false,
        verified: false,
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RocketChatUnavailableError);
    expect(error).toMatchObject({ reason: 'server-error', status: 503 });
    expect(h.rc.control.countCalls('users.create')).toBe(1);
  });

  it('should give up at its deadline when Rocket.Chat hangs, reads included', async () => {
    h.rc.control.injectFault({ route: 'users.info', action: { type: 'hang' } });
    const started = Date.now();
    const error = await api.userByUsername('anyone').catch((e: unknown) => e);
    const elapsed = Date.now() - started;
    expect(error).toMatchObject({ reason: 'timeout' });
    // One 400 ms attempt, then a retry within the 1.5x budget (600 ms; loose for busy runners).
    expect(elapsed).toBeGreaterThanOrEqual(390);
    expect(elapsed).toBeLessThan(3000);
    h.rc.control.clearFaults();
  });

  it('should open the circuit after repeated failures, fail fast, then close after a good probe', async () => {
    // The breaker's window and cool-down follow the application's clock, moved by the test.
    const clock = fakeClock();
    h.rc.control.injectFault({
      route: 'users.create',
      action: { type: 'status', status: 500 },
    });
    const create = () =>
      api
        .createUser({
          username: 'breaker',
          email: 'breaker@example.org',
          name: 'B',
          password: 'Str0ng-Passw0rd-Example!',
          roles: ['user'],
          joinDefaultChannels: false,
          verified: false,
        })
        .catch((e: unknown) => e);
    for (let i = 0; i < 3; i += 1) {
      await create();
    }
    expect(h.rc.control.countCalls('users.create')).toBe(3);
    const started = Date.now();
    const fast = await create();
    // Without calling Rocket.Chat: far below the 400 ms a call may take (loose for busy runners).
    expect(Date.now() - started).toBeLessThan(300);
    expect(fast).toMatchObject({ reason: 'circuit-open' });
    expect(h.rc.control.countCalls('users.create')).toBe(3);
    // Still open just before the cool-down ends, whatever the real time taken.
    clock.advance(499);
    expect(await create()).toMatchObject({ reason: 'circuit-open' });
    expect(h.rc.control.countCalls('users.create')).toBe(3);
    h.rc.control.clearFaults();
    clock.advance(1);
    expect(h.app.get(RocketChatHttp).breaker.state).toBe('open');
    await h.rc.control.createUser({ username: 'probe' });
    expect(await api.userByUsername('probe')).toMatchObject({
      username: 'probe',
    });
    expect(h.app.get(RocketChatHttp).breaker.state).toBe('closed');
  });

  it('should record every call in the metrics by endpoint and outcome', async () => {
    await api.userById('nobody');
    const text = await h.app.get(MetricsService).render();
    expect(text).toMatch(
      /rcbridge_rocketchat_request_duration_seconds_count\{endpoint="users\.info",outcome="4xx"\} [1-9]/,
    );
  });

  it('should detect the server version from /api/info', async () => {
    expect(await h.app.get(RocketChatVersionService).get()).toEqual({
      major: 8,
      minor: 0,
    });
  });
  // Last: the bridge then avoids users.info until the reset, for the rest of this app's life.
  it('should respect a 429 until X-RateLimit-Reset without calling again', async () => {
    h.rc.control.injectFault({
      route: 'users.info',
      action: { type: 'status', status: 429 },
      times: 1,
    });
    const error = await api.userByUsername('x').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RocketChatRateLimitedError);
    const again = await api.userByUsername('x').catch((e: unknown) => e);
    expect(again).toBeInstanceOf(RocketChatRateLimitedError);
    expect(h.rc.control.countCalls('users.info')).toBe(1);
  });
});

describe('Rocket.Chat answering too much', () => {
  it('should refuse an answer over 1 MiB as malformed, and read normally afterwards', async () => {
    const h = await startHarness({ env: { ROCKETCHAT_READ_RETRIES: '0' } });
    const api = h.app.get(RocketChatApi);
    try {
      await h.rc.control.createUser({ username: 'oversized' });
      h.rc.control.injectFault({
        route: 'users.info',
        action: {
          type: 'status',
          status: 200,
          body: {
            success: true,
            user: {
              _id: 'x',
              username: 'oversized',
              bio: 'x'.repeat(1_100_000),
            },
          },
        },
      });
      const error = await api
        .userByUsername('oversized')
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(RocketChatUnavailableError);
      expect(error).toMatchObject({ reason: 'malformed' });
      expect((error as Error).message).toBe(
        'Rocket.Chat users.info: answered with an oversized or unreadable body',
      );
      h.rc.control.clearFaults();
      expect(await api.userByUsername('oversized')).toMatchObject({
        username: 'oversized',
      });
    } finally {
      await h.close();
    }
  });
});

describe('Rocket.Chat unreachable', () => {
  /** A bridge whose calls to Rocket.Chat go to `internalUrl`, one attempt each. */
  async function bridgeCalling(internalUrl: string) {
    const target = await startHarness({
      env: { ROCKETCHAT_READ_RETRIES: '0' },
    });
    const app = await createTestApp({
      env: {
        ROCKETCHAT_URL: target.rc.url,
        ROCKETCHAT_INTERNAL_URL: internalUrl,
        ROCKETCHAT_USER_ID: target.admin.userId,
        ROCKETCHAT_AUTH_TOKEN: target.admin.pat,
        ROCKETCHAT_READ_RETRIES: '0',
      },
    });
    return {
      userById: (id: string) =>
        app.app
          .get(RocketChatApi)
          .userById(id)
          .catch((e: unknown) => e),
      async close() {
        await app.close();
        await target.close();
      },
    };
  }

  it('should fail readably when the name of Rocket.Chat does not resolve', async () => {
    // .invalid never resolves (RFC 6761).
    const bridge = await bridgeCalling('https://rocketchat.invalid');
    try {
      const error = await bridge.userById('x');
      expect(error).toBeInstanceOf(RocketChatUnavailableError);
      // ENOTFOUND; EAI_AGAIN where no resolver answers at all.
      expect((error as Error).message).toMatch(
        /^Rocket\.Chat users\.info: unreachable \((ENOTFOUND|EAI_AGAIN)\)$/,
      );
    } finally {
      await bridge.close();
    }
  });

  it('should refuse a Rocket.Chat whose certificate it cannot verify (self-signed), sending nothing', async () => {
    const tls = await startSelfSignedTls();
    const bridge = await bridgeCalling(`https://127.0.0.1:${tls.port}`);
    try {
      const error = await bridge.userById('x');
      expect(error).toBeInstanceOf(RocketChatUnavailableError);
      expect((error as Error).message).toBe(
        'Rocket.Chat users.info: unreachable (DEPTH_ZERO_SELF_SIGNED_CERT)',
      );
      // The handshake was tried and refused: no request (so no admin token) went over it.
      expect(tls.handshakes()).toBeGreaterThan(0);
      expect(tls.requests()).toBe(0);
    } finally {
      await bridge.close();
      await tls.close();
    }
  });

  it('should fail readably and fast when nothing listens, then open the circuit', async () => {
    const proxyTarget = await startHarness({
      env: { ROCKETCHAT_BREAKER_FAILURES: '2', ROCKETCHAT_READ_RETRIES: '0' },
    });
    const down = await TcpProxy.start(new URL(proxyTarget.rc.url).host, {
      down: true,
    });
    const app = await createTestApp({
      env: {
        ROCKETCHAT_URL: proxyTarget.rc.url,
        ROCKETCHAT_INTERNAL_URL: `http://${down.address}`,
        ROCKETCHAT_USER_ID: proxyTarget.admin.userId,
        ROCKETCHAT_AUTH_TOKEN: proxyTarget.admin.pat,
        ROCKETCHAT_BREAKER_FAILURES: '2',
        ROCKETCHAT_READ_RETRIES: '0',
      },
    });
    try {
      const api = app.app.get(RocketChatApi);
      const first = await api.userById('x').catch((e: unknown) => e);
      expect(first).toBeInstanceOf(RocketChatUnavailableError);
      expect((first as Error).message).toBe(
        'Rocket.Chat users.info: unreachable (ECONNREFUSED)',
      );
      await api.userById('x').catch(() => undefined);
      const started = Date.now();
      const fast = await api.userById('x').catch((e: unknown) => e);
      // No connection attempt at all (loose bound for busy runners).
      expect(Date.now() - started).toBeLessThan(300);
      expect(fast).toMatchObject({ reason: 'circuit-open' });
      expect((fast as RocketChatUnavailableError).retryAfterMs).toBeGreaterThan(
        0,
      );
    } finally {
      await app.close();
      await down.close();
      await proxyTarget.close();
    }
  });
});
