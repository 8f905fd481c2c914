import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { UserAdminService, type BridgeUser } from '../../src/users/index.js';
import type { Env } from '../../src/config/index.js';
import { ProvisioningService } from '../../src/rocketchat/provisioning/provisioning.service.js';
import { RocketChatAccountRefusedError } from '../../src/rocketchat/provisioning/provisioning.errors.js';
import { UserLinksRepository } from '../../src/rocketchat/provisioning/user-links.repository.js';
import { startHarness, type Harness } from './harness.js';

let counter = 0;
function unique(prefix: string): string {
  counter += 1;
  return `${prefix}${counter}`;
}

async function bridgeUser(
  h: Harness,
  input: { username: string; email?: string; displayName?: string },
): Promise<BridgeUser> {
  return h.app
    .get(UserAdminService)
    .create({ ...input, password: 'correct horse battery' });
}

function refusal(error: unknown): string | undefined {
  return error instanceof RocketChatAccountRefusedError
    ? error.reason
    : undefined;
}

describe.each(['7.10.0', '8.0.0', '9.0.1'])(
  'Provisioning (Rocket.Chat %s)',
  (version) => {
    let h: Harness;
    let provisioning: ProvisioningService;

    beforeAll(async () => {
      h = await startHarness({ version });
      provisioning = h.app.get(ProvisioningService);
    });

    afterAll(async () => {
      await h.close();
    });

    afterEach(() => {
      h.rc.control.clearFaults();
    });

    it('should create the account once, with a policy-proof password, roles and profile, then reuse the link', async () => {
      const name = unique('dana');
      const user = await bridgeUser(h, {
        username: name,
        email: `${name}@example.org`,
        displayName: 'Dana Scully',
      });
      const account = await provisioning.ensure(user);
      expect(account.username).toBe(name);
      const rcUser = await h.rc.control.getUser(account.rcUserId);
      expect(rcUser).toMatchObject({
        username: name,
        name: 'Dana Scully',
        roles: ['user'],
        type: 'user',
        active: true,
        emails: [{ address: `${name}@example.org`, verified: false }],
      });
      expect(h.rc.control.countCalls('users.create')).toBeGreaterThan(0);
      const creates = h.rc.control.countCalls('users.create');
      expect(await provisioning.ensure(user)).toEqual(account);
      expect(h.rc.control.countCalls('users.create')).toBe(creates);
      expect(await h.app.get(UserLinksRepository).find(user.id)).toMatchObject({
        state: 'linked',
        rcUserId: account.rcUserId,
        createdByBridge: true,
      });
    });

    it('should never link an existing account it did not create under the default policy', async () => {
      const name = unique('erin');
      const existing = await h.rc.control.createUser({ username: name });
      const user = await bridgeUser(h, { username: name });
      const account = await provisioning.ensure(user);
      expect(account.rcUserId).not.toBe(existing.userId);
      expect(account.username).toMatch(new RegExp(`^${name}-[0-9a-f]{4}$`));
    });

    it('should normalise user names and add deterministic suffixes on collision', async () => {
      const local = unique('frank');
      const first = await bridgeUser(h, { username: `${local}@example.org` });
      const second = await bridgeUser(h, {
        username: `${local}_at_example.org`,
      });
      const a = await provisioning.ensure(first);
      const b = await provisioning.ensure(second);
      expect(a.username).toBe(`${local}_at_example.org`);
      expect(b.username).toMatch(
        new RegExp(`^${local}_at_example\\.org-[0-9a-f]{4}$`),
      );
    });

    it('should fall back to a placeholder address when the e-mail is missing or used by another account', async () => {
      const shared = `${unique('shared')}@example.org`;
      const one = await bridgeUser(h, {
        username: unique('gina'),
        email: shared,
      });
      const two = await bridgeUser(h, {
        username: unique('gina'),
        email: shared,
      });
      const none = await bridgeUser(h, { username: unique('hank') });
      await provisioning.ensure(one);
      const second = await provisioning.ensure(two);
      const third = await provisioning.ensure(none);
      expect((await h.rc.control.getUser(second.rcUserId))?.emails).toEqual([
        { address: `${second.username}@rc-bridge.invalid`, verified: false },
      ]);
      expect(
        (await h.rc.control.getUser(third.rcUserId))?.emails?.[0]?.address,
      ).toBe(`${third.username}@rc-bridge.invalid`);
    });

    it('should keep name and e-mail in step on later logins', async () => {
      const name = unique('ivy');
      const user = await bridgeUser(h, {
        username: name,
        email: `${name}@example.org`,
        displayName: 'Ivy One',
      });
      const account = await provisioning.ensure(user);
      await provisioning.ensure({
        ...user,
        displayName: 'Ivy Two',
        email: `${name}@example.net`,
      });
      expect(await h.rc.control.getUser(account.rcUserId)).toMatchObject({
        name: 'Ivy Two',
        emails: [{ address: `${name}@example.net` }],
      });
      const updates = h.rc.control.countCalls('users.update');
      await provisioning.ensure({
        ...user,
        displayName: 'Ivy Two',
        email: `${name}@example.net`,
      });
      expect(h.rc.control.countCalls('users.update')).toBe(updates);
    });

    it('should refuse users inactive on either side', async () => {
      const user = await bridgeUser(h, { username: unique('jack') });
      const account = await provisioning.ensure(user);
      await h.rc.control.updateUser(account.rcUserId, { active: false });
      expect(
        refusal(await provisioning.ensure(user).catch((e: unknown) => e)),
      ).toBe('rocketchat-user-inactive');
      expect(
        refusal(
          await provisioning
            .ensure({ ...user, active: false })
            .catch((e: unknown) => e),
        ),
      ).toBe('bridge-user-inactive');
    });

    it('should provision again when the linked account was deleted in Rocket.Chat', async () => {
      const user = await bridgeUser(h, { username: unique('kate') });
      const first = await provisioning.ensure(user);
      await h.rc.control.deleteUser(first.rcUserId);
      const second = await provisioning.ensure(user);
      expect(second.rcUserId).not.toBe(first.rcUserId);
      expect(second.username).toBe(first.username);
    });

    it('should create exactly one account under concurrent first logins', async () => {
      const user = await bridgeUser(h, { username: unique('liam') });
      const before = h.rc.control.countCalls('users.create');
      const results = await Promise.all(
        Array.from({ length: 5 }, () => provisioning.ensure(user)),
      );
      expect(new Set(results.map((r) => r.rcUserId)).size).toBe(1);
      expect(h.rc.control.countCalls('users.create') - before).toBe(1);
    });
  },
);

