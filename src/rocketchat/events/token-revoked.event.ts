/**
 * A Rocket.Chat login ended: one token (`scope: 'token'`), or every login of the user
 * (`users.logout`, `scope: 'user'`). Emitted when Rocket.Chat confirmed it, by the revocation
 * queue or by the immediate attempt made when the queue cannot be written.
 */
export class TokenRevokedEvent {
  static readonly eventName = 'rocketchat.token-revoked';

  constructor(
    /** Undefined for a queued job that did not record it. */
    readonly bridgeUserId: string | undefined,
    readonly rocketChatUserId: string,
    readonly scope: 'token' | 'user',
    /** Why: a session end reason, `replaced`, `refused-by-rocketchat`... */
    readonly reason: string | undefined,
  ) {}
}
