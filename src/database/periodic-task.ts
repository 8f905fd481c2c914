import type { Logger } from '@nestjs/common';
import {
  type MongoConnectionService,
  describeMongoError,
} from './mongo-connection.service.js';

export interface PeriodicTaskOptions {
  /** What it does, for log lines ("Session sweep"). */
  readonly name: string;
  readonly intervalMs: number;
  /** Also run as soon as MongoDB is first reached (catching up on a downtime). */
  readonly runAtConnect?: boolean;
  /** One pass; returns how many things it handled. Throwing is fine: the pass is retried next time. */
  readonly pass: () => Promise<number>;
  /** The log line for a pass that handled something; nothing is logged without it. */
  readonly report?: (handled: number) => string;
}

/**
 * The timer behind every background job that works on MongoDB (sweeps, the revocation queue):
 * started at the first connection, a pass skipped while MongoDB is away, overlapping calls sharing
 * one pass, failures logged and retried at the next interval, and shutdown waiting for the pass in
 * flight. Not an injectable: each owner holds its own, with its own logger.
 */
export class PeriodicTask {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<number> | undefined;
  private stopRequested = false;

  constructor(
    private readonly mongo: MongoConnectionService,
    private readonly logger: Logger,
    private readonly options: PeriodicTaskOptions,
  ) {}

  /** True once shutdown began: long passes check it between items. */
  get stopped(): boolean {
    return this.stopRequested;
  }

  start(): void {
    this.mongo.onConnected(async () => {
      if (this.stopRequested || this.timer) {
        return;
      }
      this.timer = setInterval(() => void this.tick(), this.options.intervalMs);
      this.timer.unref();
      if (this.options.runAtConnect) {
        await this.tick();
      }
    });
  }

  /** One pass now (tests and callers that need it done); a pass already running is shared. */
  run(): Promise<number> {
    this.running ??= this.options.pass().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  async stop(): Promise<void> {
    this.stopRequested = true;
    clearInterval(this.timer);
    await this.running?.catch(() => undefined);
  }

  private async tick(): Promise<void> {
    if (this.stopRequested || this.mongo.state !== 'connected') {
      return;
    }
    try {
      const handled = await this.run();
      if (handled > 0 && this.options.report) {
        this.logger.log(this.options.report(handled));
      }
    } catch (error) {
      const cause = error instanceof Error && error.cause ? error.cause : error;
      this.logger.warn(
        `${this.options.name} failed (${describeMongoError(cause)}); retrying at the next interval`,
      );
    }
  }
}
