import { describe, expect, it } from 'vitest';
import { MongoConnectionService } from '../../src/database/index.js';
import { createTestApp } from '../support/app.js';
import { freshDatabaseUri } from '../support/mongo.js';
import {
  mongoHostPort,
  TcpProxy,
  withMongoHost,
} from '../support/tcp-proxy.js';

describe('graceful shutdown', () => {
  it('should finish an in-flight request that needs MongoDB, refuse new ones, then close MongoDB', async () => {
    const { uri } = freshDatabaseUri('shutdown');
    const proxy = await TcpProxy.start(mongoHostPort(uri));
    const test = await createTestApp({
      env: { MONGODB_URI: withMongoHost(uri, proxy.address) },
    });
    try {
      await test.app.listen({ port: 0, host: '127.0.0.1' });
      const base = await test.app.getUrl();
      const mongo = test.app.get(MongoConnectionService);

      // The readiness probe pings MongoDB; slow the wire so the request is still running at close.
      proxy.latencyMs = 700;
      const inFlight = fetch(
        `${base.replace('[::1]', '127.0.0.1')}/health/ready`,
      );
      await new Promise((resolve) => setTimeout(resolve, 200));
      const closing = test.app.close();
      await new Promise((resolve) => setTimeout(resolve, 50));

      const late = await fetch(`${base}/health/live`).then(
        (r) => r.status,
        () => 'refused',
      );
      const response = await inFlight;
      expect(response.status).toBe(200);
      expect(await response.json()).toMatchObject({
        checks: { mongodb: 'up' },
      });
      expect([503, 'refused']).toContain(late);

      await closing;
      expect(mongo.state).toBe('disconnected');
    } finally {
      await proxy.close();
    }
  });
});
