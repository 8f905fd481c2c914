import { Injectable } from '@nestjs/common';
import { SessionTokensRepository } from './session-tokens.repository.js';

/**
 * For processes that end sessions and then exit (`rc-bridge users sync`): the Rocket.Chat side of
 * a session's end runs after the `session.ended` event, so they wait until the user's tokens have
 * left the session token store (handed to the revocation queue, which outlives the process).
 */
@Injectable()
export class TokenHandOff {
  constructor(private readonly store: SessionTokensRepository) {}

  /** Whether the user has no issued session token left, within `timeoutMs`. */
  async settled(bridgeUserId: string, timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if ((await this.store.countForUser(bridgeUserId)) === 0) {
        return true;
      }
      if (Date.now() > deadline) {
        return false;
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}
