import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { CredentialsService } from '../../src/users/index.js';
import { LockAdmin } from '../../src/auth/protection/lock-admin.service.js';
import { Clock } from '../../src/common/index.js';
import {
  appWithUsers,
  attemptLogin,
  outcome,
  PASSWORD,
} from './login-attempts.js';

const WRONG = '401 The username or password is incorrect.';
const THROTTLED =
  '429 Too many failed login attempts from your network. Please wait a few minutes and try again.';
const SIGNED_IN = '303 http://localhost:8000/rocketchat/redirect';

function clockAt(start: number): void {
  vi.spyOn(Clock.prototype, 'now').mockImplementation(() => start);
}

/** 100 names, five of them real users. */
const SPRAYED = Array.from({ length: 100 }, (_, i) => `user${i}`);
const REAL = ['user3', 'user17', 'user42', 'user64', 'user99'];

describe('failure budget per client address (20 failures in 10 minutes)', () => {
  let t: Awaited<ReturnType<typeof appWithUsers>>;
  beforeAll(async () => {
    t = await appWithUsers('address_budget', REAL, {
      LOGIN_IP_MAX_FAILURES: '20',
    });
  });
  afterAll(() => t.close());

  it('should answer a spray of 100 names x 1 password from one address with 429 after 20 failures, before hashing, locking none of them (AUTH-4)', async () => {
    clockAt(Date.UTC(2032, 0, 1, 8));
    const verify = vi.spyOn(t.app.get(CredentialsService), 'verify');
    const answers: string[] = [];
    const retryAfter: number[] = [];
    for (const name of SPRAYED) {
      const response = await attemptLogin(t.app, name, 'Summer2032!', {
        ip: '203.0.113.50',
      });
      answers.push(outcome(response));
      if (response.statusCode === 429) {
        retryAfter.push(Number(response.headers['retry-after']));
      }
    }
    expect(answers.slice(0, 20)).toEqual(Array(20).fill(WRONG));
    expect(answers[20]).toBe(THROTTLED);
    // Then the failure budget: every further attempt 429, before any check.
    expect(answers.slice(20).every((a) => a.startsWith('429 '))).toBe(true);
    expect(retryAfter).toHaveLength(80);
    expect(Math.min(...retryAfter)).toBeGreaterThanOrEqual(1);
    expect(Math.max(...retryAfter)).toBeLessThanOrEqual(20 * 60);
    expect(verify).toHaveBeenCalledTimes(20);
    // The accounts were tried once each: none is locked, from another address they log in.
    for (const name of REAL) {
      expect(
        outcome(
          await attemptLogin(t.app, name, PASSWORD, { ip: '198.51.100.7' }),
        ),
      ).toBe(SIGNED_IN);
    }
    // The throttled address stays throttled, even with right credentials.
    expect(
      (await attemptLogin(t.app, 'user3', PASSWORD, { ip: '203.0.113.50' }))
        .statusCode,
    ).toBe(429);
  });

  it('should share one budget across an IPv6 /64 and keep other networks apart', async () => {
    clockAt(Date.UTC(2032, 0, 2, 8));
    for (let i = 0; i < 20; i++) {
      await attemptLogin(t.app, `v6-${i}`, 'wrong', {
        ip: `2001:db8:5:6::${(i + 1).toString(16)}`,
      });
    }
    expect(
      outcome(
        await attemptLogin(t.app, 'user3', PASSWORD, {
          ip: '2001:db8:5:6:ffff::9',
        }),
      ),
    ).toBe(THROTTLED);
    expect(
      outcome(
        await attemptLogin(t.app, 'user3', PASSWORD, { ip: '2001:db8:5:7::1' }),
      ),
    ).toBe(SIGNED_IN);
  });

  it('should let an operator clear an address, and list it whenever it is throttled', async () => {
    clockAt(Date.UTC(2032, 0, 3, 8));
    for (let i = 0; i < 20; i++) {
      await attemptLogin(t.app, `x${i}`, 'wrong', { ip: '192.0.2.99' });
    }
    expect(
      outcome(
        await attemptLogin(t.app, 'user17', PASSWORD, { ip: '192.0.2.99' }),
      ),
    ).toBe(THROTTLED);
    const admin = t.app.get(LockAdmin);
    expect(await admin.list()).toContainEqual(
      expect.objectContaining({ kind: 'address', target: '192.0.2.99' }),
    );
    await admin.clear(admin.resolve('192.0.2.99')!);
    expect(await admin.list()).not.toContainEqual(
      expect.objectContaining({ target: '192.0.2.99' }),
    );
    expect(
      outcome(
        await attemptLogin(t.app, 'user17', PASSWORD, { ip: '192.0.2.99' }),
      ),
    ).toBe(SIGNED_IN);
    // Throttled again after the clear: listed again (a new episode).
    for (let i = 0; i < 20; i++) {
      await attemptLogin(t.app, `y${i}`, 'wrong', { ip: '192.0.2.99' });
    }
    expect(
      (await attemptLogin(t.app, 'user17', PASSWORD, { ip: '192.0.2.99' }))
        .statusCode,
    ).toBe(429);
    expect(await admin.list()).toContainEqual(
      expect.objectContaining({ kind: 'address', target: '192.0.2.99' }),
    );
  });
});

