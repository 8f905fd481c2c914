import { EventEmitter2 } from '@nestjs/event-emitter';
import { getConnectionToken } from '@nestjs/mongoose';
import type { Connection } from 'mongoose';
import {
  afterAll,
  beforeAll,
  beforeEach,
  describe,
  expect,
  it,
  vi,
} from 'vitest';
import { UsersRepository } from '../../src/users/index.js';
import { Clock } from '../../src/common/index.js';
import {
  SessionEndedEvent,
  SessionUserCheck,
} from '../../src/session/index.js';
import { setCookies } from '../support/browser-like-client.js';
import {
  appWithUsers,
  attemptLogin,
  PASSWORD,
} from '../auth/login-attempts.js';
import { runCli } from '../support/run-cli.js';

const SESSION = '__Host-rcbridge_session';

/**
 * SES-5(c): `rc-bridge users disable` and `passwd` run in another process; the service notices
 * when the session is next read (within the per-process cache of SessionUserCheck) and ends it
 * through the normal path, announced once with its reason.
 */
describe('sessions of users changed by the admin CLI', () => {
  let t: Awaited<ReturnType<typeof appWithUsers>>;
  let events: SessionEndedEvent[];
  let skew: number;

  beforeAll(async () => {
    t = await appWithUsers('session_user_check', [
      'alice',
      'bob',
      'carol',
      'dave',
    ]);
    t.app
      .get(EventEmitter2)
      .on(SessionEndedEvent.eventName, (event: SessionEndedEvent) =>
        events.push(event),
      );
  });
  afterAll(() => t.close());

  beforeEach(() => {
    events = [];
    skew = 0;
    // Real time (the CLI stamps real times), moved forward past the cache when the test says.
    vi.spyOn(Clock.prototype, 'now').mockImplementation(
      () => Date.now() + skew,
    );
  });

  const cli = (args: string[], stdin = '') =>
    runCli(
      args,
      { MONGODB_URI: t.mongoUri, MONGO_SERVER_SELECTION_TIMEOUT: '3s' },
      stdin,
    );

  async function loggedIn(username: string): Promise<string> {
    const response = await attemptLogin(t.app, username, PASSWORD);
    expect(response.statusCode).toBe(303);
    return setCookies(response)
      .find((l) => l.startsWith(`${SESSION}=`))!
      .split(';')[0];
  }

  /** 303: the session is alive (the page goes straight on); 200: the form (no session). */
  const visit = async (cookie: string) =>
    (await t.app.inject({ method: 'GET', url: '/login', headers: { cookie } }))
      .statusCode;

  it('should end the sessions of a user disabled by `rc-bridge users disable`, once, as user-disabled', async () => {
    const cookie = await loggedIn('alice');
    expect(await visit(cookie)).toBe(303);
    const run = await cli(['users', 'disable', 'alice']);
    expect(run).toMatchObject({ code: 0, stdout: 'Disabled alice\n' });
    skew = SessionUserCheck.cacheMs + 1000;
    expect(await visit(cookie)).toBe(200);
    expect(await visit(cookie)).toBe(200);
    expect(events).toEqual([
      expect.objectContaining({ userId: t.ids.alice, reason: 'user-disabled' }),
    ]);
  });

  it('should end sessions begun before `rc-bridge users passwd`, as password-changed, and keep later ones', async () => {
    const before = await loggedIn('bob');
    const run = await cli(
      ['users', 'passwd', 'bob'],
      'another long passphrase\n',
    );
    expect(run.code).toBe(0);
    skew = SessionUserCheck.cacheMs + 1000;
    const after = (await attemptLogin(t.app, 'bob', 'another long passphrase'))
      .statusCode;
    expect(after).toBe(303);
    expect(await visit(before)).toBe(200);
    expect(events).toEqual([
      expect.objectContaining({
        userId: t.ids.bob,
        reason: 'password-changed',
      }),
    ]);
  });

  it('should end the session of a user deleted from the database', async () => {
    const cookie = await loggedIn('carol');
    await t.app
      .get<Connection>(getConnectionToken())
      .collection('bridge_users')
      .deleteOne({ username: 'carol' });
    skew = SessionUserCheck.cacheMs + 1000;
    expect(await visit(cookie)).toBe(200);
    expect(events.map((e) => e.reason)).toEqual(['user-disabled']);
  });

  it('should fail closed (503), never log out, when the user cannot be read', async () => {
    const cookie = await loggedIn('dave');
    skew = SessionUserCheck.cacheMs + 1000;
    const failing = vi.spyOn(t.app.get(UsersRepository), 'findById');
    failing.mockRejectedValue(
      Object.assign(new Error('connection lost'), {
        name: 'MongoNetworkError',
      }),
    );
    const response = await t.app.inject({
      method: 'GET',
      url: '/login',
      headers: { cookie },
    });
    expect(response.statusCode).toBe(503);
    expect(events).toEqual([]);
    failing.mockRestore();
    expect(await visit(cookie)).toBe(303);
  });
});
