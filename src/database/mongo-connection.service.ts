import {
  type BeforeApplicationShutdown,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { InjectConnection } from '@nestjs/mongoose';
// STATES, not ConnectionStates: Node's ESM loader only sees the former on CommonJS mongoose.
import { STATES, type Connection } from 'mongoose';
import { InjectConfig, type MongoConfig } from '../config/index.js';
import { mongooseOptions } from './mongoose-options.js';

export type MongoState = 'connected' | 'connecting' | 'disconnected';

type ConnectedListener = () => Promise<void>;

/**
 * Owns the bridge's MongoDB connection state. The app starts listening even when MongoDB is down
 * (requests then fail closed with 503 and readiness reports it); this service keeps retrying the
 * first connection with exponential backoff. After that, the driver reconnects by itself.
 */
@Injectable()
export class MongoConnectionService
  implements OnApplicationBootstrap, BeforeApplicationShutdown
{
  private readonly logger = new Logger(MongoConnectionService.name);
  private readonly listeners: ConnectedListener[] = [];
  private retryTimer: NodeJS.Timeout | undefined;
  private stopped = false;
  private everConnected = false;
  private attempt = 0;

  constructor(
    @InjectConnection() private readonly connection: Connection,
    @InjectConfig('mongo') private readonly config: MongoConfig,
  ) {}

  get state(): MongoState {
    const state = this.connection.readyState;
    if (state === STATES.connected) {
      return 'connected';
    }
    return state === STATES.connecting ? 'connecting' : 'disconnected';
  }

  /** Runs `listener` once the connection is open (now, if it already is). */
  onConnected(listener: ConnectedListener): void {
    this.listeners.push(listener);
    if (this.everConnected) {
      void this.runListener(listener);
    }
  }

  /** A round trip to the server, bounded by the server-selection timeout. */
  async ping(): Promise<boolean> {
    if (this.state !== 'connected' || !this.connection.db) {
      return false;
    }
    try {
      await this.connection.db.admin().command({ ping: 1 });
      return true;
    } catch {
      return false;
    }
  }

  /** Resolves once connected; for the CLI and tests, which need the database before going on. */
  async waitUntilConnected(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.state !== 'connected' || !this.everConnected) {
      if (Date.now() > deadline) {
        throw new Error(`MongoDB not reachable within ${timeoutMs} ms`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  onApplicationBootstrap(): void {
    this.connection.on('disconnected', () => {
      if (!this.stopped && this.everConnected) {
        this.logger.warn(
          'MongoDB connection lost; requests fail with 503 until the driver reconnects',
        );
      }
    });
    this.connection.on('reconnected', () =>
      this.logger.log('MongoDB connection restored'),
    );
    void this.firstConnection();
  }

  /** Before Mongoose closes the connection (in its own shutdown hook), so that is not an outage. */
  beforeApplicationShutdown(): void {
    this.stopped = true;
    clearTimeout(this.retryTimer);
  }

  private async firstConnection(): Promise<void> {
    while (!this.stopped) {
      this.attempt += 1;
      try {
        await this.connectOnce();
        if (this.stopped) {
          return;
        }
        this.everConnected = true;
        this.logger.log(
          `Connected to MongoDB (database "${this.connection.db?.databaseName ?? '?'}", attempt ${this.attempt})`,
        );
        await Promise.all(
          this.listeners.map((listener) => this.runListener(listener)),
        );
        return;
      } catch (error) {
        if (this.stopped) {
          return;
        }
        const delay = Math.min(
          this.config.connectRetryMaxDelayMs,
          1000 * 2 ** Math.min(this.attempt - 1, 10),
        );
        this.logger.warn(
          `MongoDB not reachable (${describeMongoError(error)}); attempt ${this.attempt}, ` +
            `retrying in ${Math.round(delay / 1000)} s`,
        );
        await new Promise<void>((resolve) => {
          this.retryTimer = setTimeout(resolve, delay);
        });
      }
    }
  }

  private async connectOnce(): Promise<void> {
    if (this.state === 'connecting') {
      // The lazy first attempt (or a previous openUri) is still running: openUri would return at
      // once for the same URI without waiting, so wait for that attempt's outcome instead.
      await this.connection.asPromise();
    }
    if (this.state !== 'connected') {
      await this.connection.openUri(
        this.config.uri,
        mongooseOptions(this.config),
      );
    }
  }

  private async runListener(listener: ConnectedListener): Promise<void> {
    try {
      await listener();
    } catch (error) {
      this.logger.error(
        `Start-up task after connecting failed: ${describeMongoError(error)}`,
      );
    }
  }
}

/**
 * A short reason without the URI (it may hold a password): the error's class and code, and for
 * network errors the system call, which names no credentials.
 */
export function describeMongoError(error: unknown): string {
  if (!(error instanceof Error)) {
    return 'unknown error';
  }
  const cause = (error as { cause?: { code?: string } }).cause;
  const code =
    (error as { code?: unknown; codeName?: unknown }).codeName ??
    (error as { code?: unknown }).code;
  const parts = [error.name];
  if (typeof code === 'string' || typeof code === 'number') {
    parts.push(String(code));
  }
  if (cause?.code) {
    parts.push(cause.code);
  } else if (
    /ECONNREFUSED|ENOTFOUND|ETIMEDOUT|EHOSTUNREACH|ECONNRESET/.exec(
      error.message,
    )
  ) {
    parts.push(
      /ECONNREFUSED|ENOTFOUND|ETIMEDOUT|EHOSTUNREACH|ECONNRESET/.exec(
        error.message,
      )![0],
    );
  } else if (/timed out/i.test(error.message)) {
    parts.push('timed out');
  } else if (/auth/i.test(error.message)) {
    parts.push('authentication failed');
  }
  return parts.join(' ');
}
