import type { TokenStrategyName } from '../../config/index.js';
import type { RequestClient } from './request-client.js';

/** Where a token went: the API URL, the post-login page (framed or not), or the Rocket.Chat app. */
export type TokenDestination = 'api' | 'frame' | 'page' | 'app';

/**
 * Rocket.Chat issued a login token for a bridge session and the bridge recorded it (never for a
 * token revoked at once because it could not be recorded or its session ended meanwhile). So the
 * bridge user's Rocket.Chat account exists and is linked. Never carries the token.
 */
export class TokenMintedEvent {
  static readonly eventName = 'rocketchat.token-minted';

  constructor(
    readonly bridgeUserId: string,
    readonly rocketChatUserId: string,
    /** The bridge session (for the app's token too: its record is `<session id>:app`). */
    readonly sessionId: string,
    readonly strategy: TokenStrategyName,
    readonly deliveredTo: TokenDestination,
    /** Undefined when no request is behind it. */
    readonly client: RequestClient | undefined,
  ) {}
}
