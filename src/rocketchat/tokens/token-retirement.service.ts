import { Injectable, Logger } from '@nestjs/common';
import { SessionService, type Session } from '../../session/index.js';
import { RevocationService } from './revocation.service.js';
import { SessionTokensRepository } from './session-tokens.repository.js';

/**
 * A session's token that must not be handed out again, besides the ends of sessions (SessionEnd):
 * the one Rocket.Chat refused (reported by the post-login page in its frame), and the one the
 * person replaces by choosing "Continue as". Each is taken from the store first, so of two racing
 * requests only one revokes it, and the revocation is queued (it never waits for Rocket.Chat).
 */
@Injectable()
export class TokenRetirement {
  private readonly logger = new Logger(TokenRetirement.name);

  constructor(
    private readonly store: SessionTokensRepository,
    private readonly revocations: RevocationService,
    private readonly sessions: SessionService,
  ) {}

  /**
   * Rocket.Chat answered `login-error` to the token the post-login page posted (`hashedToken`):
   * that token is dead to it. It is revoked and the login page asks before issuing another one.
   * False when the session no longer holds that token (already replaced or ended).
   */
  async refused(session: Session, hashedToken: string): Promise<boolean> {
    const taken = await this.store.take(session.id, hashedToken);
    if (!taken) {
      return false;
    }
    this.logger.log(
      `Rocket.Chat refused the token of session ${session.id} (bridge user ${session.userId}); revoking it`,
    );
    await this.revocations.revokeToken(taken, 'refused-by-rocketchat');
    await this.sessions.setInteractionRequired(session.id, true);
    return true;
  }

  /**
   * After "Continue as": the token handed out before the person confirmed is revoked, once, so
   * that the next hand-out mints a fresh one. A mint in progress is left alone.
   */
  async renewIfConfirmed(session: Session): Promise<void> {
    if (
      !session.tokenRenewal ||
      !(await this.sessions.takeTokenRenewal(session.id))
    ) {
      return;
    }
    const state = await this.store.find(session.id);
    if (state.kind !== 'issued') {
      return;
    }
    const taken = await this.store.take(session.id, state.token.hashedToken);
    if (taken) {
      this.logger.log(
        `Replacing the Rocket.Chat token of session ${session.id} after "Continue as"`,
      );
      await this.revocations.revokeToken(taken, 'replaced');
    }
  }
}
