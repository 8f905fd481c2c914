import { Injectable, Logger } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import type { RequestClient } from '../events/request-client.js';
import { TokenReusedEvent } from '../events/token-reused.event.js';
import { sessionTokenContext } from './revocation.service.js';
import {
  SessionTokensRepository,
  type StoredSessionToken,
} from './session-tokens.repository.js';
import { TokenCipher, TokenDecryptionError } from './token-cipher.js';
import type { HandOut } from './token-minter.service.js';
import { TokenStrategies } from './token-strategies.service.js';

/**
 * Hands a session's stored token out again: decrypted from the bridge's own store, with no call
 * to Rocket.Chat (this runs on every page load of current Rocket.Chat clients). Announced as
 * TokenReusedEvent (the audit trail and the token metric listen).
 */
@Injectable()
export class TokenRedelivery {
  private readonly logger = new Logger(TokenRedelivery.name);

  constructor(
    private readonly store: SessionTokensRepository,
    private readonly strategies: TokenStrategies,
    private readonly cipher: TokenCipher,
    private readonly events: EventEmitter2,
  ) {}

  /** The stored token again; undefined when it cannot be decrypted (then it is forgotten). */
  async redeliver(
    token: StoredSessionToken,
    client: RequestClient | undefined,
  ): Promise<HandOut | undefined> {
    let clear: string;
    try {
      clear = this.cipher.decrypt(
        token.sealedToken,
        sessionTokenContext(token.sessionId),
      );
    } catch (error) {
      if (!(error instanceof TokenDecryptionError)) {
        throw error;
      }
      this.logger.error(
        `The Rocket.Chat token of session ${token.sessionId} cannot be decrypted (TOKEN_ENCRYPTION_KEY ` +
          'changed without TOKEN_ENCRYPTION_KEY_PREVIOUS); issuing a new one',
      );
      await this.store.take(token.sessionId, token.hashedToken);
      return undefined;
    }
    this.events.emit(
      TokenReusedEvent.eventName,
      new TokenReusedEvent(
        token.bridgeUserId,
        token.rcUserId,
        token.strategy,
        client,
      ),
    );
    return {
      kind: 'token',
      field: this.strategies.get(token.strategy).responseField,
      token: clear,
    };
  }
}
