import { getConnectionToken } from '@nestjs/mongoose';
import type { Connection } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Clock } from '../../src/common/index.js';
import { IndexManager } from '../../src/database/index.js';
import {
  ThrottleStore,
  ThrottleStoreUnavailableError,
  ThrottleSweeper,
  type ThrottleLabel,
} from '../../src/throttle/index.js';
import { startFerretDb } from '../../tools/ferretdb/ferretdb.mjs';
import { createTestApp, type TestApp } from '../support/app.js';
import { freshDatabaseUri, mongoKind } from '../support/mongo.js';

const MINUTE = 60_000;
const T0 = Date.UTC(2031, 0, 1, 12, 0, 0);
const LABEL: ThrottleLabel = { kind: 'address', subject: '192.0.2.1' };

/**
 * The counters the login protection is built on, against the run's real server (FerretDB behind
 * the harness's front has MongoDB's single-document atomicity): atomic `$inc` with upsert and
 * the limit in the filter, windows from the first event, expiry by the TTL index.
 */
describe('throttle counters in MongoDB', () => {
  let a: TestApp;
  let b: TestApp;
  let now: number;

  beforeAll(async () => {
    const { uri } = freshDatabaseUri('counters');
    a = await createTestApp({ env: { MONGODB_URI: uri } });
    b = await createTestApp({ env: { MONGODB_URI: uri } });
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
  });

  function at(ms: number): void {
    now = ms;
    vi.spyOn(Clock.prototype, 'now').mockImplementation(() => now);
  }
  const store = (t: TestApp) => t.app.get(ThrottleStore);
  const collection = (t: TestApp) =>
    t.app.get<Connection>(getConnectionToken()).collection('bridge_throttle');

  it('should count 60 parallel events of two replicas exactly: 1 to 40 once each, the rest refused and not counted', async () => {
    at(T0);
    const hits = await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        store(i % 2 ? a : b).hit('t|race', LABEL, now + MINUTE, 40),
      ),
    );
    const counts = hits.flatMap((w) => (w ? [w.count] : []));
    expect(counts.sort((x, y) => x - y)).toEqual(
      Array.from({ length: 40 }, (_, i) => i + 1),
    );
    expect(hits.filter((w) => w === undefined)).toHaveLength(20);
    expect(await store(b).read('t|race')).toEqual({
      count: 40,
      endsAt: new Date(T0 + MINUTE),
    });
  });

  it('should start a window at its first event and a new one once it has ended, even before MongoDB deleted it', async () => {
    at(T0 + 10 * MINUTE);
    const id = 't|window';
    await store(a).hit(id, LABEL, now + MINUTE, 3);
    at(now + 30_000);
    expect(await store(a).hit(id, LABEL, now + MINUTE, 3)).toEqual({
      count: 2,
      endsAt: new Date(T0 + 11 * MINUTE),
    });
    await store(a).hit(id, LABEL, now + MINUTE, 3);
    expect(await store(b).hit(id, LABEL, now + MINUTE, 3)).toBeUndefined();
    at(T0 + 11 * MINUTE); // the window's end: the stored record no longer counts
    expect(await store(b).read(id)).toBeUndefined();
    expect(await collection(a).countDocuments({ _id: id } as never)).toBe(1);
    const restarted = await Promise.all(
      Array.from({ length: 5 }, () => store(b).hit(id, LABEL, now + MINUTE, 3)),
    );
    expect(restarted.map((w) => w?.count ?? 0).sort((x, y) => x - y)).toEqual([
      0, 0, 1, 2, 3,
    ]);
  });

  it('should keep a full counter refusing until it is held, give back only into the window a count came from, and take one away', async () => {
    at(T0 + 20 * MINUTE);
    const id = 't|held';
    for (let i = 0; i < 2; i++) {
      await store(a).hit(id, LABEL, now + MINUTE, 2);
    }
    await store(a).holdUntil(id, new Date(now + 10 * MINUTE));
    at(now + 5 * MINUTE);
    expect(await store(b).hit(id, LABEL, now + MINUTE, 2)).toBeUndefined();
    await store(a).giveBack(id, 1, new Date(T0 + 20 * MINUTE + MINUTE)); // another window
    expect((await store(a).read(id))?.count).toBe(2);
    await store(a).giveBack(id, 1, new Date(T0 + 30 * MINUTE));
    expect(await store(b).hit(id, LABEL, now + MINUTE, 2)).toMatchObject({
      count: 2,
    });
    expect(await store(a).take(id)).toEqual({
      count: 2,
      endsAt: new Date(T0 + 30 * MINUTE),
    });
    expect(await store(b).read(id)).toBeUndefined();
  });

  it('should remove records by id and by subject, in one command', async () => {
    at(T0 + 40 * MINUTE);
    await store(a).hit(
      't|x1',
      { kind: 'device', subject: 'zoe' },
      now + MINUTE,
    );
    await store(a).hit(
      't|x2',
      { kind: 'device', subject: 'zoe' },
      now + MINUTE,
    );
    await store(a).hit(
      't|x3',
      { kind: 'device', subject: 'yan' },
      now + MINUTE,
    );
    await store(a).hit('t|x4', LABEL, now + MINUTE);
    await store(b).remove(['t|x4'], [{ kind: 'device', subject: 'zoe' }]);
    const left = await collection(a)
      .find({ _id: { $in: ['t|x1', 't|x2', 't|x3', 't|x4'] } } as never)
      .toArray();
    expect(left.map((r) => r._id)).toEqual(['t|x3']);
  });

  it('should expire records by a TTL index, and sweep only where the server refused it', async () => {
    const indexes = await collection(a).listIndexes().toArray();
    expect(indexes).toContainEqual(
      expect.objectContaining({
        key: { expiresAt: 1 },
        expireAfterSeconds: 0,
      }),
    );
    at(T0 + 50 * MINUTE);
    await store(a).hit('t|spent', LABEL, now + MINUTE);
    at(now + 2 * MINUTE);
    expect(a.app.get(IndexManager).ttlSupported).toBe(true);
    expect(await a.app.get(ThrottleSweeper).sweep()).toBe(0);
    expect(
      await collection(a).countDocuments({ _id: 't|spent' } as never),
    ).toBe(1);
  });

  it('should fail closed with ThrottleStoreUnavailableError when MongoDB fails', async () => {
    const failing = vi
      .spyOn(collection(a), 'findOneAndUpdate')
      .mockRejectedValue(new Error('connection reset'));
    await expect(
      store(a).hit('t|down', LABEL, Date.now() + MINUTE, 5),
    ).rejects.toBeInstanceOf(ThrottleStoreUnavailableError);
    failing.mockRestore();
  });
});

describe.runIf(mongoKind() === 'ferretdb')(
  'throttle counters on a server that refuses TTL indexes',
  () => {
    it('should sweep spent records itself there', async () => {
      const server = await startFerretDb({
        logLevel: 'error',
        ttlIndexes: false,
      });
      const t = await createTestApp({
        env: { MONGODB_URI: `${server.uri.replace(/\/?$/, '/')}nottl` },
      });
      try {
        expect(t.app.get(IndexManager).ttlSupported).toBe(false);
        const now = Date.now();
        const s = t.app.get(ThrottleStore);
        await s.hit('t|old', LABEL, now - 1000);
        await s.hit('t|new', LABEL, now + MINUTE);
        expect(await t.app.get(ThrottleSweeper).sweep()).toBe(1);
        expect(await s.read('t|new')).toMatchObject({ count: 1 });
      } finally {
        await t.close();
        await server.dispose();
      }
    });
  },
);
