import {
  type BeforeApplicationShutdown,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { MongoConnectionService, PeriodicTask } from '../database/index.js';
import { AuditRepository } from './audit.repository.js';

const SWEEP_INTERVAL_MS = 3600_000;

/** Deletes audit events past their retention every hour (servers without TTL indexes rely on it). */
@Injectable()
export class AuditSweeper
  implements OnApplicationBootstrap, BeforeApplicationShutdown
{
  private readonly task: PeriodicTask;

  constructor(
    private readonly repository: AuditRepository,
    mongo: MongoConnectionService,
  ) {
    this.task = new PeriodicTask(mongo, new Logger(AuditSweeper.name), {
      name: 'Audit sweep',
      intervalMs: SWEEP_INTERVAL_MS,
      runAtConnect: true,
      pass: () => this.sweep(),
      report: (removed) =>
        `Removed ${removed} audit event(s) past their retention`,
    });
  }

  onApplicationBootstrap(): void {
    this.task.start();
  }

  beforeApplicationShutdown(): Promise<void> {
    return this.task.stop();
  }

  sweep(now: Date = new Date()): Promise<number> {
    return this.repository.sweep(now);
  }
}
