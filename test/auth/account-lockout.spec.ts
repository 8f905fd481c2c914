import { performance } from 'node:perf_hooks';
import { getConnectionToken } from '@nestjs/mongoose';
import type { LightMyRequestResponse } from 'fastify';
import type { Connection } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { CredentialsService, UserAdminService } from '../../src/users/index.js';
import type { ThrottleRecord } from '../../src/throttle/throttle.schema.js';
import { Clock } from '../../src/common/index.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { freshDatabaseUri } from '../support/mongo.js';
import {
  appWithUsers,
  attemptLogin,
  outcome,
  PASSWORD,
} from './login-attempts.js';

const MINUTE = 60_000;
const WRONG = 'The username or password is incorrect.';
const SIGNED_IN = '303 http://localhost:8000/rocketchat/redirect';

/** Time as the app sees it (the throttle and the login-flow cookie both follow it). */
function clockAt(start: number): {
  now: () => number;
  advance: (ms: number) => void;
} {
  let now = start;
  vi.spyOn(Clock.prototype, 'now').mockImplementation(() => now);
  return { now: () => now, advance: (ms) => (now += ms) };
}

function lockOf(t: TestApp, username: string): Promise<ThrottleRecord | null> {
  return t.app
    .get<Connection>(getConnectionToken())
    .collection<ThrottleRecord>('bridge_throttle')
    .findOne({ _id: `h|${username}` });
}

/** An answer without what differs on every response (ids, dates, nonces, CSRF tokens). */
function comparable(response: LightMyRequestResponse) {
  const headers = { ...response.headers };
  delete headers['x-request-id'];
  delete headers.date;
  const nonce =
    /'nonce-([\w-]+)'/.exec(String(headers['content-security-policy']))?.[1] ??
    '';
  headers['content-security-policy'] = String(
    headers['content-security-policy'],
  ).replaceAll(nonce, 'N');
  return {
    status: response.statusCode,
    headers,
    body: response.body
      .replaceAll(nonce, 'N')
      .replace(/name="csrf" value="[\w-]+"/, 'name="csrf" value=""'),
  };
}

