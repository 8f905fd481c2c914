import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdminCredentialsRepository } from '../../src/rocketchat/client/admin-credentials.repository.js';
import { UserLinksRepository } from '../../src/rocketchat/provisioning/user-links.repository.js';
import { RevocationQueueRepository } from '../../src/rocketchat/tokens/revocation-queue.repository.js';
import { SessionTokensRepository } from '../../src/rocketchat/tokens/session-tokens.repository.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { fakeClock } from '../support/fake-clock.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const winners = <T>(results: (T | null | undefined | false)[]): T[] =>
  results.filter((r): r is T => r !== null && r !== undefined && r !== false);

/**
 * Work is claimed by conditional updates on the work's own document (MongoDB's single-document
 * atomicity, which the test server has too): of many parallel claimants exactly one wins, and a
 * claim whose holder died is free again once its lease has run out. Two replicas race here.
 */
describe('claims by conditional update', () => {
  let a: TestApp;
  let b: TestApp;
  beforeAll(async () => {
    a = await createTestApp({ label: 'claims' });
    b = await createTestApp({ env: { MONGODB_URI: a.mongoUri } });
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
  });
  const on = <T>(i: number, type: new (...args: never[]) => T): T =>
    (i % 2 ? a : b).app.get(type);

  it("should give a session's mint claim to one of 10 callers, and take over an expired one once", async () => {
    const clock = fakeClock(Date.UTC(2036, 0, 1));
    const claim = (i: number) =>
      on(i, SessionTokensRepository).claim('session-1', 'user-1', 30_000);
    const first = await Promise.all(
      Array.from({ length: 10 }, (_, i) => claim(i)),
    );
    expect(winners(first)).toHaveLength(1);
    clock.advance(29_000);
    expect(await claim(1)).toBeUndefined();
    clock.advance(2000); // its holder died: the claim has run out
    const second = await Promise.all(
      Array.from({ length: 10 }, (_, i) => claim(i)),
    );
    expect(winners(second)).toHaveLength(1);
    // The old holder can no longer complete it.
    const repository = on(0, SessionTokensRepository);
    expect(
      await repository.complete('session-1', winners(first)[0], {
        rcUserId: 'rc-1',
        strategy: 'rest',
        sealedToken: 'sealed',
        hashedToken: 'hash',
        issuedAt: new Date(clock.now()),
        deliveredAt: new Date(clock.now()),
        deliveredTo: 'api',
      }),
    ).toBe(false);
  });

  it('should give a provisioning round to one of 10 callers, again at once after a release, and after a dead lease', async () => {
    const claim = (i: number, leaseMs = 60_000) =>
      on(i, UserLinksRepository).claim('bridge-user-1', `owner-${i}`, leaseMs);
    const first = winners(
      await Promise.all(Array.from({ length: 10 }, (_, i) => claim(i))),
    );
    expect(first).toHaveLength(1);
    expect(await claim(3)).toBeNull();
    await on(0, UserLinksRepository).release(first[0]);
    const second = winners(
      await Promise.all(Array.from({ length: 10 }, (_, i) => claim(i, 100))),
    );
    expect(second.map((c) => c.round)).toEqual([first[0].round + 1]);
    await sleep(150); // its holder died
    const third = winners(
      await Promise.all(Array.from({ length: 10 }, (_, i) => claim(i))),
    );
    expect(third.map((c) => c.round)).toEqual([first[0].round + 2]);
    // The dead holder's late writes miss: its round is over.
    await on(0, UserLinksRepository).recordIntent(second[0], {
      username: 'late',
      email: 'late@example.org',
    });
    expect(
      (await on(1, UserLinksRepository).find('bridge-user-1'))?.pendingUsername,
    ).toBeUndefined();
    await on(0, UserLinksRepository).link(third[0], {
      rcUserId: 'rc-user-1',
      rcUsername: 'linked',
      createdByBridge: true,
    });
    expect(await claim(5)).toBeNull();
  });

  it("should give the bridge's bootstrap lease to one of 10 replicas, and take over a dead one's", async () => {
    const acquire = (i: number, ms = 60_000) =>
      on(i, AdminCredentialsRepository).acquireLease(`replica-${i}`, ms);
    expect(
      winners(
        await Promise.all(
          Array.from({ length: 10 }, (_, i) => acquire(i, 100)),
        ),
      ),
    ).toHaveLength(1);
    expect(await acquire(4)).toBe(false);
    await sleep(150);
    const taken = await Promise.all(
      Array.from({ length: 10 }, (_, i) => acquire(i)),
    );
    expect(winners(taken)).toHaveLength(1);
    await on(0, AdminCredentialsRepository).releaseLease(
      `replica-${taken.indexOf(true)}`,
    );
    expect(await acquire(7)).toBe(true);
  });

  it('should hand a due revocation to one of 10 workers, and again once its lease ran out', async () => {
    const clock = fakeClock(Date.UTC(2036, 0, 2));
    const queue = (i: number) => on(i, RevocationQueueRepository);
    const job = {
      _id: 'user-logout:rc-9',
      kind: 'user-logout' as const,
      rcUserId: 'rc-9',
      notAfter: new Date(clock.now() + 3600_000),
    };
    // Queued due now: the queueing process holds the first attempt.
    expect(await queue(0).add(job, 'worker-0', 20_000)).toMatchObject({
      attempts: 0,
    });
    expect(await queue(1).add(job, 'worker-1', 20_000)).toBeUndefined();
    expect(await queue(1).claimDue('worker-1', 20_000)).toBeNull();
    clock.advance(20_000); // worker-0 died mid-attempt
    const claims = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        queue(i).claimDue(`worker-${i}`, 20_000),
      ),
    );
    const [won] = winners(claims);
    expect(winners(claims)).toHaveLength(1);
    expect(won).toMatchObject({
      _id: job._id,
      claimedBy: expect.stringMatching(/^worker-/),
    });
    await queue(0).retryLater(
      won,
      new Date(clock.now() + 5000),
      'Rocket.Chat down',
    );
    expect(await queue(1).claimDue('worker-1', 20_000)).toBeNull();
    clock.advance(5000);
    expect(await queue(1).claimDue('worker-1', 20_000)).toMatchObject({
      attempts: 1,
      lastError: 'Rocket.Chat down',
    });
  });
});
