import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/app.js';
import { freshDatabaseUri } from '../support/mongo.js';
import {
  mongoHostPort,
  TcpProxy,
  withMongoHost,
} from '../support/tcp-proxy.js';
import { BrowserLikeClient } from '../support/browser-like-client.js';
import { PASSWORD } from './login-fixtures.js';
import { UserAdminService } from '../../src/users/index.js';

describe('login while MongoDB is down', () => {
  let t: TestApp;
  let proxy: TcpProxy;
  let withSession: BrowserLikeClient;

  beforeAll(async () => {
    const { uri } = freshDatabaseUri('login_outage');
    proxy = await TcpProxy.start(mongoHostPort(uri));
    t = await createTestApp({
      env: {
        MONGODB_URI: withMongoHost(uri, proxy.address),
        MONGO_SERVER_SELECTION_TIMEOUT: '500ms',
      },
    });
    await t.app
      .get(UserAdminService)
      .create({ username: 'alice', password: PASSWORD });
    withSession = new BrowserLikeClient(t.app);
    const { csrf } = await withSession.open('/login');
    const login = await withSession.post('/login', {
      csrf,
      username: 'alice',
      password: PASSWORD,
    });
    if (login.statusCode !== 303) {
      throw new Error(`set-up login failed with ${login.statusCode}`);
    }
    await proxy.down();
  });
  afterAll(async () => {
    await t.close();
    await proxy.close();
  });

  it('should fail closed with a 503 page when a session cannot be read, never as "logged out"', async () => {
    const response = await withSession.get('/login', { accept: 'text/html' });
    expect(response.statusCode).toBe(503);
    expect(response.headers['retry-after']).toBe('10');
    expect(response.body).toContain('Service unavailable');
    expect(response.body).not.toMatch(/Mongo|ECONN|stack/i);
    // The page's policy, and framing by the Rocket.Chat origin only (its last directive).
    expect(response.headers['content-security-policy']).toMatch(
      /(?:^|; )frame-ancestors http:\/\/localhost:3000$/,
    );
  });

  it('should still show the form to a visitor without a session (no store needed)', async () => {
    const response = await new BrowserLikeClient(t.app).get('/login');
    expect(response.statusCode).toBe(200);
  });

  it('should answer a login attempt with the 503 page, not "wrong password"', async () => {
    const client = new BrowserLikeClient(t.app);
    const { csrf } = await client.open('/login');
    const response = await client.post('/login', {
      csrf,
      username: 'alice',
      password: PASSWORD,
    });
    expect(response.statusCode).toBe(503);
    expect(response.body).toContain('Service unavailable');
    expect(response.body).not.toContain('incorrect');
  });
});
