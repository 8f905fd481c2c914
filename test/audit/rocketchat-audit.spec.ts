import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  AuditRepository,
  AuditService,
  type AuditRecord,
} from '../../src/audit/index.js';
import { UserAdminService } from '../../src/users/index.js';
import { UserLinksRepository } from '../../src/rocketchat/provisioning/user-links.repository.js';
import { Clock } from '../../src/common/index.js';
import { CapturedLines } from '../observability/captured-lines.js';
import {
  callApiUrl,
  loginAs,
  startHarness,
  type Harness,
} from '../rocketchat/harness.js';

const PASSWORD = 'audit trail password 42';
const T0 = Date.UTC(2034, 4, 1, 12);

/** The Rocket.Chat module's events, oldest first, for one bridge user. */
async function eventsOf(h: Harness, userId: string): Promise<AuditRecord[]> {
  await h.app.get(AuditService).flush();
  const newest = await h.app.get(AuditRepository).recent(100, { userId });
  return newest.toReversed();
}

function summary(records: readonly AuditRecord[]): unknown[] {
  return records
    .filter((r) => r.kind !== 'login.succeeded' && r.kind !== 'session.ended')
    .map((r) => [
      r.kind,
      r.details?.detail ?? r.details?.fields ?? r.details?.direction,
    ]);
}

describe('audit trail of the Rocket.Chat module (tokens, accounts, logout from Rocket.Chat)', () => {
  let h: Harness;
  const logs = new CapturedLines();
  let now = T0;
  const secrets: string[] = [PASSWORD];

  beforeAll(async () => {
    h = await startHarness({
      logDestination: logs,
      env: {
        LOG_LEVEL: 'info',
        ROCKETCHAT_LINK_POLICY: 'username,create',
        ROCKETCHAT_REVOCATION_INTERVAL: '100ms',
      },
    });
    secrets.push(h.admin.pat ?? '');
  });

  afterAll(async () => {
    await h.close();
  });

  it('should record account creation, link, token minted, reused and revoked, and a logout from Rocket.Chat, without a token', async () => {
    vi.spyOn(Clock.prototype, 'now').mockImplementation(() => now);
    const ada = await h.app.get(UserAdminService).create({
      username: 'ada',
      password: PASSWORD,
      displayName: 'Ada Lovelace',
    });
    const client = await loginAs(h.app, 'ada', PASSWORD);
    const first = await callApiUrl(h.app, client, h.rc.origin);
    secrets.push(first.json<{ loginToken: string }>().loginToken);
    // Rocket.Chat's start-up double call, within the re-delivery window.
    expect((await callApiUrl(h.app, client, h.rc.origin)).statusCode).toBe(200);
    const link = await h.app.get(UserLinksRepository).find(ada.id);
    // Someone renamed the account in Rocket.Chat: the next login puts the bridge's name back.
    await h.rc.control.updateUser(link?.rcUserId ?? '', { name: 'Renamed' });
    now += 60_000;
    const again = await loginAs(h.app, 'ada', PASSWORD);
    const second = await callApiUrl(h.app, again, h.rc.origin);
    secrets.push(second.json<{ loginToken: string }>().loginToken);
    // The person logs out of Rocket.Chat, whose logout script tells the bridge.
    const logout = await h.app.inject({
      method: 'POST',
      url: '/rocketchat/logout',
      remoteAddress: '10.9.0.7',
      headers: {
        origin: h.rc.origin,
        cookie: again.cookieHeader() ?? '',
        'user-agent': 'RocketChatTest/1.0',
      },
    });
    expect(logout.statusCode).toBe(204);
    await expect
      .poll(async () => summary(await eventsOf(h, ada.id)).length)
      .toBe(8);

    const records = await eventsOf(h, ada.id);
    // Background work (the revocation) may interleave with later requests: compared as a set,
    // with the order checked where it is causal.
    const entries = summary(records).map((entry) => JSON.stringify(entry));
    expect([...entries].sort()).toEqual(
      [
        ['rocketchat.user.created', undefined],
        ['rocketchat.user.linked', undefined],
        ['token.minted', 'rest'],
        ['token.reused', 'rest'],
        ['rocketchat.user.updated', ['name']],
        ['token.minted', 'rest'],
        ['logout', 'rocketchat'],
        ['token.revoked', 'logout'],
      ]
        .map((entry) => JSON.stringify(entry))
        .sort(),
    );
    expect(entries.slice(0, 4)).toEqual(
      [
        ['rocketchat.user.created', undefined],
        ['rocketchat.user.linked', undefined],
        ['token.minted', 'rest'],
        ['token.reused', 'rest'],
      ].map((entry) => JSON.stringify(entry)),
    );
    const created = records.find((r) => r.kind === 'rocketchat.user.created');
    expect(created).toMatchObject({
      outcome: 'success',
      userId: ada.id,
      username: link?.rcUsername,
      details: { rocketChatUserId: link?.rcUserId },
    });
    const rcLogout = records.find((r) => r.kind === 'logout');
    expect(rcLogout).toMatchObject({
      ip: '10.9.0.7',
      userAgent: 'RocketChatTest/1.0',
      details: { direction: 'rocketchat' },
    });
    expect(records.find((r) => r.kind === 'token.minted')?.requestId).toEqual(
      expect.any(String),
    );

    // Each event is also one JSON log line; neither carries a token, a password or the name.
    const lines = logs.json().filter((line) => line.audit === true);
    for (const kind of [
      'rocketchat.user.created',
      'rocketchat.user.linked',
      'rocketchat.user.updated',
      'token.minted',
      'token.reused',
      'token.revoked',
      'logout',
    ]) {
      expect(lines.some((line) => line.event === kind)).toBe(true);
    }
    const stored = JSON.stringify(records);
    const logged = JSON.stringify(lines);
    for (const secret of secrets) {
      expect(stored).not.toContain(secret);
      expect(logged).not.toContain(secret);
    }
    expect(
      JSON.stringify(records.find((r) => r.kind === 'rocketchat.user.updated')),
    ).not.toContain('Ada Lovelace');
  });

  it('should record linking an existing Rocket.Chat account as linked, not created', async () => {
    vi.spyOn(Clock.prototype, 'now').mockImplementation(() => now);
    const existing = await h.rc.control.createUser({ username: 'bert' });
    const bert = await h.app
      .get(UserAdminService)
      .create({ username: 'bert', password: PASSWORD });
    const client = await loginAs(h.app, 'bert', PASSWORD);
    expect((await callApiUrl(h.app, client, h.rc.origin)).statusCode).toBe(200);
    const records = await eventsOf(h, bert.id);
    expect(summary(records)).toEqual([
      ['rocketchat.user.linked', undefined],
      ['token.minted', 'rest'],
    ]);
    expect(records[records.length - 2]).toMatchObject({
      details: { rocketChatUserId: existing.userId },
    });
  });
});
