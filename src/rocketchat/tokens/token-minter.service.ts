import { Injectable, Logger } from '@nestjs/common';
import { AuditService, type AuditRequest } from '../../audit/index.js';
import { UsersRepository } from '../../users/index.js';
import { MetricsService } from '../../observability/index.js';
import { Clock } from '../../common/index.js';
import { SessionService, type Session } from '../../session/index.js';
import { RocketChatUnavailableError } from '../client/rocketchat.errors.js';
import { ProvisioningService } from '../provisioning/provisioning.service.js';
import {
  RevocationService,
  sessionTokenContext,
} from './revocation.service.js';
import {
  SessionTokensRepository,
  type StoredSessionToken,
} from './session-tokens.repository.js';
import { TokenCipher } from './token-cipher.js';
import { TokenStrategies } from './token-strategies.service.js';
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
 * never mint two), provisions the account, mints with the configured strategy and records the
 * token sealed. A token Rocket.Chat issued that cannot be recorded, or whose session ended
 * meanwhile, is revoked at once; an unanswered `users.createToken` is followed up (see
 * UnknownMints), so no token outlives the bridge's knowledge of it.
 */
@Injectable()
export class TokenMinter {
  private readonly logger = new Logger(TokenMinter.name);

  constructor(
    private readonly store: SessionTokensRepository,
    private readonly strategies: TokenStrategies,
    private readonly cipher: TokenCipher,
    private readonly provisioning: ProvisioningService,
    private readonly revocations: RevocationService,
    private readonly sessions: SessionService,
    private readonly users: UsersRepository,
    private readonly metrics: MetricsService,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  /** A token for the session, NONE when it may have none, `busy` while another request mints. */
  async mint(
    session: Session,
    deliveredTo: StoredSessionToken['deliveredTo'],
    request: AuditRequest | undefined,
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
    let stored: Omit<StoredSessionToken, 'sessionId' | 'bridgeUserId'>;
    let token: string;
    const strategy = this.strategies.current;
    let minting: { rcUserId: string; startedAt: number } | undefined;
    try {
      const account = await this.provisioning.ensure(user);
      minting = { rcUserId: account.rcUserId, startedAt: Date.now() };
      const minted = await strategy.mint(account.rcUserId);
      token = minted.token;
      const now = new Date(this.clock.now());
      stored = {
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
      };
    } catch (error) {
      if (minting && isUnansweredCreateToken(error)) {
        await this.revocations.unknownMint(
          minting.rcUserId,
          user.id,
          minting.startedAt,
        );
      }
      await this.store.release(recordId, claimId).catch(() => undefined);
      throw error;
    }
    const issued = { ...stored, sessionId: recordId, bridgeUserId: user.id };
    let completed: boolean;
    try {
      completed = await this.store.complete(recordId, claimId, stored);
    } catch (error) {
      // Rocket.Chat issued it, but MongoDB failed before it was recorded: end it, never hand it out.
      await this.revocations.revokeToken(issued, 'not-recorded');
      await this.store.release(recordId, claimId).catch(() => undefined);
      throw error;
    }
    if (!completed) {
      // The session ended while the token was being minted: it must not outlive it.
      await this.revocations.revokeToken(issued, 'session-ended-while-minting');
      return NONE;
    }
    this.metrics.tokenEvent('minted');
    void this.audit.record(
      {
        kind: 'token.minted',
        userId: user.id,
        rocketChatUserId: stored.rcUserId,
        detail: strategy.name,
      },
      request,
    );
    this.logger.log(
      `Issued a Rocket.Chat token (${strategy.name}) to ${deliveredTo === 'app' ? 'the Rocket.Chat app of ' : ''}session ${session.id} of bridge user ${user.id}`,
    );
    return { kind: 'token', field: strategy.responseField, token };
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
