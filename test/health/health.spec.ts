import { afterEach, describe, expect, it, vi } from 'vitest';
import { MongoConnectionService } from '../../src/database/index.js';
import { ShutdownState } from '../../src/health/shutdown-state.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { freshDatabaseUri } from '../support/mongo.js';
import {
  mongoHostPort,
  TcpProxy,
  withMongoHost,
} from '../support/tcp-proxy.js';

describe('health endpoints', () => {
  const cleanups: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    while (cleanups.length > 0) {
      await cleanups.pop()!();
    }
  });

  async function app(env: Record<string, string> = {}): Promise<TestApp> {
    const t = await createTestApp({ label: 'health', env });
    cleanups.push(() => t.close());
    return t;
  }

  it('should answer liveness without touching anything, never cached', async () => {
    const t = await app();
    const ping = vi.spyOn(t.app.get(MongoConnectionService), 'ping');
    const response = await t.app.inject({ method: 'GET', url: '/health/live' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ status: 'ok' });
    expect(response.headers['cache-control']).toBe('no-store');
    expect(ping).not.toHaveBeenCalled();
  });

  it('should be ready with MongoDB up, and name components only', async () => {
    const t = await app();
    const response = await t.app.inject({
      method: 'GET',
      url: '/health/ready',
    });
    expect(response.statusCode).toBe(200);
    expect(response.headers['cache-control']).toBe('no-store');
    const body = response.json<{ status: string; checks: object }>();
    expect(body.checks).toMatchObject({ mongodb: 'up' });
    expect(Object.keys(body.checks).sort()).toEqual(['mongodb', 'rocketchat']);
  });

  it('should answer 503 without error text or host while MongoDB is down, 200 again once it is back', async () => {
    const { uri } = freshDatabaseUri('health_outage');
    const proxy = await TcpProxy.start(mongoHostPort(uri));
    cleanups.push(() => proxy.close());
    const t = await app({
      MONGODB_URI: withMongoHost(uri, proxy.address),
      MONGO_SERVER_SELECTION_TIMEOUT: '500ms',
    });
    await proxy.down();
    const response = await t.app.inject({
      method: 'GET',
      url: '/health/ready',
    });
    expect(response.statusCode).toBe(503);
    // Exactly component names and states: no host, port, error class or message.
    expect(response.json()).toEqual({
      status: 'unavailable',
      checks: {
        mongodb: 'down',
        rocketchat: expect.stringMatching(/^(up|down|unknown)$/),
      },
    });

    await proxy.up();
    const deadline = Date.now() + 15_000;
    let status = 503;
    while (status !== 200 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      status = (await t.app.inject({ method: 'GET', url: '/health/ready' }))
        .statusCode;
    }
    expect(status).toBe(200);
  });

  it('should report not ready while draining for shutdown, liveness unchanged', async () => {
    const t = await app();
    t.app.get(ShutdownState).beforeApplicationShutdown();
    const ready = await t.app.inject({ method: 'GET', url: '/health/ready' });
    expect(ready.statusCode).toBe(503);
    expect(ready.json()).toMatchObject({ status: 'draining' });
    const live = await t.app.inject({ method: 'GET', url: '/health/live' });
    expect(live.statusCode).toBe(200);
  });

  it('should let concurrent readiness probes share one MongoDB ping', async () => {
    const t = await app();
    const ping = vi.spyOn(t.app.get(MongoConnectionService), 'ping');
    const answers = await Promise.all(
      Array.from({ length: 50 }, () =>
        t.app.inject({ method: 'GET', url: '/health/ready' }),
      ),
    );
    expect(answers.every((a) => a.statusCode === 200)).toBe(true);
    expect(ping.mock.calls.length).toBeLessThan(5);
  });
});
