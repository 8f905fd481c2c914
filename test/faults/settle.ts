import { expect } from 'vitest';
import { RevocationQueueRepository } from '../../src/rocketchat/tokens/revocation-queue.repository.js';
import { RevocationWorker } from '../../src/rocketchat/tokens/revocation-worker.service.js';
import { OrphanSweeper } from '../../src/rocketchat/tokens/orphan-sweeper.service.js';
import { callApiUrl, loginAs, type Harness } from '../rocketchat/harness.js';
import { checkConsistency } from '../support/consistency.js';
import { fakeClock, type FakeClock } from '../support/fake-clock.js';

/**
 * After the faults: every user goes through the flow once more (which must work: recovery
 * without a restart, and it finishes any provisioning a fault interrupted), queued revocations
 * are worked off, the orphan sweep gets its chance (the clock is moved past its grace period), and
 * then both databases are checked. Returns the consistency problems (expected: none).
 */
export async function settleAndCheck(
  h: Harness,
  usernames: readonly string[],
  password: string,
  options: { foreignTokens?: readonly string[]; clock?: FakeClock } = {},
): Promise<string[]> {
  for (const username of usernames) {
    const client = await loginAs(h.app, username, password);
    expect((await callApiUrl(h.app, client, h.rc.origin)).statusCode).toBe(200);
  }
  await drained(h);
  // Past the sweep's grace period and any follow-up of an unanswered call (Clock time).
  if (options.clock) {
    options.clock.advance(10 * 60_000);
  } else {
    fakeClock(Date.now() + 10 * 60_000);
  }
  await h.app.get(OrphanSweeper).sweep();
  await drained(h);
  return checkConsistency({
    bridgeUri: h.mongoUri,
    rocketChatUri: h.rcMongoUri,
    foreignRocketChatUsers: [h.admin.userId],
    foreignTokens: options.foreignTokens,
  });
}

async function drained(h: Harness): Promise<void> {
  const revocations = h.app.get(RevocationWorker);
  const queue = h.app.get(RevocationQueueRepository);
  await expect
    .poll(
      async () => {
        await revocations.drain();
        return queue.count();
      },
      { timeout: 60_000, interval: 200 },
    )
    .toBe(0);
}
