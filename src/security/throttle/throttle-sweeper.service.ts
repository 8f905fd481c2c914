import {
  type BeforeApplicationShutdown,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import {
  MongoConnectionService,
  describeMongoError,
} from '../../database/index.js';
import { Clock } from '../../session/clock.js';
import { ThrottleRepository } from './throttle.repository.js';

const SWEEP_INTERVAL_MS = 60_000;

/** Deletes throttle records past their use every minute (FerretDB has no TTL indexes). */
@Injectable()
export class ThrottleSweeper
  implements OnApplicationBootstrap, BeforeApplicationShutdown
{
  private readonly logger = new Logger(ThrottleSweeper.name);
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly repository: ThrottleRepository,
    private readonly mongo: MongoConnectionService,
    private readonly clock: Clock,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => {
      void this.sweepLogged();
    }, SWEEP_INTERVAL_MS);
    this.timer.unref();
  }

  beforeApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  sweep(): Promise<number> {
    return this.repository.sweep(new Date(this.clock.now()));
  }

  private async sweepLogged(): Promise<void> {
    if (this.mongo.state !== 'connected') {
      return;
    }
    try {
      await this.sweep();
    } catch (error) {
      this.logger.warn(
        `Throttle sweep failed (${describeMongoError(error instanceof Error && error.cause ? error.cause : error)})`,
      );
    }
  }
}
