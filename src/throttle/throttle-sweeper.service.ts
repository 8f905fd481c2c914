import {
  type BeforeApplicationShutdown,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import {
  IndexManager,
  MongoConnectionService,
  PeriodicTask,
} from '../database/index.js';
import { ThrottleStore } from './throttle.store.js';

const SWEEP_INTERVAL_MS = 60_000;

/**
 * The fallback for servers that refuse TTL indexes (IndexManager says so once at start-up):
 * deletes spent throttle records every minute. Where the TTL index exists, it does nothing.
 */
@Injectable()
export class ThrottleSweeper
  implements OnApplicationBootstrap, BeforeApplicationShutdown
{
  private readonly task: PeriodicTask;

  constructor(
    private readonly store: ThrottleStore,
    private readonly indexes: IndexManager,
    mongo: MongoConnectionService,
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

  async sweep(): Promise<number> {
    return this.indexes.ttlSupported === false ? this.store.sweep() : 0;
  }
}
