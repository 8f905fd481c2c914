import { Injectable } from '@nestjs/common';
import type { TokenStrategyName } from '../../config/index.js';
import type { RevocationDocument } from './revocation.schema.js';
import { TokenCipher } from './token-cipher.js';
import { TokenStrategies } from './token-strategies.service.js';
import { UnknownMints } from './unknown-mints.service.js';
import { UserLogoutService } from './user-logout.service.js';

/**
 * The Rocket.Chat side of ending a login: a sealed token revoked with the strategy that minted
 * it, every login of a user (`users.logout`), or the tokens an unanswered `users.createToken` may
 * have left (UnknownMints). RevocationWorker and RevocationService decide when; this does it.
 */
@Injectable()
export class RevocationRunner {
  constructor(
    private readonly strategies: TokenStrategies,
    private readonly cipher: TokenCipher,
    private readonly guard: UserLogoutService,
    private readonly unknownMints: UnknownMints,
  ) {}

  /** Whether a login was ended (an unknown mint may turn out to have issued nothing). */
  async run(job: RevocationDocument): Promise<boolean> {
    if (job.kind === 'user-logout') {
      await this.guard.logoutUser(job.rcUserId);
      return true;
    }
    if (job.kind === 'unknown-mint') {
      return (await this.unknownMints.clean(job)) > 0;
    }
    if (!job.strategy || !job.sealedToken || !job.sealContext) {
      throw new Error('incomplete token job');
    }
    await this.revokeSealed(
      job.strategy,
      job.rcUserId,
      job.sealedToken,
      job.sealContext,
    );
    return true;
  }

  /** Decrypts a token and revokes it; throws TokenDecryptionError when it cannot be decrypted. */
  async revokeSealed(
    strategy: TokenStrategyName,
    rcUserId: string,
    sealedToken: string,
    sealContext: string,
  ): Promise<void> {
    const token = this.cipher.decrypt(sealedToken, sealContext);
    await this.strategies.get(strategy).revoke(rcUserId, token);
  }
}
