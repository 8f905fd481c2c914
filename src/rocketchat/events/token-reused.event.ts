import type { TokenStrategyName } from '../../config/index.js';
import type { RequestClient } from './request-client.js';

/** A session's stored token was handed out again (no call to Rocket.Chat). Never carries the token. */
export class TokenReusedEvent {
  static readonly eventName = 'rocketchat.token-reused';

  constructor(
    readonly bridgeUserId: string,
    readonly rocketChatUserId: string,
    readonly strategy: TokenStrategyName,
    readonly client: RequestClient | undefined,
  ) {}
}