describe('account lockout (defaults: 5 failures in 2 minutes lock for 5 minutes)', () => {
  let t: Awaited<ReturnType<typeof appWithUsers>>;
  beforeAll(async () => {
    t = await appWithUsers('lockout', ['alice', 'bob', 'carol', 'dave']);
  });
  afterAll(() => t.close());

  it('should answer a locked account with the right password exactly as a wrong password (AUTH-1)', async () => {
    clockAt(Date.UTC(2031, 5, 1, 8));
    const first = await attemptLogin(t.app, 'alice', 'guess-1', {
      ip: '10.1.0.1',
    });
    for (let i = 2; i <= 5; i++) {
      expect(
        outcome(
          await attemptLogin(t.app, 'alice', `guess-${i}`, {
            ip: `10.1.0.${i}`,
          }),
        ),
      ).toBe(`401 ${WRONG}`);
    }
    const verify = vi.spyOn(t.app.get(CredentialsService), 'verify');
    const locked = await attemptLogin(t.app, 'alice', PASSWORD, {
      ip: '10.1.0.9',
    });
    expect(verify).not.toHaveBeenCalled(); // checked before any hashing
    expect(comparable(locked)).toEqual(comparable(first));
    expect(comparable(locked).headers['set-cookie']).toBeUndefined();
    expect(await lockOf(t, 'alice')).toMatchObject({ lockLevel: 1 });
  });

  it('should count the case and space variants of a username as one account (AUTH-3)', async () => {
    clockAt(Date.UTC(2031, 5, 2, 8));
    for (const variant of ['Bob', 'BOB', ' bob', 'bOb ', 'bob']) {
      expect(
        outcome(await attemptLogin(t.app, variant, 'nope', { ip: '10.2.0.1' })),
      ).toBe(`401 ${WRONG}`);
    }
    expect(
      outcome(await attemptLogin(t.app, 'bob', PASSWORD, { ip: '10.2.0.2' })),
    ).toBe(`401 ${WRONG}`);
  });

  it('should not count or extend while locked, let the user in once the lock ends, and reset on success (AUTH-3)', async () => {
    const clock = clockAt(Date.UTC(2031, 5, 3, 8));
    for (let i = 0; i < 5; i++) {
      await attemptLogin(t.app, 'carol', `wrong-${i}`, { ip: `10.3.0.${i}` });
    }
    const lock = await lockOf(t, 'carol');
    expect(lock?.lockedUntil).toEqual(new Date(clock.now() + 5 * MINUTE));
    const verify = vi.spyOn(t.app.get(CredentialsService), 'verify');
    for (let i = 0; i < 8; i++) {
      clock.advance(30_000 - 1000);
      await attemptLogin(t.app, 'carol', i % 2 ? PASSWORD : 'wrong', {
        ip: '10.3.1.1',
      });
    }
    expect(verify).not.toHaveBeenCalled();
    expect(await lockOf(t, 'carol')).toMatchObject({
      lockedUntil: lock?.lockedUntil,
      lockLevel: 1,
    });

    clock.advance(lock!.lockedUntil!.getTime() - clock.now() + 1000); // past the end of the lock
    expect(outcome(await attemptLogin(t.app, 'carol', PASSWORD))).toBe(
      SIGNED_IN,
    );
    // Success forgot the failures: 4 + success + 4 never reach 5.
    for (const round of [0, 1]) {
      for (let i = 0; i < 4; i++) {
        await attemptLogin(t.app, 'carol', `round-${round}-${i}`, {
          ip: '10.3.2.1',
        });
      }
      expect(outcome(await attemptLogin(t.app, 'carol', PASSWORD))).toBe(
        SIGNED_IN,
      );
    }
  });

  it('should check at most 5 passwords of 50 parallel wrong attempts and lock the account (AUTH-3 race)', async () => {
    clockAt(Date.UTC(2031, 5, 4, 8));
    const verify = vi.spyOn(t.app.get(CredentialsService), 'verify');
    const answers = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        attemptLogin(t.app, 'dave', `parallel-${i}`, { ip: `10.4.${i}.1` }),
      ),
    );
    expect(answers.map(outcome)).toEqual(answers.map(() => `401 ${WRONG}`));
    expect(verify).toHaveBeenCalledTimes(5);
    expect(
      outcome(await attemptLogin(t.app, 'dave', PASSWORD, { ip: '10.4.99.1' })),
    ).toBe(`401 ${WRONG}`);
    expect(await lockOf(t, 'dave')).toMatchObject({ lockLevel: 1 });
  });

  it('should never lock a name that belongs to no user, so one created later logs in at once (Keycloak testNonExistingAccounts)', async () => {
    clockAt(Date.UTC(2031, 5, 5, 8));
    for (let i = 0; i < 12; i++) {
      await attemptLogin(t.app, 'newcomer', `guess-${i}`, {
        ip: `10.5.0.${i}`,
      });
    }
    expect((await lockOf(t, 'newcomer'))?.lockedUntil).toBeUndefined();
    await t.app
      .get(UserAdminService)
      .create({ username: 'newcomer', password: PASSWORD });
    expect(outcome(await attemptLogin(t.app, 'newcomer', PASSWORD))).toBe(
      SIGNED_IN,
    );
  });
});

