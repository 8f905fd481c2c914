import { Injectable } from '@nestjs/common';
import { Clock } from '../../common/index.js';
import type { BridgeUser } from '../../users/index.js';
import { RocketChatUnavailableError } from '../client/rocketchat.errors.js';
import { ProvisioningService } from '../provisioning/provisioning.service.js';
import type { MintedToken } from './login-token.js';
import {
  RevocationService,
  sessionTokenContext,
} from './revocation.service.js';
import type { StoredSessionToken } from './session-tokens.repository.js';
import { TokenCipher } from './token-cipher.js';
import { TokenStrategies } from './token-strategies.service.js';

/** A token Rocket.Chat issued, with the record that keeps it sealed. */
export interface IssuedToken {
  readonly token: string;
  readonly field: 'loginToken' | 'token';
  readonly record: Omit<StoredSessionToken, 'sessionId' | 'bridgeUserId'>;
}

/**
 * Rocket.Chat's side of a mint (TokenMinter holds the claim and records the result): the user's
 * account provisioned, a token from the configured strategy, sealed for its record. When
 * `users.createToken` got no usable answer, Rocket.Chat may have issued a token nobody received:
 * it is followed up (RevocationService.unknownMint) before the failure goes on.
 */
@Injectable()
export class TokenIssuer {
  constructor(
    private readonly provisioning: ProvisioningService,
    private readonly strategies: TokenStrategies,
    private readonly cipher: TokenCipher,
    private readonly revocations: RevocationService,
    private readonly clock: Clock,
  ) {}

  async issue(
    user: BridgeUser,
    recordId: string,
    deliveredTo: StoredSessionToken['deliveredTo'],
  ): Promise<IssuedToken> {
    const strategy = this.strategies.current;
    const account = await this.provisioning.ensure(user);
    // Real time: Rocket.Chat stamps the token with its own clock.
    const startedAt = Date.now();
    let minted: MintedToken;
    try {
      minted = await strategy.mint(account.rcUserId);
    } catch (error) {
      if (isUnansweredCreateToken(error)) {
        await this.revocations.unknownMint(
          account.rcUserId,
          user.id,
          startedAt,
        );
      }
      throw error;
    }
    const now = new Date(this.clock.now());
    return {
      token: minted.token,
      field: strategy.responseField,
      record: {
        rcUserId: account.rcUserId,
        strategy: strategy.name,
        sealedToken: this.cipher.encrypt(
          minted.token,
          sessionTokenContext(recordId),
        ),
        hashedToken: minted.hashedToken,
        issuedAt: now,
        deliveredAt: now,
        deliveredTo,
      },
    };
  }
}

/** A `users.createToken` call that may have been carried out although no usable answer came. */
function isUnansweredCreateToken(error: unknown): boolean {
  return (
    error instanceof RocketChatUnavailableError &&
    error.endpoint === 'users.createToken' &&
    error.reason !== 'circuit-open' &&
    error.reason !== 'not-found' &&
    error.reason !== 'budget-spent'
  );
}
