import { getConnectionToken } from '@nestjs/mongoose';
import { EventEmitter2 } from '@nestjs/event-emitter';
import type { Connection } from 'mongoose';
import {
  afterAll,
  afterEach,
  beforeAll,
  beforeEach,
  describe,
  expect,
  it,
  vi,
} from 'vitest';
import { IndexManager } from '../../src/database/index.js';
import { Clock } from '../../src/common/index.js';
import {
  SessionEndedEvent,
  SessionService,
  SessionStoreUnavailableError,
  SessionUserCheck,
} from '../../src/session/index.js';
import { SessionSweeper } from '../../src/session/session-sweeper.service.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { freshDatabaseUri } from '../support/mongo.js';
import {
  mongoHostPort,
  TcpProxy,
  withMongoHost,
} from '../support/tcp-proxy.js';
import { collectingReply, cookiePair, requestWith } from './session-fakes.js';

const MINUTE = 60_000;
const COOKIE = 'rcbridge_session';

describe('session store (real MongoDB)', () => {
  let t: TestApp;
  let sessions: SessionService;
  let now: number;
  let events: SessionEndedEvent[];

  beforeAll(async () => {
    t = await createTestApp({
      label: 'sessions',
      env: {
        SESSION_COOKIE_SECURE: 'false',
        SESSION_IDLE_TIMEOUT: '30m',
        SESSION_ABSOLUTE_TIMEOUT: '2h',
        // The test drives sweeps itself.
        SESSION_SWEEP_INTERVAL: '1d',
      },
    });
    sessions = t.app.get(SessionService);
    t.app
      .get(EventEmitter2)
      .on(SessionEndedEvent.eventName, (event: SessionEndedEvent) => {
        events.push(event);
      });
  });
  afterAll(() => t.close());

  beforeEach(() => {
    now = Date.UTC(2030, 0, 1, 9);
    vi.spyOn(t.app.get(Clock), 'now').mockImplementation(() => now);
    // These sessions belong to made-up user ids: the store is under test here, not the re-check
    // of the user (test/session/session-user-check.spec.ts).
    vi.spyOn(t.app.get(SessionUserCheck), 'verdict').mockResolvedValue('ok');
    events = [];
  });

  afterEach(() => {
    vi.restoreAllMocks();
  });

  function collection() {
    return t.app
      .get<Connection>(getConnectionToken())
      .collection('bridge_sessions');
  }

  async function login(userId: string, cookie?: string): Promise<string> {
    const reply = collectingReply();
    await sessions.create(requestWith(cookie), reply, userId);
    return cookiePair(reply.setCookies(), COOKIE)!;
  }

  it('should store only the token hash, with user id, created, last seen and expiry', async () => {
    const cookie = await login('user-a');
    const token = cookie.split('=')[1];
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/); // 256 random bits
    const records = await collection().find({ userId: 'user-a' }).toArray();
    expect(records).toHaveLength(1);
    const record = records[0];
    expect(Object.keys(record).sort()).toEqual(
      [
        '_id',
        'absoluteExpiresAt',
        'createdAt',
        'expiresAt',
        'interactionRequired',
        'lastSeenAt',
        'sourceCheckedAt',
        'tokenHash',
        'userId',
      ].sort(),
    );
    expect(record.createdAt).toEqual(new Date(now));
    // Signing in is the source's latest word on the person (the re-check starts from it).
    expect(record.sourceCheckedAt).toEqual(new Date(now));
    expect(record.expiresAt).toEqual(new Date(now + 30 * MINUTE));
    expect(record.absoluteExpiresAt).toEqual(new Date(now + 120 * MINUTE));
    expect(JSON.stringify(record)).not.toContain(token);

    const session = await sessions.resolve(requestWith(cookie));
    expect(session).toMatchObject({
      id: record._id.toHexString(),
      userId: 'user-a',
    });
  });

  it('should find a session by the _id its token hash gives, and still compare the whole hash', async () => {
    const cookie = await login('user-id-check');
    const [record] = await collection()
      .find({ userId: 'user-id-check' })
      .toArray();
    // The _id is the hash's first 96 bits: one indexed lookup on any server.
    expect(
      Buffer.from(record.tokenHash, 'base64url')
        .subarray(0, 12)
        .toString('hex'),
    ).toBe(record._id.toHexString());
    expect(await sessions.resolve(requestWith(cookie))).toMatchObject({
      userId: 'user-id-check',
    });
    // A record under that _id whose hash differs in its last bits is not this cookie's session.
    const other = `${record.tokenHash.slice(0, -2)}${record.tokenHash.endsWith('AA') ? 'AB' : 'AA'}`;
    await collection().updateOne(
      { _id: record._id },
      { $set: { tokenHash: other } },
    );
    expect(await sessions.resolve(requestWith(cookie))).toBeNull();
  });
  it('should issue a new token on every login and end the session it replaces', async () => {
    const first = await login('user-b');
    const second = await login('user-b', first);
    expect(second).not.toBe(first);
    expect(await sessions.resolve(requestWith(first))).toBeNull();
    expect(await sessions.resolve(requestWith(second))).not.toBeNull();
    expect(events.map((e) => [e.userId, e.reason])).toEqual([
      ['user-b', 'replaced'],
    ]);
  });

  it('should never adopt a token the server did not issue', async () => {
    const planted = `${COOKIE}=${'A'.repeat(43)}`;
    expect(await sessions.resolve(requestWith(planted))).toBeNull();
    const cookie = await login('user-c', planted);
    expect(cookie).not.toBe(planted);
    expect(await collection().countDocuments({ userId: 'user-c' })).toBe(1);
  });

  it.each([
    ['unknown', `${COOKIE}=${'Z'.repeat(43)}`],
    ['malformed', `${COOKIE}=not a token`],
    ['tampered', 'TAMPER'],
    ['10 KB', `${COOKIE}=${'a'.repeat(10 * 1024)}`],
    ['empty', `${COOKIE}=`],
  ])('should read a %s cookie as no session', async (_kind, cookie) => {
    let value = cookie;
    if (cookie === 'TAMPER') {
      const real = await login('user-d');
      const token = real.split('=')[1];
      value = `${COOKIE}=${token[0] === 'a' ? 'b' : 'a'}${token.slice(1)}`;
    }
    expect(await sessions.resolve(requestWith(value))).toBeNull();
  });

  it('should refuse an expired session when it is read, before any TTL monitor has removed it', async () => {
    // MongoDB's TTL monitor runs once a minute (the test server's too): expiry must not wait for it.
    expect(t.app.get(IndexManager).ttlSupported).toBe(true);
    const cookie = await login('user-e');
    now += 30 * MINUTE;
    expect(await sessions.resolve(requestWith(cookie))).toBeNull();
    expect(await collection().countDocuments({ userId: 'user-e' })).toBe(0);
    expect(events).toEqual([
      expect.objectContaining({ userId: 'user-e', reason: 'expired' }),
    ]);
  });

  it('should slide the idle timeout, writing last seen at most once per interval', async () => {
    const cookie = await login('user-f');
    const lastSeen = async () =>
      (await collection().findOne({ userId: 'user-f' }))!.lastSeenAt as Date;
    now += 30 * 1000; // within the touch interval (a minute here): no write
    await sessions.resolve(requestWith(cookie));
    expect((await lastSeen()).getTime()).toBe(now - 30 * 1000);
    now += 29 * MINUTE; // active again before the idle timeout
    const session = await sessions.resolve(requestWith(cookie));
    expect(session?.expiresAt).toEqual(new Date(now + 30 * MINUTE));
    expect((await lastSeen()).getTime()).toBe(now);
    now += 29 * MINUTE;
    expect(await sessions.resolve(requestWith(cookie))).not.toBeNull();
  });

  it('should end a session at its absolute lifetime however active it is', async () => {
    const cookie = await login('user-g');
    for (let minute = 20; minute < 120; minute += 20) {
      now += 20 * MINUTE;
      expect(
        await sessions.resolve(requestWith(cookie)),
        `minute ${minute}`,
      ).not.toBeNull();
    }
    now += 20 * MINUTE;
    expect(await sessions.resolve(requestWith(cookie))).toBeNull();
    expect(events.map((e) => e.reason)).toEqual(['expired']);
  });

  it('should sweep expired sessions and announce each once, also when racing a logout', async () => {
    await collection().deleteMany({});
    const expiring = [
      await login('user-h'),
      await login('user-i'),
      await login('user-j'),
    ];
    now += 31 * MINUTE;
    const live = await login('user-k');
    const sweeper = t.app.get(SessionSweeper);
    const reply = collectingReply();
    const [swept] = await Promise.all([
      sweeper.sweep(),
      sessions.logout(requestWith(expiring[0]), reply),
      sweeper.sweep(),
    ]);
    // The logout may have ended one of them first (as expired): never both.
    expect([2, 3]).toContain(swept);
    expect(events.map((e) => e.userId).sort()).toEqual([
      'user-h',
      'user-i',
      'user-j',
    ]);
    expect(new Set(events.map((e) => e.sessionId)).size).toBe(3);
    expect(events.every((e) => e.reason === 'expired')).toBe(true);
    expect(await sessions.resolve(requestWith(live))).not.toBeNull();
    expect(await sweeper.sweep()).toBe(0);
  });

  it('should end every session of a user, announcing each with its reason', async () => {
    const cookies = [
      await login('user-l'),
      await login('user-l'),
      await login('user-l'),
    ];
    events = [];
    expect(await sessions.destroyAllForUser('user-l', 'user-disabled')).toBe(3);
    for (const cookie of cookies) {
      expect(await sessions.resolve(requestWith(cookie))).toBeNull();
    }
    expect(events.map((e) => e.reason)).toEqual([
      'user-disabled',
      'user-disabled',
      'user-disabled',
    ]);
    expect(await sessions.destroyAllForUser('user-l', 'user-disabled')).toBe(0);
  });

  it('should record a confirmation, whose token renewal only one caller takes', async () => {
    const cookie = await login('user-t');
    const resolve = async () => (await sessions.resolve(requestWith(cookie)))!;
    const session = await resolve();
    expect(session.tokenRenewal).toBe(false);
    expect(await sessions.takeTokenRenewal(session.id)).toBe(false);
    expect(await sessions.setInteractionRequired(session.id, true)).toBe(true);
    expect(await sessions.confirm(session.id)).toBe(true);
    expect(await resolve()).toMatchObject({
      interactionRequired: false,
      tokenRenewal: true,
    });
    const takers = await Promise.all(
      Array.from({ length: 5 }, () => sessions.takeTokenRenewal(session.id)),
    );
    expect(takers.filter(Boolean)).toHaveLength(1);
    expect((await resolve()).tokenRenewal).toBe(false);
    expect(await sessions.confirm('0'.repeat(24))).toBe(false);
    expect(await sessions.takeTokenRenewal('not-an-id')).toBe(false);
  });

  it('should keep and clear the interaction-required flag per session', async () => {
    const cookie = await login('user-m');
    const session = (await sessions.resolve(requestWith(cookie)))!;
    expect(session.interactionRequired).toBe(false);
    expect(await sessions.setInteractionRequired(session.id, true)).toBe(true);
    expect(
      (await sessions.resolve(requestWith(cookie)))!.interactionRequired,
    ).toBe(true);
    expect(await sessions.setInteractionRequired(session.id, false)).toBe(true);
    expect(await sessions.setInteractionRequired('0'.repeat(24), true)).toBe(
      false,
    );
    expect(await sessions.setInteractionRequired('not-an-id', true)).toBe(
      false,
    );
    expect(await sessions.destroy(session.id, 'logout')).toBe(true);
    expect(await sessions.destroy(session.id, 'logout')).toBe(false);
    expect(events).toEqual([
      expect.objectContaining({
        userId: 'user-m',
        sessionId: session.id,
        reason: 'logout',
      }),
    ]);
  });
});