describe('Provisioning after an interrupted users.create', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness({ env: { ROCKETCHAT_TIMEOUT: '300ms' } });
  });

  afterAll(async () => {
    await h.close();
  });

  it('should find the account the timed-out call created and link it, never creating a second', async () => {
    const provisioning = h.app.get(ProvisioningService);
    const user = await bridgeUser(h, {
      username: 'mia',
      email: 'mia@example.org',
    });
    h.rc.control.injectFault({
      route: 'users.create',
      action: { type: 'latency', ms: 600 },
      times: 1,
    });
    const error = await provisioning.ensure(user).catch((e: unknown) => e);
    expect(error).toMatchObject({ reason: 'timeout' });
    expect(await h.app.get(UserLinksRepository).find(user.id)).toMatchObject({
      state: 'pending',
      pendingUsername: 'mia',
    });
    // Rocket.Chat finishes the creation after the bridge stopped waiting.
    await expect
      .poll(() => h.rc.control.findUser({ username: 'mia' }))
      .toBeTruthy();
    const created = await h.rc.control.findUser({ username: 'mia' });
    const account = await provisioning.ensure(user);
    expect(account.rcUserId).toBe(created?._id);
    expect(h.rc.control.countCalls('users.create')).toBe(1);
  });

  it('should link the account a slow earlier users.create made when it lands just before the retry, never creating a second', async () => {
    const provisioning = h.app.get(ProvisioningService);
    const user = await bridgeUser(h, {
      username: 'noa',
      email: 'noa@example.org',
    });
    const before = h.rc.control.countCalls('users.create');
    h.rc.control.injectFault({
      route: 'users.create',
      action: { type: 'latency', ms: 600 },
      times: 1,
    });
    expect(
      await provisioning.ensure(user).catch((e: unknown) => e),
    ).toMatchObject({ reason: 'timeout' });
    await expect
      .poll(() => h.rc.control.findUser({ username: 'noa' }))
      .toBeTruthy();
    // The retry asks whether the earlier call happened before it has (its lookup says "no"), so it
    // creates again, and Rocket.Chat answers that the name is taken: by the earlier call's account.
    h.rc.control.injectFault({
      route: 'users.info',
      action: {
        type: 'status',
        status: 400,
        body: { success: false, error: 'User not found. [error-invalid-user]' },
      },
      times: 1,
    });
    const account = await provisioning.ensure(user);
    const created = await h.rc.control.findUser({ username: 'noa' });
    expect(account.rcUserId).toBe(created?._id);
    expect(
      h.rc.control
        .calls({ route: 'users.create' })
        .slice(before)
        .map((call) => call.status),
    ).toEqual([200, 400]);
  });
});

