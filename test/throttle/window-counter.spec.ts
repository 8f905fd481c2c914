import { getConnectionToken } from '@nestjs/mongoose';
import type { Connection } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ThrottleRepository } from '../../src/throttle/throttle.repository.js';
import { ThrottleSweeper } from '../../src/throttle/throttle-sweeper.service.js';
import { ThrottleSubjects } from '../../src/throttle/throttle-subjects.service.js';
import { WindowCounter } from '../../src/throttle/window-counter.service.js';
import { Clock } from '../../src/common/index.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { freshDatabaseUri } from '../support/mongo.js';

const MINUTE = 60_000;
/** A window boundary, so the tests choose where in a window they are. */
const T0 = Date.UTC(2031, 0, 1, 12, 0, 0);

/**
 * The counters every throttle is built on, against the run's real server. FerretDB v1 (the
 * default test server) loses `$inc` updates under concurrency (measured: 50 parallel upserts of
 * one `_id` ended at 2 to 8) but never lets two inserts of one `_id` both succeed: these tests hold
 * the slot counters to exact counts under the same kind of race, across two replicas.
 */
describe('sliding-window counters in MongoDB', () => {
  let a: TestApp;
  let b: TestApp;
  let now: number;

  beforeAll(async () => {
    const { uri } = freshDatabaseUri('counters');
    a = await createTestApp({ env: { MONGODB_URI: uri } });
    b = await createTestApp({ env: { MONGODB_URI: uri } });
  });
  afterAll(async () => {
    await a.close();
    await b.close();
  });

  function at(ms: number): void {
    now = ms;
    vi.spyOn(Clock.prototype, 'now').mockImplementation(() => now);
  }

  it('should count 50 parallel events exactly: distinct slots up to the limit, the rest refused', async () => {
    at(T0 + 1000);
    const spec = { key: 'test|race', limit: 30, windowMs: MINUTE };
    const counter = a.app.get(WindowCounter);
    const claims = await Promise.all(
      Array.from({ length: 50 }, () => counter.claim(spec)),
    );
    const slots = claims.flatMap((c) => (c.ok ? [c.slot] : []));
    expect(slots.sort((x, y) => x - y)).toEqual(
      Array.from({ length: 30 }, (_, i) => i + 1),
    );
    expect(claims.filter((c) => !c.ok)).toHaveLength(20);
    expect(await counter.count(spec)).toBe(30);
    expect(await b.app.get(WindowCounter).count(spec)).toBe(30);
  });

  it('should send concurrent claims of one counter together, one round trip per batch', async () => {
    at(T0 + 1500);
    const spec = { key: 'test|batched', limit: 100, windowMs: MINUTE };
    const counter = a.app.get(WindowCounter);
    const sent = vi.spyOn(ThrottleRepository.prototype, 'insertSlots');
    try {
      const claims = await Promise.all(
        Array.from({ length: 40 }, () => counter.claim(spec)),
      );
      expect(claims.every((c) => c.ok)).toBe(true);
      expect(
        claims.map((c) => (c.ok ? c.slot : 0)).sort((x, y) => x - y),
      ).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
      // The first claim goes alone; those arriving meanwhile go together (not 40 round trips).
      const batches = sent.mock.calls.map((call) => call[0].length);
      expect(batches.reduce((sum, n) => sum + n, 0)).toBe(40);
      expect(batches.length).toBeLessThanOrEqual(4);
    } finally {
      sent.mockRestore();
    }
    expect(await b.app.get(WindowCounter).count(spec)).toBe(40);
  });

  it('should fail every claim of a batch whose store write fails, and count on afterwards', async () => {
    at(T0 + 1700);
    const spec = { key: 'test|batch-fault', limit: 10, windowMs: MINUTE };
    const counter = a.app.get(WindowCounter);
    const broken = vi
      .spyOn(ThrottleRepository.prototype, 'insertSlots')
      .mockRejectedValue(new Error('store gone'));
    const failed = await Promise.allSettled(
      Array.from({ length: 5 }, () => counter.claim(spec)),
    );
    broken.mockRestore();
    expect(failed.map((f) => f.status)).toEqual(Array(5).fill('rejected'));
    const claims = await Promise.all(
      Array.from({ length: 12 }, () => counter.claim(spec)),
    );
    expect(claims.filter((c) => c.ok)).toHaveLength(10);
    expect(await counter.count(spec)).toBe(10);
  });

  it('should share one count between two replicas racing each other, each with its own memory', async () => {
    at(T0 + 2000);
    const spec = { key: 'test|replicas', limit: 40, windowMs: MINUTE };
    const claims = await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        (i % 2 === 0 ? a : b).app.get(WindowCounter).claim(spec),
      ),
    );
    const slots = claims.flatMap((c) => (c.ok ? [c.slot] : []));
    expect(new Set(slots).size).toBe(40);
    expect(Math.max(...slots)).toBe(40);
    // A replica that has seen none of it finds its place with a few lookups, not 40 inserts.
    const late = await createTestApp({ env: { MONGODB_URI: a.mongoUri } });
    try {
      const inserts = vi.spyOn(ThrottleRepository.prototype, 'insertSlot');
      const lookups = vi.spyOn(ThrottleRepository.prototype, 'slotExists');
      expect(await late.app.get(WindowCounter).claim(spec)).toMatchObject({
        ok: false,
      });
      expect(inserts).toHaveBeenCalledTimes(1);
      expect(lookups.mock.calls.length).toBeLessThanOrEqual(10);
      expect(await late.app.get(WindowCounter).count(spec)).toBe(40);
    } finally {
      await late.close();
    }
  });

  it('should carry a burst over a window boundary and let it fade, with a Retry-After that holds', async () => {
    const spec = { key: 'test|boundary', limit: 5, windowMs: MINUTE };
    const counter = a.app.get(WindowCounter);
    at(T0 + 5 * MINUTE - 100); // the last moment of a window
    for (let i = 0; i < 5; i++) {
      expect((await counter.claim(spec)).ok).toBe(true);
    }
    at(T0 + 5 * MINUTE + 10); // just after the boundary: the burst still counts whole
    const refused = await counter.claim(spec);
    expect(refused).toMatchObject({ ok: false });
    const wait = refused.ok ? 0 : refused.retryAfterMs;
    expect(wait).toBeGreaterThanOrEqual(11_000);
    expect(wait).toBeLessThanOrEqual(13_000);
    expect(await b.app.get(WindowCounter).refusal(spec)).toBeDefined();
    at(now + wait); // as promised: one more is allowed
    expect(await counter.claim(spec)).toMatchObject({ ok: true, counted: 5 });
    at(T0 + 7 * MINUTE); // two windows on, nothing is left
    expect(await counter.count(spec)).toBe(0);
  });

  it('should start from zero in a new generation and sweep spent records', async () => {
    at(T0 + 10 * MINUTE);
    const subjects = a.app.get(ThrottleSubjects);
    const key = '198.51.100.4';
    const before = await subjects.addressGeneration(key);
    const spec = (generation: string) => ({
      key: `i|${key}|${generation}|test`,
      limit: 2,
      windowMs: MINUTE,
    });
    await a.app.get(WindowCounter).claim(spec(before));
    await a.app.get(WindowCounter).claim(spec(before));
    expect((await a.app.get(WindowCounter).claim(spec(before))).ok).toBe(false);
    await subjects.clearAddress(key);
    const after = await subjects.addressGeneration(key);
    expect(after).not.toBe(before);
    expect((await a.app.get(WindowCounter).claim(spec(after))).ok).toBe(true);

    const records = () =>
      a.app
        .get<Connection>(getConnectionToken())
        .collection('bridge_throttle')
        .countDocuments({
          _id: { $regex: `^s\\|i\\|${key.replaceAll('.', '\\.')}` },
        } as never);
    expect(await records()).toBe(3);
    at(T0 + 13 * MINUTE); // past the end of the next window: the slots are spent
    await a.app.get(ThrottleSweeper).sweep();
    expect(await records()).toBe(0);
  });
});