describe('session store outage', () => {
  it('should throw SessionStoreUnavailableError, never "no session", while MongoDB is down', async () => {
    const { uri } = freshDatabaseUri('sessions_down');
    const proxy = await TcpProxy.start(mongoHostPort(uri));
    const t = await createTestApp({
      env: {
        MONGODB_URI: withMongoHost(uri, proxy.address),
        MONGO_SERVER_SELECTION_TIMEOUT: '500ms',
        SESSION_COOKIE_SECURE: 'false',
      },
    });
    try {
      const sessions = t.app.get(SessionService);
      vi.spyOn(t.app.get(SessionUserCheck), 'verdict').mockResolvedValue('ok');
      const reply = collectingReply();
      await sessions.create(requestWith(), reply, 'user-z');
      const cookie = cookiePair(reply.setCookies(), COOKIE)!;
      await proxy.down();
      await expect(
        sessions.resolve(requestWith(cookie)),
      ).rejects.toBeInstanceOf(SessionStoreUnavailableError);
      await expect(
        sessions.create(requestWith(), collectingReply(), 'user-z'),
      ).rejects.toBeInstanceOf(SessionStoreUnavailableError);
      // No cookie at all needs no store: that is simply no session.
      expect(await sessions.resolve(requestWith())).toBeNull();
      await proxy.up();
      const started = Date.now();
      for (;;) {
        try {
          expect(await sessions.resolve(requestWith(cookie))).not.toBeNull();
          break;
        } catch (error) {
          if (Date.now() - started > 15_000) {
            throw error;
          }
          await new Promise((resolve) => setTimeout(resolve, 200));
        }
      }
    } finally {
      await t.close();
      await proxy.close();
    }
  });
});
