import { createHmac, hkdfSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { LockAdmin } from '../../src/auth/protection/lock-admin.service.js';
import { CredentialsService } from '../../src/users/index.js';
import { BrowserLikeClient } from '../support/browser-like-client.js';
import { TEST_ENV } from '../support/app.js';
import { fakeClock } from '../support/fake-clock.js';
import { appWithUsers, outcome, PASSWORD } from './login-attempts.js';

const WRONG = '401 The username or password is incorrect.';
const THROTTLED =
  '429 Too many failed login attempts from your network. Please wait a few minutes and try again.';
const SIGNED_IN = '303 http://localhost:8000/rocketchat/redirect';
const DEVICE = '__Host-rcbridge_session_device';
const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

type App = Awaited<ReturnType<typeof appWithUsers>>;

/** A browser behind the trusted proxy, as client address `ip`. */
function browser(t: App, ip: string): BrowserLikeClient {
  return new BrowserLikeClient(t.app, { 'x-forwarded-for': ip });
}

async function signIn(
  client: BrowserLikeClient,
  username: string,
  password: string,
): Promise<string> {
  // A browser whose session has ended: only its device cookie remains.
  client.cookies.delete('__Host-rcbridge_session');
  const { csrf } = await client.open('/login');
  return outcome(await client.post('/login', { csrf, username, password }));
}

/** A device cookie payload signed with `secret` (forgeries and foreign keys). */
function sign(payload: object, secret = TEST_ENV.SESSION_SECRET!): string {
  const key = Buffer.from(
    hkdfSync('sha256', secret, '', 'rcbridge device cookie v1', 32),
  );
  const body = Buffer.from(JSON.stringify(payload)).toString('base64url');
  const mac = createHmac('sha256', key).update(`d1.${body}`).digest();
  return `d1.${body}.${mac.toString('base64url')}`;
}

/** A fresh browser that carries `cookie` as its device cookie. */
function carrying(t: App, ip: string, cookie: string): BrowserLikeClient {
  const client = browser(t, ip);
  client.cookies.set(DEVICE, cookie);
  return client;
}

describe('device cookies (OWASP: slow down online guessing attacks with device cookies)', () => {
  let t: App;
  beforeAll(async () => {
    t = await appWithUsers('device_cookies', ['alice', 'bob', 'carol'], {
      TRUST_PROXY: 'loopback',
    });
  });
  afterAll(() => t.close());

  it('should let the person in from their own browser while an attacker elsewhere has locked the account (AUTH-5)', async () => {
    fakeClock(Date.UTC(2034, 0, 1, 8));
    const own = browser(t, '198.51.100.10');
    expect(await signIn(own, 'alice', PASSWORD)).toBe(SIGNED_IN);
    expect(own.cookies.get(DEVICE)).toMatch(/^d1\./);
    await own.post('/logout', { csrf: (await own.open('/')).csrf });
    expect(own.cookies.has(DEVICE)).toBe(true); // kept across the logout

    for (let i = 0; i < 20; i++) {
      await signIn(browser(t, `203.0.113.${i}`), 'alice', `guess-${i}`);
    }
    // The lock bites a browser that never signed in as alice, right password or not ...
    expect(await signIn(browser(t, '198.51.100.10'), 'alice', PASSWORD)).toBe(
      WRONG,
    );
    // ... but not alice's own browser, even after a typo there.
    expect(await signIn(own, 'alice', 'typo')).toBe(WRONG);
    expect(await signIn(own, 'alice', PASSWORD)).toBe(SIGNED_IN);
  });

  it('should lock a device cookie that fails too often, by itself, and free it after LOCKOUT_DURATION', async () => {
    const clock = fakeClock(Date.UTC(2034, 0, 2, 8));
    const own = browser(t, '198.51.100.20');
    expect(await signIn(own, 'bob', PASSWORD)).toBe(SIGNED_IN);
    for (let i = 0; i < 5; i++) {
      expect(await signIn(own, 'bob', `wrong-${i}`)).toBe(WRONG);
    }
    const verify = spyOnVerify(t);
    expect(await signIn(own, 'bob', PASSWORD)).toBe(WRONG);
    expect(verify).not.toHaveBeenCalled();
    expect(await t.app.get(LockAdmin).list()).toContainEqual(
      expect.objectContaining({ kind: 'device', target: 'bob' }),
    );
    // Its failures were its own: the account is not locked for other browsers.
    expect(await signIn(browser(t, '198.51.100.21'), 'bob', PASSWORD)).toBe(
      SIGNED_IN,
    );
    clock.advance(5 * MINUTE + 1000);
    expect(await signIn(own, 'bob', PASSWORD)).toBe(SIGNED_IN);
  });

  it('should judge a cookie holder by the cookie, not by its address budget', async () => {
    fakeClock(Date.UTC(2034, 0, 3, 8));
    const office = '192.0.2.77';
    const own = browser(t, office);
    expect(await signIn(own, 'carol', PASSWORD)).toBe(SIGNED_IN);
    for (let i = 0; i < 50; i++) {
      await signIn(browser(t, office), `sprayed${i}`, 'Spring2034!');
    }
    expect(await signIn(browser(t, office), 'carol', PASSWORD)).toBe(THROTTLED);
    expect(await signIn(own, 'carol', PASSWORD)).toBe(SIGNED_IN);
  });

  it('should give a forged, foreign, expired or other-account cookie nothing: the lock still applies', async () => {
    const clock = fakeClock(Date.UTC(2034, 0, 4, 8));
    const ip = '198.51.100.40';
    const own = browser(t, ip);
    expect(await signIn(own, 'alice', PASSWORD)).toBe(SIGNED_IN);
    const genuine = own.cookies.get(DEVICE)!;
    for (let i = 0; i < 5; i++) {
      await signIn(browser(t, `203.0.114.${i}`), 'bob', `guess-${i}`);
    }
    const [, body] = genuine.split('.');
    const claims = JSON.parse(Buffer.from(body, 'base64url').toString()) as {
      u: string;
      n: string;
      x: number;
    };
    const forgeries = {
      'alice’s genuine cookie, used for bob': genuine,
      'alice’s cookie edited to name bob': `d1.${Buffer.from(JSON.stringify({ ...claims, u: 'bob' })).toString('base64url')}.${genuine.split('.')[2]}`,
      'signed with another SESSION_SECRET': sign(
        { ...claims, u: 'bob' },
        'another-secret-0123456789abcdefghijklmnop',
      ),
      'expired a moment ago': sign({ ...claims, u: 'bob', x: clock.now() - 1 }),
      garbage: 'd1.e30.AAAA',
    };
    const answers: Record<string, string> = {};
    for (const [what, cookie] of Object.entries(forgeries)) {
      answers[what] = await signIn(carrying(t, ip, cookie), 'bob', PASSWORD);
    }
    expect(answers).toEqual(
      Object.fromEntries(Object.keys(forgeries).map((what) => [what, WRONG])),
    );
    // A genuine cookie for bob is honoured (the control), until it expires.
    const valid = sign({ u: 'bob', n: 'control', x: clock.now() + DAY });
    expect(await signIn(carrying(t, ip, valid), 'bob', PASSWORD)).toBe(
      SIGNED_IN,
    );
    clock.advance(DAY);
    for (let i = 0; i < 5; i++) {
      await signIn(browser(t, `203.0.115.${i}`), 'bob', `again-${i}`);
    }
    expect(await signIn(carrying(t, ip, valid), 'bob', PASSWORD)).toBe(WRONG);
  });

  it('should give a stolen cookie no more than LOCKOUT_MAX_FAILURES guesses', async () => {
    fakeClock(Date.UTC(2034, 0, 5, 8));
    const own = browser(t, '198.51.100.50');
    expect(await signIn(own, 'carol', PASSWORD)).toBe(SIGNED_IN);
    const thief = carrying(t, '203.0.113.200', own.cookies.get(DEVICE)!);
    const verify = spyOnVerify(t);
    const answers = [];
    for (let i = 0; i < 30; i++) {
      answers.push(await signIn(thief, 'carol', `guess-${i}`));
    }
    expect(answers).toEqual(Array(30).fill(WRONG));
    expect(verify).toHaveBeenCalledTimes(5);
    // Then the thief is an ordinary stranger again, facing the account's lockout.
    thief.cookies.delete(DEVICE);
    for (let i = 0; i < 5; i++) {
      await signIn(thief, 'carol', `more-${i}`);
    }
    expect(verify).toHaveBeenCalledTimes(10);
    expect(await signIn(thief, 'carol', PASSWORD)).toBe(WRONG);
  });
});

function spyOnVerify(t: App) {
  return vi.spyOn(t.app.get(CredentialsService), 'verify');
}
