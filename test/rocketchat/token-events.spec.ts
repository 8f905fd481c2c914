import { EventEmitter2 } from '@nestjs/event-emitter';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UserAdminService } from '../../src/users/index.js';
import { TokenMintedEvent } from '../../src/rocketchat/index.js';
import { UserLinksRepository } from '../../src/rocketchat/provisioning/user-links.repository.js';
import { TokenReusedEvent } from '../../src/rocketchat/events/token-reused.event.js';
import { TokenRevokedEvent } from '../../src/rocketchat/events/token-revoked.event.js';
import { RocketChatLoggedOutEvent } from '../../src/rocketchat/events/rocketchat-logged-out.event.js';
import { callApiUrl, loginAs, startHarness, type Harness } from './harness.js';

const PASSWORD = 'token events password 42';

/**
 * The rocketchat.* events other modules hear (the audit trail and the token metric today, group
 * sync on TokenMintedEvent later): who they are about, and never the token.
 */
describe('the Rocket.Chat token events', () => {
  let h: Harness;
  const heard: [string, unknown][] = [];

  beforeAll(async () => {
    h = await startHarness({
      env: { ROCKETCHAT_REVOCATION_INTERVAL: '100ms' },
    });
    const events = h.app.get(EventEmitter2);
    for (const name of [
      TokenMintedEvent.eventName,
      TokenReusedEvent.eventName,
      TokenRevokedEvent.eventName,
      RocketChatLoggedOutEvent.eventName,
    ]) {
      events.on(name, (event: unknown) => heard.push([name, event]));
    }
  });

  afterAll(async () => {
    await h.close();
  });

  it('should announce a minted, reused and revoked token and a logout at Rocket.Chat with the users, never the token', async () => {
    const grace = await h.app.get(UserAdminService).create({
      username: 'grace',
      password: PASSWORD,
      displayName: 'Grace Hopper',
    });
    const client = await loginAs(h.app, 'grace', PASSWORD);
    const first = await callApiUrl(h.app, client, h.rc.origin);
    expect(first.statusCode).toBe(200);
    const token = first.json<{ loginToken: string }>().loginToken;
    expect((await callApiUrl(h.app, client, h.rc.origin)).statusCode).toBe(200);
    const link = await h.app.get(UserLinksRepository).find(grace.id);
    const rcUserId = link?.rcUserId;
    expect(rcUserId).toEqual(expect.any(String));

    const logout = await h.app.inject({
      method: 'POST',
      url: '/rocketchat/logout',
      headers: { origin: h.rc.origin, cookie: client.cookieHeader() ?? '' },
    });
    expect(logout.statusCode).toBe(204);
    await expect
      .poll(() => heard.some(([name]) => name === TokenRevokedEvent.eventName))
      .toBe(true);

    const [minted] = heard.filter(
      ([name]) => name === TokenMintedEvent.eventName,
    );
    expect(minted?.[1]).toBeInstanceOf(TokenMintedEvent);
    expect(minted?.[1]).toMatchObject({
      bridgeUserId: grace.id,
      rocketChatUserId: rcUserId,
      strategy: 'rest',
      deliveredTo: 'api',
    });
    // The revocation runs in the background: it may come before or after the logout's event.
    expect(heard.map(([name]) => name).slice(0, 2)).toEqual([
      TokenMintedEvent.eventName,
      TokenReusedEvent.eventName,
    ]);
    expect(
      heard
        .map(([name]) => name)
        .slice(2)
        .sort(),
    ).toEqual(
      [RocketChatLoggedOutEvent.eventName, TokenRevokedEvent.eventName].sort(),
    );
    const of = (name: string) => heard.find(([n]) => n === name)?.[1];
    expect(of(TokenReusedEvent.eventName)).toMatchObject({
      bridgeUserId: grace.id,
      rocketChatUserId: rcUserId,
      strategy: 'rest',
    });
    expect(of(RocketChatLoggedOutEvent.eventName)).toMatchObject({
      bridgeUserId: grace.id,
    });
    expect(of(TokenRevokedEvent.eventName)).toMatchObject({
      bridgeUserId: grace.id,
      rocketChatUserId: rcUserId,
      scope: 'token',
      reason: 'logout',
    });
    expect(JSON.stringify(heard)).not.toContain(token);
  });
});
