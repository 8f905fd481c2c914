import {
  type BeforeApplicationShutdown,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import {
  MongoConnectionService,
  describeMongoError,
} from '../database/index.js';
import { AuditRepository } from './audit.repository.js';

const SWEEP_INTERVAL_MS = 3600_000;

/** Deletes audit events past their retention every hour (servers without TTL indexes rely on it). */
@Injectable()
export class AuditSweeper
  implements OnApplicationBootstrap, BeforeApplicationShutdown
{
  private readonly logger = new Logger(AuditSweeper.name);
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly repository: AuditRepository,
    private readonly mongo: MongoConnectionService,
  ) {}

  onApplicationBootstrap(): void {
    this.mongo.onConnected(() => this.sweepLogged());
    this.timer = setInterval(() => {
      void this.sweepLogged();
    }, SWEEP_INTERVAL_MS);
    this.timer.unref();
  }

  beforeApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  sweep(now: Date = new Date()): Promise<number> {
    return this.repository.sweep(now);
  }

  private async sweepLogged(): Promise<void> {
    if (this.mongo.state !== 'connected') {
      return;
    }
    try {
      const removed = await this.sweep();
      if (removed > 0) {
        this.logger.log(
          `Removed ${removed} audit event(s) past their retention`,
        );
      }
    } catch (error) {
      this.logger.warn(`Audit sweep failed (${describeMongoError(error)})`);
    }
  }
}