describe('lockout over time (AUTH-5: temporary, growing, capped)', () => {
  let t: Awaited<ReturnType<typeof appWithUsers>>;
  beforeAll(async () => {
    // The address budget would stop this attacker first; here only the account lock is tested.
    t = await appWithUsers('lockout_time', ['victim'], {
      LOGIN_IP_MAX_FAILURES: '0',
    });
  });
  afterAll(() => t.close());

  it('should lock for 5, 10, then at most 15 minutes under an hour of attacks, and let the victim in afterwards', async () => {
    const clock = clockAt(Date.UTC(2031, 6, 1, 8));
    const end = clock.now() + 60 * MINUTE;
    const durations: number[] = [];
    for (let round = 0; clock.now() < end; round++) {
      // A burst locks the account; attempts during the lock (even right ones) are refused.
      for (let i = 0; i < 5; i++) {
        await attemptLogin(t.app, 'victim', `attack-${round}-${i}`);
      }
      const lock = await lockOf(t, 'victim');
      const until = lock?.lockedUntil?.getTime() ?? 0;
      durations.push((until - (lock?.lastLockAt?.getTime() ?? 0)) / MINUTE);
      clock.advance(MINUTE);
      expect(outcome(await attemptLogin(t.app, 'victim', PASSWORD))).toBe(
        `401 ${WRONG}`,
      );
      clock.advance(until - clock.now() + 1000);
    }
    expect(durations).toEqual([5, 10, 15, 15, 15]);
    expect(outcome(await attemptLogin(t.app, 'victim', PASSWORD))).toBe(
      SIGNED_IN,
    );
  });
});

describe('lockout shared between replicas and restarts', () => {
  it('should count failures on two replicas together and keep the lock across a restart', async () => {
    clockAt(Date.UTC(2031, 7, 1, 8));
    const { uri } = freshDatabaseUri('lockout_replicas');
    const a = await createTestApp({ env: { MONGODB_URI: uri } });
    const b = await createTestApp({ env: { MONGODB_URI: uri } });
    await a.app
      .get(UserAdminService)
      .create({ username: 'erin', password: PASSWORD });
    for (let i = 0; i < 5; i++) {
      await attemptLogin((i % 2 ? a : b).app, 'erin', `wrong-${i}`, {
        ip: `10.6.0.${i}`,
      });
    }
    expect(outcome(await attemptLogin(a.app, 'erin', PASSWORD))).toBe(
      `401 ${WRONG}`,
    );
    expect(outcome(await attemptLogin(b.app, 'erin', PASSWORD))).toBe(
      `401 ${WRONG}`,
    );
    await a.close();
    await b.close();
    const restarted = await createTestApp({ env: { MONGODB_URI: uri } });
    try {
      expect(outcome(await attemptLogin(restarted.app, 'erin', PASSWORD))).toBe(
        `401 ${WRONG}`,
      );
    } finally {
      await restarted.close();
    }
  });
});

describe('lockout timing (AUTH-2)', () => {
  let t: Awaited<ReturnType<typeof appWithUsers>>;
  beforeAll(async () => {
    t = await appWithUsers('lockout_timing', ['frank'], {
      LOGIN_IP_MAX_FAILURES: '0',
    });
  });
  afterAll(() => t.close());

  it('should take about as long to refuse a locked account as to check a wrong password', async () => {
    clockAt(Date.UTC(2031, 8, 1, 8));
    for (let i = 0; i < 5; i++) {
      await attemptLogin(t.app, 'frank', `wrong-${i}`);
    }
    // Warm-up, and samples of failed checks for the refusals to follow.
    for (let i = 0; i < 6; i++) {
      await attemptLogin(t.app, `nobody${i}`, 'wrong');
    }
    const timed = async (username: string, password: string) => {
      const started = performance.now();
      const response = await attemptLogin(t.app, username, password);
      expect(response.statusCode).toBe(401);
      return performance.now() - started;
    };
    const locked: number[] = [];
    const wrong: number[] = [];
    for (let i = 0; i < 15; i++) {
      locked.push(await timed('frank', PASSWORD));
      // Unknown names are never locked: each is one real failed check.
      wrong.push(await timed(`ghost${i}`, 'wrong'));
    }
    const median = (values: number[]) =>
      values.sort((x, y) => x - y)[Math.floor(values.length / 2)];
    // Loose on purpose (a busy 2-core runner): a lock refused without waiting would be many times faster.
    expect(median(locked) / median(wrong)).toBeGreaterThan(0.5);
    expect(median(locked) / median(wrong)).toBeLessThan(2);
  });
});
