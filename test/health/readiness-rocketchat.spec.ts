import { afterEach, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../rocketchat/harness.js';

// Readiness reports Rocket.Chat ("reachable and the bridge's token valid") separately and never
// fails on it; the answer is cached and shared, and a probe never waits for a stuck Rocket.Chat.

interface Ready {
  statusCode: number;
  body: { status: string; checks: { mongodb: string; rocketchat: string } };
}

async function ready(h: Harness): Promise<Ready> {
  const response = await h.app.inject({ method: 'GET', url: '/health/ready' });
  return { statusCode: response.statusCode, body: response.json() };
}

/** Probes until Rocket.Chat's state settles (the first probe may answer `unknown`). */
async function settled(h: Harness, timeoutMs = 15_000): Promise<Ready> {
  const deadline = Date.now() + timeoutMs;
  let answer = await ready(h);
  while (answer.body.checks.rocketchat === 'unknown' && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    answer = await ready(h);
  }
  return answer;
}

describe('readiness and Rocket.Chat', () => {
  const harnesses: Harness[] = [];
  afterEach(async () => {
    while (harnesses.length > 0) {
      await harnesses.pop()!.close();
    }
  });

  async function harness(): Promise<Harness> {
    const h = await startHarness({ label: 'ready_rc' });
    harnesses.push(h);
    return h;
  }

  it('should report Rocket.Chat up when it answers and accepts the bridge token', async () => {
    const h = await harness();
    const answer = await settled(h);
    expect(answer.statusCode).toBe(200);
    expect(answer.body).toEqual({
      status: 'ok',
      checks: { mongodb: 'up', rocketchat: 'up' },
    });
  });

  it('should stay ready (200, degraded) when Rocket.Chat refuses the bridge token', async () => {
    const h = await harness();
    await h.rc.control.revokeToken(h.admin.userId, h.admin.pat!);
    const answer = await settled(h);
    expect(answer.statusCode).toBe(200);
    expect(answer.body).toEqual({
      status: 'degraded',
      checks: { mongodb: 'up', rocketchat: 'down' },
    });
  });

  it('should stay ready (200, degraded) while Rocket.Chat is down', async () => {
    const h = await harness();
    await h.rc.close();
    const answer = await settled(h);
    expect(answer.statusCode).toBe(200);
    expect(answer.body.status).toBe('degraded');
    expect(answer.body.checks).toEqual({ mongodb: 'up', rocketchat: 'down' });
  });

  it('should ask Rocket.Chat once for a burst of probes (cached, shared)', async () => {
    const h = await harness();
    await settled(h);
    h.rc.control.clearCalls();
    const answers = await Promise.all(
      Array.from({ length: 30 }, () => ready(h)),
    );
    for (let i = 0; i < 20; i += 1) {
      answers.push(await ready(h));
    }
    expect(answers.every((a) => a.body.checks.rocketchat === 'up')).toBe(true);
    // All 50 probes came within the cache's lifetime of the settled answer.
    expect(h.rc.control.countCalls({ route: 'me' })).toBeLessThanOrEqual(1);
  });

  it('should answer without waiting for a Rocket.Chat that never responds', async () => {
    const h = await harness();
    h.rc.control.injectFault({ route: 'me', action: { type: 'hang' } });
    // Before any answer the state is unknown; the probe itself must complete (not hang).
    const answer = await ready(h);
    expect(answer.statusCode).toBe(200);
    expect(answer.body.checks).toEqual({
      mongodb: 'up',
      rocketchat: 'unknown',
    });
  });
});
