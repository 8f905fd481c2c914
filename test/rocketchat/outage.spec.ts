import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UserAdminService } from '../../src/users/index.js';
import type { BrowserLikeClient } from '../support/browser-like-client.js';
import { freshDatabaseUri } from '../support/mongo.js';
import {
  mongoHostPort,
  TcpProxy,
  withMongoHost,
} from '../support/tcp-proxy.js';
import { callApiUrl, loginAs, startHarness, type Harness } from './harness.js';

describe("The Rocket.Chat endpoints while the bridge's MongoDB is down", () => {
  let h: Harness;
  let proxy: TcpProxy;
  let client: BrowserLikeClient;

  beforeAll(async () => {
    const { uri } = freshDatabaseUri('rc_outage');
    proxy = await TcpProxy.start(mongoHostPort(uri));
    h = await startHarness({
      env: {
        MONGODB_URI: withMongoHost(uri, proxy.address),
        MONGO_SERVER_SELECTION_TIMEOUT: '500ms',
      },
    });
    await h.app
      .get(UserAdminService)
      .create({ username: 'uma', password: 'correct horse battery' });
    client = await loginAs(h.app, 'uma', 'correct horse battery');
    await proxy.down();
  });

  afterAll(async () => {
    await h.close();
    await proxy.close();
  });

  it('should answer the API URL with 503 and the CORS grant, never 401 or 200', async () => {
    const answer = await callApiUrl(h.app, client, h.rc.origin);
    expect(answer.statusCode).toBe(503);
    expect(answer.headers).toMatchObject({
      'access-control-allow-origin': h.rc.origin,
      'access-control-allow-credentials': 'true',
      vary: 'Origin',
      'retry-after': expect.stringMatching(/^\d+$/),
    });
    expect(answer.body).not.toMatch(/Mongo|ECONN|loginToken/);
    expect(h.rc.control.countCalls('users.createToken')).toBe(0);
  });

  it('should still refuse unknown origins with 403 without touching MongoDB', async () => {
    const started = Date.now();
    const answer = await callApiUrl(h.app, client, 'https://evil.example');
    expect(answer.statusCode).toBe(403);
    expect(Date.now() - started).toBeLessThan(200);
  });

  it('should show a 503 page in the frame for the post-login page', async () => {
    const page = await client.get('/rocketchat/redirect', {
      'sec-fetch-dest': 'iframe',
      accept: 'text/html',
    });
    expect(page.statusCode).toBe(503);
    expect(page.body).not.toMatch(/Mongo|ECONN|stack/);
  });

  it('should recover once MongoDB is back', async () => {
    await proxy.up();
    await expect
      .poll(
        async () => (await callApiUrl(h.app, client, h.rc.origin)).statusCode,
        {
          timeout: 15_000,
          interval: 250,
        },
      )
      .toBe(200);
  });
});
