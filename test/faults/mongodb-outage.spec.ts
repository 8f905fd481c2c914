import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UserAdminService } from '../../src/users/index.js';
import {
  callApiUrl,
  loginAs,
  startHarness,
  type Harness,
} from '../rocketchat/harness.js';
import { HttpVisitor } from './http-visitor.js';
import { startMongoSwitch, type MongoSwitch } from './mongo-switch.js';
import { settleAndCheck } from './settle.js';
import { startTraffic, tally, unexpectedAnswers } from './traffic.js';

const PASSWORD = 'fault injection password';
const USERS = Array.from({ length: 8 }, (_, i) => `mongo-fault-${i}`);
/** No answer may take longer, outage or not (generous: a loaded 2-core runner). */
const ANSWER_BOUND_MS = 12_000;

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function status(baseUrl: string, path: string): Promise<number> {
  try {
    return (
      await fetch(`${baseUrl}${path}`, { signal: AbortSignal.timeout(10_000) })
    ).status;
  } catch {
    return 0;
  }
}

describe("the bridge's MongoDB stopped and restarted under login and API URL traffic", () => {
  let mongo: MongoSwitch;
  let h: Harness;
  let baseUrl: string;

  beforeAll(async () => {
    mongo = await startMongoSwitch('mongo_fault');
    h = await startHarness({
      label: 'mongo_fault',
      // Revocations through Rocket.Chat's database: its REST logout allows 10 a minute per IP.
      withMongoDb: true,
      env: {
        MONGODB_URI: mongo.uri,
        MONGO_SERVER_SELECTION_TIMEOUT: '1s',
        MONGO_SOCKET_TIMEOUT: '2s',
        MONGO_CONNECT_RETRY_MAX_DELAY: '1s',
        TRUST_PROXY: 'loopback',
        ROCKETCHAT_REVOCATION_INTERVAL: '200ms',
      },
    });
    const admin = h.app.get(UserAdminService);
    for (const username of USERS) {
      await admin.create({
        username,
        password: PASSWORD,
        displayName: `Name of ${username}`,
      });
    }
    await h.app.listen(0, '127.0.0.1');
    baseUrl = await h.app.getUrl();
  });

  afterAll(async () => {
    await h?.close();
    await mongo?.close();
  });

  it('should answer 503 within a bounded time while it is gone, fail readiness, recover without a restart, and leave nothing half-written', async () => {
    const traffic = startTraffic({
      baseUrl,
      rocketChatOrigin: h.rc.origin,
      usernames: USERS,
      password: PASSWORD,
      concurrency: 4,
    });
    await sleep(2000);
    await mongo.stop();
    const down = Date.now();
    await sleep(1500);
    const readyWhileDown = await status(baseUrl, '/health/ready');
    const liveWhileDown = await status(baseUrl, '/health/live');
    // A visitor arriving now: the page still shows (no store needed), the login is a 503 page.
    const visitor = new HttpVisitor(baseUrl, h.rc.origin, '10.78.0.1');
    const [page, login] = await visitor.login(USERS[0], PASSWORD);
    await sleep(2000);
    const up = Date.now();
    await mongo.start();
    await expect
      .poll(() => status(baseUrl, '/health/ready'), {
        timeout: 30_000,
        interval: 250,
      })
      .toBe(200);
    await sleep(3000);
    const answers = await traffic.stop();
    const summary = JSON.stringify(tally(answers));

    expect(readyWhileDown).toBe(503);
    expect(liveWhileDown).toBe(200);
    expect(page.status).toBe(200);
    expect(login.status).toBe(503);
    expect(login.body).toContain('Service unavailable');
    expect(login.body).not.toMatch(/Mongo|ECONN|stack/i);

    // Compared with the tally alongside, so a failure shows what the traffic saw.
    expect({ unexpected: unexpectedAnswers(answers), summary }).toEqual({
      unexpected: [],
      summary,
    });
    const slow = answers.filter((a) => a.ms > ANSWER_BOUND_MS);
    expect(slow.map((a) => `${a.step} ${a.status} ${a.ms} ms`)).toEqual([]);
    // Answered while the server was surely gone (sent after the stop plus the selection timeout,
    // finished before the restart): nothing succeeded on a store it could not read.
    const duringOutage = answers.filter(
      (a) => a.at > down + 1500 && a.at + a.ms < up && a.step !== 'login page',
    );
    expect(duringOutage.length).toBeGreaterThan(0);
    expect(
      duringOutage
        .filter((a) => a.status !== 503)
        .map((a) => `${a.step} ${a.status}`),
    ).toEqual([]);
    // After the restart the same process serves logins and tokens again.
    const afterwards = answers.filter((a) => a.at > up + 1000);
    expect(
      afterwards.filter((a) => a.step === 'api url' && a.status === 200).length,
    ).toBeGreaterThan(0);

    expect(await settleAndCheck(h, USERS, PASSWORD)).toEqual([]);
  }, 240_000);

  it('should end at once a token Rocket.Chat issued while MongoDB died, before the bridge could record it', async () => {
    await h.app.get(UserAdminService).create({
      username: 'mid-mint',
      password: PASSWORD,
      displayName: 'Mid Mint',
    });
    const client = await loginAs(h.app, 'mid-mint', PASSWORD);
    // Rocket.Chat takes its time with users.createToken; MongoDB dies meanwhile.
    h.rc.control.injectFault({
      route: 'users.createToken',
      action: { type: 'latency', ms: 1500 },
      times: 1,
    });
    const started = Date.now();
    const answer = callApiUrl(h.app, client, h.rc.origin);
    await expect
      .poll(() => h.rc.control.faults().length, { interval: 20 })
      .toBe(0);
    await mongo.stop();
    const response = await answer;
    const ms = Date.now() - started;
    const account = await h.rc.control.findUser({ username: 'mid-mint' });
    // The token exists in Rocket.Chat only until the bridge notices it cannot record it.
    await expect
      .poll(() => h.rc.control.tokenCount(account?._id ?? '', 'resume'))
      .toBe(0);
    await mongo.start();
    await expect
      .poll(() => status(baseUrl, '/health/ready'), {
        timeout: 30_000,
        interval: 250,
      })
      .toBe(200);

    expect(response.statusCode).toBe(503);
    expect(response.headers['access-control-allow-origin']).toBe(h.rc.origin);
    expect(ms).toBeLessThan(ANSWER_BOUND_MS);
    expect(h.rc.control.countCalls('users.createToken')).toBeGreaterThan(0);
    expect(await settleAndCheck(h, [...USERS, 'mid-mint'], PASSWORD)).toEqual(
      [],
    );
  }, 120_000);

  it('should answer 503 within a bounded time while MongoDB is too slow, and recover once it is fast again', async () => {
    const client = await loginAs(h.app, USERS[1], PASSWORD);
    // Every chunk delayed beyond MONGO_SOCKET_TIMEOUT (2 s here).
    mongo.slow(3000);
    const started = Date.now();
    const [api, ready] = await Promise.all([
      callApiUrl(h.app, client, h.rc.origin),
      status(baseUrl, '/health/ready'),
    ]);
    const login = await new HttpVisitor(
      baseUrl,
      h.rc.origin,
      '10.78.0.2',
    ).login(USERS[2], PASSWORD);
    const ms = Date.now() - started;
    mongo.slow(0);
    await expect
      .poll(() => status(baseUrl, '/health/ready'), {
        timeout: 30_000,
        interval: 250,
      })
      .toBe(200);

    expect(api.statusCode).toBe(503);
    expect(ready).toBe(503);
    expect(login.map((a) => a.status)).toEqual([200, 503]);
    expect(ms).toBeLessThan(2 * ANSWER_BOUND_MS);
    expect(await settleAndCheck(h, USERS, PASSWORD)).toEqual([]);
  }, 120_000);
});
