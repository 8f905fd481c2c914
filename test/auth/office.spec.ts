import { pbkdf2Sync, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { LockAdmin } from '../../src/auth/protection/lock-admin.service.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { csrfOf } from '../support/browser-like-client.js';
import { runCli } from '../support/run-cli.js';

/** The office's one public address, as the trusted proxy forwards it. */
const OFFICE = '198.51.100.200';
const PEOPLE = 1000;
const TYPISTS = PEOPLE / 4;
const TEN_MINUTES = 10 * 60_000;
const T0 = Date.UTC(2035, 2, 5, 8, 50);
/** Logins in flight at once (the real office has more; the machine has 2 cores). */
const CONCURRENCY = 6;

const passwordOf = (i: number) => `office password ${i} ${i * 7919}`;

/** Django's PBKDF2PasswordHasher format, with few iterations so the dump is quick to make. */
function djangoHash(password: string): string {
  const salt = randomBytes(12).toString('base64url');
  const hash = pbkdf2Sync(password, salt, 1000, 32, 'sha256');
  return `pbkdf2_sha256$1000$${salt}$${hash.toString('base64')}`;
}

function djangoDump(): string {
  return JSON.stringify(
    Array.from({ length: PEOPLE }, (_, i) => ({
      model: 'auth.user',
      pk: i + 1,
      fields: {
        password: djangoHash(passwordOf(i)),
        last_login: null,
        is_superuser: false,
        username: `person${i}`,
        first_name: 'Office',
        last_name: `Person ${i}`,
        email: `person${i}@office.example`,
        is_staff: false,
        is_active: true,
        date_joined: '2035-03-05T07:00:00.000Z',
        groups: [],
        user_permissions: [],
      },
    })),
  );
}

/** A browser in the office: real HTTP through the trusted proxy, with its own cookie jar. */
class OfficeBrowser {
  readonly cookies = new Map<string, string>();

  constructor(private readonly base: string) {}

  async signIn(username: string, password: string): Promise<number> {
    this.cookies.delete('__Host-rcbridge_session');
    const page = await this.send('GET', '/login');
    return (
      await this.send(
        'POST',
        '/login',
        new URLSearchParams({
          csrf: csrfOf(await page.text()),
          username,
          password,
        }).toString(),
      )
    ).status;
  }

  private async send(
    method: string,
    path: string,
    body?: string,
  ): Promise<Response> {
    const response = await fetch(`${this.base}${path}`, {
      method,
      body,
      redirect: 'manual',
      headers: {
        'x-forwarded-for': OFFICE,
        'sec-fetch-site': 'same-origin',
        ...(body
          ? { 'content-type': 'application/x-www-form-urlencoded' }
          : {}),
        cookie: [...this.cookies].map(([n, v]) => `${n}=${v}`).join('; '),
      },
    });
    for (const line of response.headers.getSetCookie()) {
      const pair = line.split(';')[0];
      const eq = pair.indexOf('=');
      if (/Max-Age=0/i.test(line)) {
        this.cookies.delete(pair.slice(0, eq));
      } else {
        this.cookies.set(pair.slice(0, eq), pair.slice(eq + 1));
      }
    }
    return response;
  }
}

/**
 * Monday, 8:50: an office of 1,000 people behind one address, imported from Django minutes ago
 * (`rc-bridge users import`), signs in within ten minutes; a quarter mistype their password
 * once. With the default limits nobody is throttled: their typos are forgiven by their own
 * successes. Then someone in that office sprays one password over many accounts from a browser
 * without a device cookie, and is throttled, while people with a device cookie still sign in.
 */
describe('an office behind one address (default limits, real HTTP through a trusted proxy)', () => {
  let t: TestApp;
  let base: string;
  let dir: string;
  let imported: { code: number | null; stdout: string; stderr: string };

  beforeAll(async () => {
    t = await createTestApp({
      label: 'office',
      env: { TRUST_PROXY: 'loopback' },
    });
    dir = mkdtempSync(join(tmpdir(), 'office-'));
    const file = join(dir, 'users.json');
    writeFileSync(file, djangoDump());
    imported = await runCli(['users', 'import', file, '--json'], {
      MONGODB_URI: t.mongoUri,
      MONGO_SERVER_SELECTION_TIMEOUT: '3s',
    });
    await t.app.listen(0, '127.0.0.1');
    base = await t.app.getUrl();
  }, 60_000);
  afterAll(async () => {
    vi.useRealTimers();
    await t?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('should never throttle 1,000 people signing in within ten minutes, a quarter of them after a typo, and still stop a spray', async () => {
    expect(imported).toMatchObject({ code: 0 }); // a failure shows its stderr
    expect(JSON.parse(imported.stdout)).toMatchObject({ outcome: 'imported' });
    // The application's clock and the in-memory flood limits both follow the system time.
    vi.useFakeTimers({ toFake: ['Date'], now: T0 });
    const posts = PEOPLE + TYPISTS;
    let posted = 0;
    const tick = () => {
      vi.setSystemTime(T0 + Math.floor((posted++ * TEN_MINUTES) / posts));
    };
    const browsers: OfficeBrowser[] = [];
    const answers: string[] = [];
    let next = 0;
    const worker = async () => {
      for (let i = next++; i < PEOPLE; i = next++) {
        const browser = new OfficeBrowser(base);
        browsers[i] = browser;
        if (i % 4 === 0) {
          tick();
          answers.push(`typo ${await browser.signIn(`person${i}`, 'oops')}`);
        }
        tick();
        answers.push(
          `right ${await browser.signIn(`person${i}`, passwordOf(i))}`,
        );
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    const tally = (list: string[]) =>
      list.reduce<Record<string, number>>(
        (all, a) => ({ ...all, [a]: (all[a] ?? 0) + 1 }),
        {},
      );
    expect(tally(answers)).toEqual({
      'typo 401': TYPISTS,
      'right 303': PEOPLE,
    });
    expect(await t.app.get(LockAdmin).list()).toEqual([]);

    // Later that morning: one password over many accounts, from a browser without device cookies.
    vi.setSystemTime(T0 + 3 * TEN_MINUTES);
    const sprayer = new OfficeBrowser(base);
    const sprayed: number[] = [];
    for (let i = 0; i < 80; i++) {
      sprayed.push(await sprayer.signIn(`person${i}`, 'Spring2035!'));
    }
    expect(tally(sprayed.slice(0, 50).map(String))).toEqual({ '401': 50 });
    expect(tally(sprayed.slice(50).map(String))).toEqual({ '429': 30 });
    expect(await t.app.get(LockAdmin).list()).toContainEqual(
      expect.objectContaining({ kind: 'address', target: OFFICE }),
    );
    // Meanwhile the office works on: whoever has signed in in that browser before gets in
    // (people the spray did not name: a sprayed account's own success would forgive its failure).
    for (const i of [200, 500, 998, 999]) {
      expect(await browsers[i].signIn(`person${i}`, passwordOf(i))).toBe(303);
    }
    // A newcomer without one waits for the address's window, like the sprayer.
    expect(await new OfficeBrowser(base).signIn('person3', passwordOf(3))).toBe(
      429,
    );
  }, 600_000);
});
