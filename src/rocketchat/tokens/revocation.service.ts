import { randomInt, randomUUID } from 'node:crypto';
import {
  type BeforeApplicationShutdown,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { AuditService } from '../../audit/index.js';
import { InjectConfig, type RocketChatConfig } from '../../config/index.js';
import {
  describeMongoError,
  MongoConnectionService,
} from '../../database/index.js';
import { MetricsService } from '../../observability/index.js';
import { RocketChatRateLimitedError } from '../client/rocketchat.errors.js';
import { UserLogoutGuard } from './user-logout.guard.js';
import { LeaseLocksRepository } from '../leases/lease-locks.repository.js';
import { RevocationQueueRepository } from './revocation-queue.repository.js';
import type { RevocationDocument } from './revocation.schema.js';
import type { StoredSessionToken } from './session-tokens.repository.js';
import { TokenCipher, TokenDecryptionError } from './token-cipher.js';
import { TokenStrategies } from './token-strategies.service.js';

/**
 * One attempt's turn: far longer than an attempt takes (one Rocket.Chat call, a few MongoDB
 * operations). A turn abandoned by a process that died or lost MongoDB is free again after it;
 * should an attempt outlast it anyway, the job is merely tried twice (revoking is idempotent).
 */
const LEASE_MS = 20_000;
const MAX_BACKOFF_MS = 60 * 60_000;
const BATCH = 20;
const LOCK_SWEEP_MS = 60_000;

/** The sealing context of a session's token (also used by the lifecycle service). */
export function sessionTokenContext(sessionId: string): string {
  return `session-token:${sessionId}`;
}

/**
 * Ends Rocket.Chat logins in the background. A job is written to MongoDB first and tried at once;
 * if that fails it is retried with exponential backoff (or after Rocket.Chat's rate-limit reset)
 * by whichever replica leases it, until it succeeds or the login has expired anyway. Nobody's
 * logout ever waits for Rocket.Chat.
 */
@Injectable()
export class RevocationService
  implements OnApplicationBootstrap, BeforeApplicationShutdown
{
  private readonly logger = new Logger(RevocationService.name);
  private readonly owner = randomUUID();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;
  private lastLockSweep = 0;

  constructor(
    @InjectConfig('rocketchat') private readonly config: RocketChatConfig,
    private readonly queue: RevocationQueueRepository,
    private readonly locks: LeaseLocksRepository,
    private readonly strategies: TokenStrategies,
    private readonly cipher: TokenCipher,
    private readonly guard: UserLogoutGuard,
    private readonly metrics: MetricsService,
    private readonly mongo: MongoConnectionService,
    private readonly audit: AuditService,
  ) {}

  onApplicationBootstrap(): void {
    this.mongo.onConnected(() => {
      if (!this.stopped) {
        this.timer = setInterval(
          () => void this.drain(),
          this.config.tokens.revocationIntervalMs,
        );
        this.timer.unref();
      }
      return Promise.resolve();
    });
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.running;
  }

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
        this.owner,
        LEASE_MS,
      );
    } catch (error) {
      this.logger.warn(
        `Cannot queue the revocation of a login of Rocket.Chat user ${token.rcUserId} ` +
          `(${describeMongoError(error)}); ending it now`,
      );
      await this.revokeNow(token, reason);
      return;
    }
    if (job) {
      void this.attempt(job);
    }
  }

  /** One attempt without the queue; a failure is logged, for nothing else remembers the token. */
  private async revokeNow(
    token: StoredSessionToken,
    reason: string,
  ): Promise<void> {
    try {
      const clear = this.cipher.decrypt(
        token.sealedToken,
        sessionTokenContext(token.sessionId),
      );
      await this.strategies.get(token.strategy).revoke(token.rcUserId, clear);
      this.metrics.tokenEvent('revoked');
      void this.audit.record({
        kind: 'token.revoked',
        userId: token.bridgeUserId,
        rocketChatUserId: token.rcUserId,
        detail: reason,
      });
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
        notAfter: new Date(Date.now() + this.config.tokens.tokenLifetimeMs),
      },
      this.owner,
      LEASE_MS,
    );
    if (job) {
      void this.attempt(job);
    }
  }

  /** Works through due jobs once (the timer calls this; tests may too). */
  async drain(): Promise<void> {
    if (this.running) {
      return this.running;
    }
    this.running = (async () => {
      try {
        if (Date.now() - this.lastLockSweep > LOCK_SWEEP_MS) {
          this.lastLockSweep = Date.now();
          await this.locks.sweep();
        }
        for (let i = 0; i < BATCH && !this.stopped; i += 1) {
          const job = await this.queue.claimDue(this.owner, LEASE_MS);
          if (!job) {
            return;
          }
          await this.process(job);
        }
      } catch (error) {
        this.logger.warn(
          `Revocation queue unavailable: ${(error as Error).message}`,
        );
      }
    })().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async attempt(job: RevocationDocument): Promise<void> {
    try {
      await this.process(job);
    } catch (error) {
      this.logger.warn(
        `Revocation ${job._id} left for a retry: ${(error as Error).message}`,
      );
    }
  }

  private async process(job: RevocationDocument): Promise<void> {
    if (job.notAfter.getTime() <= Date.now()) {
      this.logger.error(
        `Gave up ending a login of Rocket.Chat user ${job.rcUserId} after ${job.attempts} attempts ` +
          `(it has expired in Rocket.Chat by now; last error: ${job.lastError ?? 'none'})`,
      );
      await this.queue.done(job._id);
      return;
    }
    try {
      await this.run(job);
      await this.queue.done(job._id);
      this.metrics.tokenEvent('revoked');
      void this.audit.record({
        kind: 'token.revoked',
        userId: job.bridgeUserId ?? 'unknown',
        rocketChatUserId: job.rcUserId,
        detail:
          job.kind === 'user-logout'
            ? `${job.reason ?? 'logout'}: every login of the user`
            : (job.reason ?? 'session-ended'),
      });
    } catch (error) {
      if (error instanceof TokenDecryptionError) {
        this.logger.error(
          `A queued token of Rocket.Chat user ${job.rcUserId} cannot be decrypted (TOKEN_ENCRYPTION_KEY changed ` +
            'without TOKEN_ENCRYPTION_KEY_PREVIOUS); it stays valid in Rocket.Chat until it expires',
        );
        await this.queue.done(job._id);
        return;
      }
      const delay = this.delay(job.attempts, error);
      this.logger.warn(
        `Ending a login of Rocket.Chat user ${job.rcUserId} failed (${(error as Error).message}); ` +
          `retrying in ${Math.ceil(delay / 1000)} s`,
      );
      await this.queue.retryLater(
        job,
        new Date(Date.now() + delay),
        (error as Error).message.slice(0, 500),
      );
    }
  }

  private async run(job: RevocationDocument): Promise<void> {
    if (job.kind === 'user-logout') {
      await this.guard.logoutUser(job.rcUserId);
      return;
    }
    if (!job.strategy || !job.sealedToken || !job.sealContext) {
      throw new Error('incomplete token job');
    }
    const token = this.cipher.decrypt(job.sealedToken, job.sealContext);
    await this.strategies.get(job.strategy).revoke(job.rcUserId, token);
  }

  private delay(attempts: number, error: unknown): number {
    if (error instanceof RocketChatRateLimitedError) {
      return error.retryAfterMs + randomInt(0, 1000);
    }
    const base = this.config.tokens.revocationIntervalMs;
    const exponential = Math.min(base * 2 ** attempts, MAX_BACKOFF_MS);
    return exponential + randomInt(0, Math.ceil(exponential / 4) + 1);
  }
}
