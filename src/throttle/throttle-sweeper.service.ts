import {
  type BeforeApplicationShutdown,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { MongoConnectionService, PeriodicTask } from '../database/index.js';
import { Clock } from '../common/index.js';
import { ThrottleRepository } from './throttle.repository.js';

const SWEEP_INTERVAL_MS = 60_000;

/** Deletes throttle records past their use every minute (FerretDB has no TTL indexes). */
@Injectable()
export class ThrottleSweeper
  implements OnApplicationBootstrap, BeforeApplicationShutdown
{
  private readonly task: PeriodicTask;

  constructor(
    private readonly repository: ThrottleRepository,
    mongo: MongoConnectionService,
    private readonly clock: Clock,
  ) {
    this.task = new PeriodicTask(mongo, new Logger(ThrottleSweeper.name), {
      name: 'Throttle sweep',
      intervalMs: SWEEP_INTERVAL_MS,
      pass: () => this.sweep(),
    });
  }

  onApplicationBootstrap(): void {
    this.task.start();
  }

  beforeApplicationShutdown(): Promise<void> {
    return this.task.stop();
  }

  sweep(): Promise<number> {
    return this.repository.sweep(new Date(this.clock.now()));
  }
}
