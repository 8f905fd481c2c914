import type { RequestClient } from './request-client.js';

/**
 * Rocket.Chat's logout script (`Custom_Script_On_Logout`) ended a live bridge session. The
 * session's own end is announced separately, as `session.ended`.
 */
export class RocketChatLoggedOutEvent {
  static readonly eventName = 'rocketchat.logged-out';

  constructor(
    readonly bridgeUserId: string,
    readonly sessionId: string,
    readonly client: RequestClient,
  ) {}
}
