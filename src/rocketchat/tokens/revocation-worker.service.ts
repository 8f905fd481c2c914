import { randomInt, randomUUID } from 'node:crypto';
import {
  type BeforeApplicationShutdown,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { InjectConfig, type RocketChatConfig } from '../../config/index.js';
import { MongoConnectionService, PeriodicTask } from '../../database/index.js';
import { Clock } from '../../common/index.js';
import { RocketChatRateLimitedError } from '../client/rocketchat.errors.js';
import { TokenRevokedEvent } from '../events/token-revoked.event.js';
import { RevocationQueueRepository } from './revocation-queue.repository.js';
import { RevocationRunner } from './revocation-runner.service.js';
import type { RevocationDocument } from './revocation.schema.js';
import { TokenDecryptionError } from './token-cipher.js';

/**
 * One attempt's lease: far longer than an attempt takes (one Rocket.Chat call, a few MongoDB
 * operations). A job abandoned by a process that died or lost MongoDB is due again after it;
 * should an attempt outlast it anyway, the job is merely tried twice (revoking is idempotent).
 */
export const REVOCATION_LEASE_MS = 20_000;
const MAX_BACKOFF_MS = 60 * 60_000;
const BATCH = 20;

/**
 * Works off the revocation queue: each job is tried by whichever replica claims it, and on
 * failure scheduled again with exponential backoff (or after Rocket.Chat's rate-limit reset),
 * until it succeeds or the login it ends has expired anyway. Due times follow the application's
 * Clock; the timer that looks for due jobs is real time.
 */
@Injectable()
export class RevocationWorker
  implements OnApplicationBootstrap, BeforeApplicationShutdown
{
  private readonly logger = new Logger(RevocationWorker.name);
  /** This process, as the holder of claimed attempts. */
  readonly owner = randomUUID();
  private readonly task: PeriodicTask;

  constructor(
    @InjectConfig('rocketchat') private readonly config: RocketChatConfig,
    private readonly queue: RevocationQueueRepository,
    private readonly runner: RevocationRunner,
    mongo: MongoConnectionService,
    private readonly clock: Clock,
    private readonly events: EventEmitter2,
  ) {
    this.task = new PeriodicTask(mongo, this.logger, {
      name: 'Revocation queue',
      intervalMs: config.tokens.revocationIntervalMs,
      pass: () => this.pass(),
    });
  }

  onApplicationBootstrap(): void {
    this.task.start();
  }

  beforeApplicationShutdown(): Promise<void> {
    return this.task.stop();
  }

  /** Works through due jobs once (the timer calls this; tests may too). */
  async drain(): Promise<void> {
    await this.task.run();
  }

  /** Up to BATCH due jobs; returns how many were tried. */
  private async pass(): Promise<number> {
    let tried = 0;
    try {
      while (tried < BATCH && !this.task.stopped) {
        const job = await this.queue.claimDue(this.owner, REVOCATION_LEASE_MS);
        if (!job) {
          break;
        }
        tried += 1;
        await this.process(job);
      }
    } catch (error) {
      this.logger.warn(
        `Revocation queue unavailable: ${(error as Error).message}`,
      );
    }
    return tried;
  }

  /** One attempt at a job this process claimed; failures are left for a retry. */
  async attempt(job: RevocationDocument): Promise<void> {
    try {
      await this.process(job);
    } catch (error) {
      this.logger.warn(
        `Revocation ${job._id} left for a retry: ${(error as Error).message}`,
      );
    }
  }

  private async process(job: RevocationDocument): Promise<void> {
    if (job.notAfter.getTime() <= this.clock.now()) {
      this.logger.error(
        `Gave up ending a login of Rocket.Chat user ${job.rcUserId} after ${job.attempts} attempts ` +
          `(it has expired in Rocket.Chat by now; last error: ${job.lastError ?? 'none'})`,
      );
      await this.queue.done(job._id);
      return;
    }
    try {
      const ended = await this.runner.run(job);
      await this.queue.done(job._id);
      if (ended) {
        this.events.emit(
          TokenRevokedEvent.eventName,
          new TokenRevokedEvent(
            job.bridgeUserId,
            job.rcUserId,
            job.kind === 'user-logout' ? 'user' : 'token',
            job.reason,
          ),
        );
      }
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
        new Date(this.clock.now() + delay),
        (error as Error).message.slice(0, 500),
      );
    }
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
