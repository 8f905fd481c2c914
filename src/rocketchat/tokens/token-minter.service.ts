import { Injectable, Logger } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { UsersRepository } from '../../users/index.js';
import { SessionService, type Session } from '../../session/index.js';
import type { RequestClient } from '../events/request-client.js';
import { TokenMintedEvent } from '../events/token-minted.event.js';
import { RevocationService } from './revocation.service.js';
import {
  SessionTokensRepository,
  type StoredSessionToken,
} from './session-tokens.repository.js';
import { TokenIssuer, type IssuedToken } from './token-issuer.service.js';
import { appTokenRecordId } from './token-records.js';

/** What a browser gets: a token for the one answer field, or nothing (401). */
export type HandOut =
  | {
      readonly kind: 'token';
      readonly field: 'loginToken' | 'token';
      readonly token: string;
    }
  | { readonly kind: 'none' };

export const NONE: HandOut = { kind: 'none' };
/** How long a mint may hold its claim (provisioning plus minting, with Rocket.Chat timeouts). */
const CLAIM_MS = 30_000;

/**
 * Gets a session its Rocket.Chat token: claims the session's record (so concurrent requests
 * never mint two), has TokenIssuer provision the account and mint, and records the token sealed.
 * A token Rocket.Chat issued that cannot be recorded, or whose session ended meanwhile, is revoked
 * at once, so no token outlives the bridge's knowledge of it. A recorded token is announced
 * (TokenMintedEvent: the audit trail and the token metric listen).
 */
@Injectable()
export class TokenMinter {
  private readonly logger = new Logger(TokenMinter.name);

  constructor(
    private readonly store: SessionTokensRepository,
    private readonly issuer: TokenIssuer,
    private readonly revocations: RevocationService,
    private readonly sessions: SessionService,
    private readonly users: UsersRepository,
    private readonly events: EventEmitter2,
  ) {}

  /** A token for the session, NONE when it may have none, `busy` while another request mints. */
  async mint(
    session: Session,
    deliveredTo: StoredSessionToken['deliveredTo'],
    client: RequestClient | undefined,
  ): Promise<HandOut | 'busy'> {
    const user = await this.users.findById(session.userId);
    if (!user?.active) {
      await this.sessions.destroy(session.id, 'user-disabled');
      return NONE;
    }
    // The app's token has its own record (token-records.ts); the browser's is keyed by the session.
    const recordId =
      deliveredTo === 'app' ? appTokenRecordId(session.id) : session.id;
    const claimId = await this.store.claim(recordId, user.id, CLAIM_MS);
    if (claimId === undefined) {
      return 'busy';
    }
    let issued: IssuedToken;
    try {
      issued = await this.issuer.issue(user, recordId, deliveredTo);
    } catch (error) {
      await this.store.release(recordId, claimId).catch(() => undefined);
      throw error;
    }
    const stored = issued.record;
    const known = { ...stored, sessionId: recordId, bridgeUserId: user.id };
    let completed: boolean;
    try {
      completed = await this.store.complete(recordId, claimId, stored);
    } catch (error) {
      // Rocket.Chat issued it, but MongoDB failed before it was recorded: end it, never hand it out.
      await this.revocations.revokeToken(known, 'not-recorded');
      await this.store.release(recordId, claimId).catch(() => undefined);
      throw error;
    }
    if (!completed) {
      // The session ended while the token was being minted: it must not outlive it.
      await this.revocations.revokeToken(known, 'session-ended-while-minting');
      return NONE;
    }
    this.events.emit(
      TokenMintedEvent.eventName,
      new TokenMintedEvent(
        user.id,
        stored.rcUserId,
        session.id,
        stored.strategy,
        deliveredTo,
        client,
      ),
    );
    this.logger.log(
      `Issued a Rocket.Chat token (${stored.strategy}) to ${deliveredTo === 'app' ? 'the Rocket.Chat app of ' : ''}session ${session.id} of bridge user ${user.id}`,
    );
    return { kind: 'token', field: issued.field, token: issued.token };
  }
}
