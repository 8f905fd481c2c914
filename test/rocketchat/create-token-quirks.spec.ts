import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UserAdminService } from '../../src/users/index.js';
import { UserLinksRepository } from '../../src/rocketchat/provisioning/user-links.repository.js';
import { RestTokenStrategy } from '../../src/rocketchat/tokens/rest-token.strategy.js';
import { CapturedLines } from '../observability/captured-lines.js';
import { callApiUrl, loginAs, startHarness, type Harness } from './harness.js';

const PASSWORD = 'correct horse battery';
const FRAMED = { 'sec-fetch-dest': 'iframe', 'sec-fetch-site': 'cross-site' };
let counter = 0;

/** A brand-new bridge user, logged in at the bridge; no Rocket.Chat account yet. */
async function newcomer(h: Harness) {
  counter += 1;
  const username = `newcomer${counter}`;
  const user = await h.app
    .get(UserAdminService)
    .create({ username, password: PASSWORD, email: `${username}@example.org` });
  return { id: user.id, client: await loginAs(h.app, username, PASSWORD) };
}

async function rcUserOf(h: Harness, bridgeUserId: string): Promise<string> {
  const link = await h.app.get(UserLinksRepository).find(bridgeUserId);
  return link?.rcUserId ?? '';
}

const statuses = (h: Harness, route: string) =>
  h.rc.control.calls({ route }).map((call) => call.status);

describe.each([
  ['7.13.7', true],
  ['8.0.0', true],
  ['9.0.1', false],
])(
  "Rocket.Chat %s: a brand-new person's first sign-in (bug #40598 affected: %s)",
  (version, affected) => {
    let h: Harness;

    beforeAll(async () => {
      h = await startHarness({ version });
    });

    afterAll(async () => {
      await h.close();
    });

    it('should get a working login token and leave exactly one token on the new account', async () => {
      h.rc.control.clearCalls();
      const { id, client } = await newcomer(h);
      const answer = await callApiUrl(h.app, client, h.rc.origin);
      expect(answer.statusCode).toBe(200);
      const token = answer.json<{ loginToken: string }>().loginToken;
      const rcUserId = await rcUserOf(h, id);
      expect(await h.rc.control.checkToken(token, rcUserId)).toMatchObject({
        valid: true,
        kind: 'resume',
      });
      expect(await h.rc.control.tokenCount(rcUserId)).toBe(1);
      expect(statuses(h, 'users.createToken')).toEqual(
        affected ? [400, 200] : [200],
      );
      expect(statuses(h, 'users.logoutOtherClients')).toEqual(
        affected ? [200] : [],
      );
    });

    it('should sign in again after the only token was revoked, again with one token', async () => {
      const user = await h.rc.control.createUser({});
      const strategy = h.app.get(RestTokenStrategy);
      const first = await strategy.mint(user.userId);
      await strategy.revoke(user.userId, first.token);
      expect(await h.rc.control.tokenCount(user.userId)).toBe(0);
      const again = await strategy.mint(user.userId);
      expect(await h.rc.control.checkToken(again.token)).toMatchObject({
        valid: true,
      });
      expect(await h.rc.control.tokenCount(user.userId)).toBe(1);
    });
  },
);

