import { Injectable, Logger } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { InjectConfig, type RocketChatConfig } from '../../config/index.js';
import { describeMongoError } from '../../database/index.js';
import { Clock } from '../../common/index.js';
import { outsideCallBudget } from '../client/call-budget.js';
import { TokenRevokedEvent } from '../events/token-revoked.event.js';
import { RevocationQueueRepository } from './revocation-queue.repository.js';
import { RevocationRunner } from './revocation-runner.service.js';
import {
  REVOCATION_LEASE_MS,
  RevocationWorker,
} from './revocation-worker.service.js';
import type { RevocationDocument } from './revocation.schema.js';
import type { StoredSessionToken } from './session-tokens.repository.js';

/** How long after an unanswered users.createToken Rocket.Chat may still issue its token. */
const UNKNOWN_MINT_WINDOW_MS = 90_000;
/** Clock skew between the bridge and Rocket.Chat allowed for in that window. */
const UNKNOWN_MINT_SKEW_MS = 30_000;

/** The sealing context of a session's token (also used by the lifecycle service). */
export function sessionTokenContext(sessionId: string): string {
  return `session-token:${sessionId}`;
}

/**
 * Ends Rocket.Chat logins without making anyone wait: each job is written to MongoDB first and
 * tried at once; RevocationWorker retries what fails, until it succeeds or the login has expired
 * anyway. Nobody's logout ever waits for Rocket.Chat, and no token the bridge let go of is lost.
 */
@Injectable()
export class RevocationService {
  private readonly logger = new Logger(RevocationService.name);
  private lastUnknownMintWarning = 0;

  constructor(
    @InjectConfig('rocketchat') private readonly config: RocketChatConfig,
    private readonly queue: RevocationQueueRepository,
    private readonly worker: RevocationWorker,
    private readonly runner: RevocationRunner,
    private readonly clock: Clock,
    private readonly events: EventEmitter2,
  ) {}

  /**
   * Queues the revocation of one issued token and tries it now, without waiting for it. `reason`
   * (a session end reason, `replaced`, `dropped`...) goes to the audit trail. Callers have already
   * let go of the token's record, so it must not be lost when the queue cannot be written (MongoDB
   * failed): it is then ended at once instead. Never throws.
   */
  async revokeToken(
    token: StoredSessionToken,
    reason = 'session-ended',
  ): Promise<void> {
    const id = `token:${token.sessionId}:${token.hashedToken}`;
    let job: RevocationDocument | undefined;
    try {
      job = await this.queue.add(
        {
          _id: id,
          kind: 'token',
          rcUserId: token.rcUserId,
          bridgeUserId: token.bridgeUserId,
          reason,
          strategy: token.strategy,
          sealedToken: token.sealedToken,
          sealContext: sessionTokenContext(token.sessionId),
          notAfter: new Date(
            token.issuedAt.getTime() + this.config.tokens.tokenLifetimeMs,
          ),
        },
        this.worker.owner,
        REVOCATION_LEASE_MS,
      );
    } catch (error) {
      this.logger.warn(
        `Cannot queue the revocation of a login of Rocket.Chat user ${token.rcUserId} ` +
          `(${describeMongoError(error)}); ending it now`,
      );
      // Its own timeout, not what is left of the request's time: nothing else remembers it.
      await outsideCallBudget(() => this.revokeNow(token, reason));
      return;
    }
    if (job) {
      const queued = job;
      // In the background, not on the time of the request that ended the login.
      outsideCallBudget(() => void this.worker.attempt(queued));
    }
  }

  /** One attempt without the queue; a failure is logged, for nothing else remembers the token. */
  private async revokeNow(
    token: StoredSessionToken,
    reason: string,
  ): Promise<void> {
    try {
      await this.runner.revokeSealed(
        token.strategy,
        token.rcUserId,
        token.sealedToken,
        sessionTokenContext(token.sessionId),
      );
      this.events.emit(
        TokenRevokedEvent.eventName,
        new TokenRevokedEvent(
          token.bridgeUserId,
          token.rcUserId,
          'token',
          reason,
        ),
      );
    } catch (error) {
      this.logger.error(
        `A login token of Rocket.Chat user ${token.rcUserId} could be neither queued for revocation ` +
          `nor revoked (${error instanceof Error ? error.message : 'unknown error'}); it stays valid ` +
          "until Rocket.Chat's Accounts_LoginExpiration",
      );
    }
  }

  /**
   * Queues `users.logout` for a Rocket.Chat user (every login of theirs) and tries it now, once per
   * `reasonKey` (the session that ended).
   */
  async logoutEverywhere(
    rcUserId: string,
    reasonKey: string,
    audit: { bridgeUserId: string; reason: string },
  ): Promise<void> {
    const id = `user-logout:${rcUserId}:${reasonKey}`;
    const job = await this.queue.add(
      {
        _id: id,
        kind: 'user-logout',
        rcUserId,
        bridgeUserId: audit.bridgeUserId,
        reason: audit.reason,
        notAfter: new Date(
          this.clock.now() + this.config.tokens.tokenLifetimeMs,
        ),
      },
      this.worker.owner,
      REVOCATION_LEASE_MS,
    );
    if (job) {
      const queued = job;
      // In the background, not on the time of the request that ended the login.
      outsideCallBudget(() => void this.worker.attempt(queued));
    }
  }

  /**
   * `users.createToken` for this user got no usable answer, so Rocket.Chat may have issued a token
   * nobody received (see UnknownMints). With MONGO_DB it is removed once Rocket.Chat has surely
   * finished with the call; without, it cannot be found, and the log says so. `startedAt` is the
   * real time the call began (Rocket.Chat stamps tokens with its own clock).
   */
  async unknownMint(
    rcUserId: string,
    bridgeUserId: string,
    startedAt: number,
  ): Promise<void> {
    if (this.config.mongoUri === undefined) {
      if (Date.now() - this.lastUnknownMintWarning > 60_000) {
        this.lastUnknownMintWarning = Date.now();
        this.logger.warn(
          `users.createToken for Rocket.Chat user ${rcUserId} got no answer: Rocket.Chat may have issued a token ` +
            "nobody received. It cannot be found over REST and stays valid until Rocket.Chat's " +
            'Accounts_LoginExpiration; with MONGO_DB set, the bridge removes such tokens',
        );
      }
      return;
    }
    try {
      await this.queue.add(
        {
          _id: `unknown-mint:${rcUserId}:${startedAt}`,
          kind: 'unknown-mint',
          rcUserId,
          bridgeUserId,
          reason: 'unanswered users.createToken',
          windowStart: new Date(startedAt - UNKNOWN_MINT_SKEW_MS),
          windowEnd: new Date(
            startedAt + UNKNOWN_MINT_WINDOW_MS + UNKNOWN_MINT_SKEW_MS,
          ),
          notAfter: new Date(
            this.clock.now() + this.config.tokens.tokenLifetimeMs,
          ),
        },
        this.worker.owner,
        REVOCATION_LEASE_MS,
        new Date(
          this.clock.now() + UNKNOWN_MINT_WINDOW_MS + 2 * UNKNOWN_MINT_SKEW_MS,
        ),
      );
    } catch (error) {
      this.logger.error(
        `Cannot queue the search for a token Rocket.Chat may have issued to user ${rcUserId} ` +
          `(${describeMongoError(error)}); it stays valid until Accounts_LoginExpiration`,
      );
    }
  }
}
