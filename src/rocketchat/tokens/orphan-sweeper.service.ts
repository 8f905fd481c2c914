import {
  type BeforeApplicationShutdown,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { InjectConfig, type RocketChatConfig } from '../../config/index.js';
import { MongoConnectionService, PeriodicTask } from '../../database/index.js';
import { Clock } from '../../common/index.js';
import { SessionService } from '../../session/index.js';
import { SessionEnd } from './session-end.service.js';
import { SessionTokensRepository } from './session-tokens.repository.js';
import { sessionIdOfRecord } from './token-records.js';

const PAGE = 200;
const SWEEPS_PER_INTERVAL = 12;
const MAX_GRACE_MS = 60_000;

/**
 * No token may outlive its session unnoticed: the logout event is in-process, so a crash or a
 * MongoDB outage at the wrong moment leaves a token record whose session is gone. Every
 * 12 × ROCKETCHAT_REVOCATION_INTERVAL this looks at every record older than a grace period (a
 * mint in progress) and revokes those whose session no longer exists; claims abandoned mid-mint
 * are dropped. Ages are judged by the application's Clock, as the records' times are.
 */
@Injectable()
export class OrphanSweeper
  implements OnApplicationBootstrap, BeforeApplicationShutdown
{
  private readonly logger = new Logger(OrphanSweeper.name);
  private readonly task: PeriodicTask;
  private readonly graceMs: number;

  constructor(
    @InjectConfig('rocketchat') config: RocketChatConfig,
    private readonly store: SessionTokensRepository,
    private readonly sessions: SessionService,
    private readonly sessionEnd: SessionEnd,
    mongo: MongoConnectionService,
    private readonly clock: Clock,
  ) {
    const intervalMs = config.tokens.revocationIntervalMs * SWEEPS_PER_INTERVAL;
    this.graceMs = Math.min(MAX_GRACE_MS, intervalMs);
    this.task = new PeriodicTask(mongo, this.logger, {
      name: 'Orphan sweep',
      intervalMs,
      pass: () => this.pass(),
    });
  }

  onApplicationBootstrap(): void {
    this.task.start();
  }

  beforeApplicationShutdown(): Promise<void> {
    return this.task.stop();
  }

  /** One pass; returns how many orphaned tokens were revoked. */
  sweep(): Promise<number> {
    return this.task.run();
  }

  private async pass(): Promise<number> {
    let revoked = 0;
    let after = '';
    try {
      const before = new Date(this.clock.now() - this.graceMs);
      const abandoned = await this.store.dropAbandonedClaims(before);
      if (abandoned > 0) {
        this.logger.log(`Dropped ${abandoned} abandoned token claim(s)`);
      }
      for (;;) {
        const ids = await this.store.sessionIdsAfter(after, before, PAGE);
        for (const id of ids) {
          if (
            !(await this.sessions.exists(sessionIdOfRecord(id))) &&
            (await this.sessionEnd.orphaned(id))
          ) {
            revoked += 1;
          }
        }
        if (ids.length < PAGE) {
          return revoked;
        }
        after = ids[ids.length - 1];
      }
    } catch (error) {
      this.logger.warn(`Orphan sweep interrupted: ${(error as Error).message}`);
      return revoked;
    }
  }
}
