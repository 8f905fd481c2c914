import { Injectable, Logger } from '@nestjs/common';
import { InjectConfig, type RocketChatConfig } from '../../config/index.js';
import { UserLinksRepository } from '../provisioning/user-links.repository.js';
import { RevocationService } from './revocation.service.js';
import {
  SessionTokensRepository,
  type StoredSessionToken,
} from './session-tokens.repository.js';
import { appTokenRecordId } from './token-records.js';

/**
 * Session end reasons after which ROCKETCHAT_LOGOUT_MODE=all logs the user out everywhere (a
 * logout at the OpenID provider is a logout too).
 */
const EXPLICIT_ENDS = new Set([
  'logout',
  'user-disabled',
  'provider-logout',
  'deprovisioned',
]);

/**
 * What ending a bridge session does in Rocket.Chat: the tokens the bridge issued to it (the
 * browser's, and the Rocket.Chat app's it opened) are revoked (queued, never blocking the logout); with ROCKETCHAT_LOGOUT_MODE=all, an explicit end (the person
 * logged out, or the account was disabled) logs the Rocket.Chat user out everywhere instead. A
 * session that merely expired or was replaced by a new login only loses its own token.
 */
@Injectable()
export class SessionEnd {
  private readonly logger = new Logger(SessionEnd.name);

  constructor(
    @InjectConfig('rocketchat') private readonly config: RocketChatConfig,
    private readonly store: SessionTokensRepository,
    private readonly links: UserLinksRepository,
    private readonly revocations: RevocationService,
  ) {}

  async ended(
    sessionId: string,
    bridgeUserId: string,
    reason: string,
  ): Promise<void> {
    const taken = await this.store.take(sessionId);
    const app = await this.store.take(appTokenRecordId(sessionId));
    if (this.config.tokens.logoutMode === 'all' && EXPLICIT_ENDS.has(reason)) {
      const known = taken ?? app;
      const link = known ? undefined : await this.links.find(bridgeUserId);
      const rcUserId =
        known?.rcUserId ??
        (link?.state === 'linked' ? link.rcUserId : undefined);
      if (rcUserId !== undefined) {
        this.logger.log(
          `Logging Rocket.Chat user ${rcUserId} out everywhere (session ${sessionId}, ${reason})`,
        );
        await this.revocations.logoutEverywhere(rcUserId, sessionId, {
          bridgeUserId,
          reason,
        });
      }
      // users.logout clears resume tokens, not django-rocketchat-auth's iframe token.
      if (taken?.strategy === 'legacy-iframe-token') {
        await this.revocations.revokeToken(taken, reason);
      }
      return;
    }
    await this.revoke(
      taken,
      'the Rocket.Chat token',
      sessionId,
      bridgeUserId,
      reason,
    );
    await this.revoke(
      app,
      "the Rocket.Chat app's token",
      sessionId,
      bridgeUserId,
      reason,
    );
  }

  private async revoke(
    token: StoredSessionToken | null,
    what: string,
    sessionId: string,
    bridgeUserId: string,
    reason: string,
  ): Promise<void> {
    if (token) {
      this.logger.log(
        `Revoking ${what} of session ${sessionId} (bridge user ${bridgeUserId}, ${reason})`,
      );
      await this.revocations.revokeToken(token, reason);
    }
  }

  /** The token of a record whose session no longer exists (orphan sweep). */
  async orphaned(sessionId: string): Promise<boolean> {
    const taken = await this.store.take(sessionId);
    if (taken) {
      this.logger.warn(
        `Revoking the Rocket.Chat token of session ${sessionId}, which ended without the bridge noticing`,
      );
      await this.revocations.revokeToken(taken, 'orphaned');
    }
    return taken !== null;
  }
}
