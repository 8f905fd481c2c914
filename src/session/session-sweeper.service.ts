import {
  type BeforeApplicationShutdown,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { InjectConfig, type SessionConfig } from '../config/index.js';
import {
  MongoConnectionService,
  describeMongoError,
} from '../database/index.js';
import { Clock } from './clock.js';
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
  private readonly logger = new Logger(SessionSweeper.name);
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<number> | undefined;
  private stopped = false;

  constructor(
    @InjectConfig('session') private readonly config: SessionConfig,
    private readonly repository: SessionRepository,
    private readonly ender: SessionEnder,
    private readonly clock: Clock,
    private readonly mongo: MongoConnectionService,
  ) {}

  onApplicationBootstrap(): void {
    this.mongo.onConnected(async () => {
      await this.sweepLogged();
    });
    this.timer = setInterval(() => {
      void this.sweepLogged();
    }, this.config.sweepIntervalMs);
    this.timer.unref();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.running?.catch(() => undefined);
  }

  /** Ends every session expired by now; returns how many this sweep ended. Overlapping calls share a run. */
  sweep(): Promise<number> {
    this.running ??= this.run().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async run(): Promise<number> {
    const now = new Date(this.clock.now());
    let ended = 0;
    for (;;) {
      const batch = await this.repository.findExpired(now, BATCH);
      for (const record of batch) {
        if (this.stopped) {
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

  private async sweepLogged(): Promise<void> {
    if (this.stopped || this.mongo.state !== 'connected') {
      return;
    }
    try {
      const ended = await this.sweep();
      if (ended > 0) {
        this.logger.log(`Swept ${ended} expired session(s)`);
      }
    } catch (error) {
      this.logger.warn(
        `Session sweep failed (${describeMongoError(error instanceof Error && error.cause ? error.cause : error)}); retrying at the next interval`,
      );
    }
  }
}