describe('client addresses and proxies (AUTH-6)', () => {
  const spoofing = (i: number) => ({
    'x-forwarded-for': `10.0.${i}.1`,
    forwarded: `for=10.1.${i}.1`,
    'x-real-ip': `10.2.${i}.1`,
  });

  it('should ignore X-Forwarded-For, Forwarded and X-Real-IP without TRUST_PROXY: the peer is the client', async () => {
    clockAt(Date.UTC(2032, 1, 1, 8));
    const t = await appWithUsers('proxy_untrusted', ['alice'], {
      LOGIN_IP_MAX_FAILURES: '3',
    });
    try {
      const answers = [];
      for (let i = 0; i < 4; i++) {
        answers.push(
          outcome(
            await attemptLogin(t.app, `n${i}`, 'wrong', {
              headers: spoofing(i),
            }),
          ),
        );
      }
      expect(answers).toEqual([WRONG, WRONG, WRONG, THROTTLED]);
    } finally {
      await t.close();
    }
  });

  it('should use X-Forwarded-For from a trusted proxy only, and never from any other peer', async () => {
    clockAt(Date.UTC(2032, 1, 2, 8));
    const t = await appWithUsers('proxy_trusted', ['alice'], {
      LOGIN_IP_MAX_FAILURES: '3',
      TRUST_PROXY: '127.0.0.1, 10.99.0.0/16',
    });
    try {
      // Through the trusted proxy: each forwarded client has its own budget.
      for (let i = 0; i < 6; i++) {
        expect(
          outcome(
            await attemptLogin(t.app, `n${i}`, 'wrong', {
              ip: i % 2 ? '127.0.0.1' : '10.99.3.4',
              headers: { 'x-forwarded-for': `198.51.100.${i}` },
            }),
          ),
        ).toBe(WRONG);
      }
      // One forwarded client is counted as itself, whichever proxy it comes through.
      for (let i = 0; i < 3; i++) {
        await attemptLogin(t.app, `m${i}`, 'wrong', {
          headers: { 'x-forwarded-for': `203.0.113.9, 198.51.100.77` },
        });
      }
      expect(
        outcome(
          await attemptLogin(t.app, 'alice', PASSWORD, {
            ip: '10.99.0.1',
            headers: { 'x-forwarded-for': '198.51.100.77' },
          }),
        ),
      ).toBe(THROTTLED);
      // An untrusted peer's header is ignored: it is counted under its own address.
      for (let i = 0; i < 3; i++) {
        await attemptLogin(t.app, `u${i}`, 'wrong', {
          ip: '192.0.2.200',
          headers: { 'x-forwarded-for': `198.51.100.${100 + i}` },
        });
      }
      expect(
        outcome(
          await attemptLogin(t.app, 'alice', PASSWORD, {
            ip: '192.0.2.200',
            headers: { 'x-forwarded-for': '198.51.100.250' },
          }),
        ),
      ).toBe(THROTTLED);
    } finally {
      await t.close();
    }
  });
});
