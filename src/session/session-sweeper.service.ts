import {
  type BeforeApplicationShutdown,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { InjectConfig, type SessionConfig } from '../config/index.js';
import { MongoConnectionService, PeriodicTask } from '../database/index.js';
import { Clock } from '../common/index.js';
import { SessionEnder } from './session-ender.service.js';
import { SessionRepository } from './session.repository.js';

/** Records per query; a long backlog is worked through in batches within one sweep. */
const BATCH = 200;

/**
 * Deletes expired sessions periodically and announces each (so Rocket.Chat tokens of sessions
 * that merely expired are revoked too). Servers without TTL indexes rely on it for cleanup.
 */
@Injectable()
export class SessionSweeper
  implements OnApplicationBootstrap, BeforeApplicationShutdown
{
  private readonly task: PeriodicTask;

  constructor(
    @InjectConfig('session') config: SessionConfig,
    private readonly repository: SessionRepository,
    private readonly ender: SessionEnder,
    private readonly clock: Clock,
    mongo: MongoConnectionService,
  ) {
    this.task = new PeriodicTask(mongo, new Logger(SessionSweeper.name), {
      name: 'Session sweep',
      intervalMs: config.sweepIntervalMs,
      runAtConnect: true,
      pass: () => this.pass(),
      report: (ended) => `Swept ${ended} expired session(s)`,
    });
  }

  onApplicationBootstrap(): void {
    this.task.start();
  }

  beforeApplicationShutdown(): Promise<void> {
    return this.task.stop();
  }

  /** Ends every session expired by now; returns how many this sweep ended. Overlapping calls share a run. */
  sweep(): Promise<number> {
    return this.task.run();
  }

  private async pass(): Promise<number> {
    const now = new Date(this.clock.now());
    let ended = 0;
    for (;;) {
      const batch = await this.repository.findExpired(now, BATCH);
      for (const record of batch) {
        if (this.task.stopped) {
          return ended;
        }
        if (await this.ender.end(record, 'expired')) {
          ended += 1;
        }
      }
      if (batch.length < BATCH) {
        return ended;
      }
    }
  }
}