describe.each<[string, Env, string]>([
  ['username', { ROCKETCHAT_LINK_POLICY: 'username' }, 'no-link'],
  [
    'username,create',
    { ROCKETCHAT_LINK_POLICY: 'username,create' },
    'suffixed',
  ],
])('Link policy %s', (_policy, env, privilegedOutcome) => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness({ env });
  });

  afterAll(async () => {
    await h.close();
  });

  it('should link an existing ordinary account of the same user name', async () => {
    const existing = await h.rc.control.createUser({ username: 'nora' });
    const user = await bridgeUser(h, { username: 'nora' });
    const account = await h.app.get(ProvisioningService).ensure(user);
    expect(account.rcUserId).toBe(existing.userId);
    expect(await h.app.get(UserLinksRepository).find(user.id)).toMatchObject({
      createdByBridge: false,
    });
  });

  it('should never link an admin or a bot of the same user name', async () => {
    await h.rc.control.createAdmin({ username: 'olga' });
    await h.rc.control.createBot({ username: 'pete' });
    const provisioning = h.app.get(ProvisioningService);
    for (const name of ['olga', 'pete']) {
      const user = await bridgeUser(h, { username: name });
      const outcome = await provisioning.ensure(user).catch((e: unknown) => e);
      const summary =
        refusal(outcome) ??
        (new RegExp(`^${name}-[0-9a-f]{4}$`).test(
          (outcome as { username?: string }).username ?? '',
        )
          ? 'suffixed'
          : 'linked');
      expect(summary).toBe(privilegedOutcome);
    }
  });

  it("should never link the bridge's own account", async () => {
    const user = await bridgeUser(h, { username: h.admin.username });
    const outcome = await h.app
      .get(ProvisioningService)
      .ensure(user)
      .catch((e: unknown) => e);
    expect(
      (outcome as { rcUserId?: string }).rcUserId ?? refusal(outcome),
    ).not.toBe(h.admin.userId);
  });
});

describe('Link policy email (Rocket.Chat 8)', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness({ env: { ROCKETCHAT_LINK_POLICY: 'email' } });
  });

  afterAll(async () => {
    await h.close();
  });

  it('should link an account whose verified address matches, and nothing else', async () => {
    const verified = await h.rc.control.createUser({
      username: 'rc-quinn',
      email: 'quinn@example.org',
      verified: true,
    });
    await h.rc.control.createUser({
      username: 'rc-rose',
      email: 'rose@example.org',
      verified: false,
    });
    const provisioning = h.app.get(ProvisioningService);
    const quinn = await bridgeUser(h, {
      username: 'quinn',
      email: 'Quinn@example.org',
    });
    expect((await provisioning.ensure(quinn)).rcUserId).toBe(verified.userId);
    const rose = await bridgeUser(h, {
      username: 'rose',
      email: 'rose@example.org',
    });
    expect(
      refusal(await provisioning.ensure(rose).catch((e: unknown) => e)),
    ).toBe('no-link');
  });
});

describe('Avatar URL', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness({
      env: {
        ROCKETCHAT_AVATAR_URL:
          'https://avatars.example.org/{email_md5}.png?u={username}',
      },
    });
  });

  afterAll(async () => {
    await h.close();
  });

  it('should set the avatar at creation and again only when its URL changes', async () => {
    const provisioning = h.app.get(ProvisioningService);
    const user = await bridgeUser(h, {
      username: 'sam',
      email: 'sam@example.org',
    });
    const account = await provisioning.ensure(user);
    const first = (await h.rc.control.getUser(account.rcUserId))?.avatarUrl;
    expect(first).toMatch(
      /^https:\/\/avatars\.example\.org\/[0-9a-f]{32}\.png\?u=sam$/,
    );
    const calls = h.rc.control.countCalls('users.setAvatar');
    await provisioning.ensure(user);
    expect(h.rc.control.countCalls('users.setAvatar')).toBe(calls);
    await provisioning.ensure({ ...user, email: 'sam@example.net' });
    const second = (await h.rc.control.getUser(account.rcUserId))?.avatarUrl;
    expect(second).not.toBe(first);
    expect(h.rc.control.countCalls('users.setAvatar')).toBe(calls + 1);
  });
});

describe('Provisioning after a refused users.create', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness({});
  });

  afterAll(async () => {
    await h.close();
  });

  it('should keep the chosen name and create exactly one account when requests then race', async () => {
    const provisioning = h.app.get(ProvisioningService);
    const user = await bridgeUser(h, { username: 'tara' });
    h.rc.control.injectFault({
      route: 'users.create',
      action: { type: 'status', status: 503 },
      times: 1,
    });
    await expect(provisioning.ensure(user)).rejects.toMatchObject({
      reason: 'server-error',
    });
    const results = await Promise.all(
      Array.from({ length: 5 }, () => provisioning.ensure(user)),
    );
    expect(new Set(results.map((r) => r.rcUserId)).size).toBe(1);
    expect(results[0].username).toBe('tara');
    expect(
      h.rc.control.calls({ route: 'users.create' }).map((c) => c.status),
    ).toEqual([503, 200]);
  });
});