describe('bug #40598 fallback edge cases (Rocket.Chat 8.0.0)', () => {
  let h: Harness;
  const logs = new CapturedLines();

  beforeAll(async () => {
    h = await startHarness({
      version: '8.0.0',
      env: { LOG_LEVEL: 'warn' },
      logDestination: logs,
    });
  });

  afterAll(async () => {
    await h.close();
  });

  it('should mint in turn for one person, so neither token removes the other', async () => {
    const user = await h.rc.control.createUser({});
    const strategy = h.app.get(RestTokenStrategy);
    const [a, b] = await Promise.all([
      strategy.mint(user.userId),
      strategy.mint(user.userId),
    ]);
    for (const minted of [a, b]) {
      expect(await h.rc.control.checkToken(minted.token)).toMatchObject({
        valid: true,
      });
    }
    expect(await h.rc.control.tokenCount(user.userId)).toBe(2);
  });

  it('should still hand out the token when the stray cannot be removed, and say so', async () => {
    const user = await h.rc.control.createUser({});
    h.rc.control.injectFault({
      route: 'users.logoutOtherClients',
      action: { type: 'status', status: 429 },
      times: 1,
    });
    const minted = await h.app.get(RestTokenStrategy).mint(user.userId);
    expect(await h.rc.control.checkToken(minted.token)).toMatchObject({
      valid: true,
    });
    // The unusable token Rocket.Chat stored for the refused call stays until it expires.
    expect(await h.rc.control.tokenCount(user.userId)).toBe(2);
    expect(logs.text).toContain('keeps one unusable login token');
    expect(logs.text).toContain('bug #40598');
  });
});

describe('bug #40598 with MONGO_DB (Rocket.Chat 7.13.7)', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness({ version: '7.13.7', withMongoDb: true });
  });

  afterAll(async () => {
    await h.close();
  });

  it("should remove the stray token from Rocket.Chat's database, not through the rate-limited REST call", async () => {
    // users.logoutOtherClients is limited per address; the database is not.
    h.rc.control.injectFault({
      route: 'users.logoutOtherClients',
      action: { type: 'status', status: 429 },
    });
    const users = await Promise.all(
      Array.from({ length: 3 }, () => h.rc.control.createUser({})),
    );
    for (const user of users) {
      const minted = await h.app.get(RestTokenStrategy).mint(user.userId);
      expect(await h.rc.control.checkToken(minted.token)).toMatchObject({
        valid: true,
      });
      expect(await h.rc.control.tokenCount(user.userId)).toBe(1);
    }
    expect(h.rc.control.countCalls('users.logoutOtherClients')).toBe(0);
    h.rc.control.clearFaults();
  });
});

describe('PR #41388: users.create and users.createToken want 2FA, and the bridge token does not bypass it', () => {
  let h: Harness;
  const logs = new CapturedLines();

  beforeAll(async () => {
    h = await startHarness({
      version: '9.0.1',
      emulator: { twoFactorOnUserCreation: true },
      env: { LOG_LEVEL: 'warn' },
      logDestination: logs,
    });
  });

  afterAll(async () => {
    await h.close();
  });

  it('should work with the bypassTwoFactor token the harness gives the bridge', async () => {
    const { client } = await newcomer(h);
    expect((await callApiUrl(h.app, client, h.rc.origin)).statusCode).toBe(200);
  });

  it('should tell the person to call an administrator, and the log exactly what to change', async () => {
    // The bridge's token loses "Ignore Two Factor Authentication".
    await h.rc.control.setBypassTwoFactor(
      h.admin.userId,
      h.admin.pat as string,
      false,
    );
    const { client } = await newcomer(h);
    const page = await client.get('/rocketchat/redirect', FRAMED);
    expect(page.statusCode).toBe(503);
    expect(page.body).toContain('Ignore Two Factor Authentication');
    expect(page.body).toContain('Trying again will not help');
    const line = logs
      .json()
      .find((entry) => String(entry.msg).includes('two-factor'));
    expect(line).toMatchObject({ level: 'error', context: 'PostLoginFilter' });
    expect(String(line?.msg)).toMatch(
      /users\.create requires two-factor authentication \(totp-required, method password\), and the bridge's Rocket\.Chat token does not bypass it\. Fix: .*Personal Access Tokens.*"Ignore Two Factor Authentication".*ROCKETCHAT_AUTH_TOKEN/,
    );
    // The same for a person whose account exists: users.createToken.
    const existing = await h.rc.control.createUser({ resumeToken: true });
    await expect(
      h.app.get(RestTokenStrategy).mint(existing.userId),
    ).rejects.toThrow(
      /users\.createToken requires two-factor authentication .*"Ignore Two Factor Authentication"/,
    );
  });
});
