import {
  type BeforeApplicationShutdown,
  Injectable,
  Logger,
} from '@nestjs/common';
import { InjectConfig, type AppConfig } from '../config/index.js';
import { describeMongoError } from '../database/index.js';
import {
  currentRequestId,
  escapeControlCharacters,
} from '../observability/index.js';
import { outcomeOf, type AuditEvent } from './audit-event.js';
import { AuditRepository, type NewAuditRecord } from './audit.repository.js';
import type { AuditDetail } from './audit.schema.js';

/** What the trail takes from a request (a FastifyRequest fits). */
export interface AuditRequest {
  readonly ip?: string;
  readonly headers: { readonly 'user-agent'?: string | string[] };
}

const MAX_USERNAME = 200;
const MAX_USER_AGENT = 256;
/** Writes waiting for MongoDB beyond this are dropped (their log lines are written regardless). */
const MAX_IN_FLIGHT = 1000;
/** Events written in one insertMany at most. */
const MAX_BATCH = 200;
const STORE_WARNING_INTERVAL_MS = 10_000;

/**
 * The audit trail: each event becomes one JSON log line (level info, `audit: true`) and one
 * document in MongoDB (kept for AUDIT_RETENTION). Recording never fails and never delays the
 * request: the log line is written at once, the insert runs in the background (a MongoDB outage
 * costs the stored copy, never the login); shutdown waits for pending inserts. One write is in
 * flight at a time and events arriving meanwhile go together in the next (group commit): busy
 * hours cost a few insertMany calls a second instead of one insert per event.
 */
@Injectable()
export class AuditService implements BeforeApplicationShutdown {
  private readonly logger = new Logger('Audit');
  private queue: QueuedRecord[] = [];
  private inFlight = 0;
  private writing: Promise<void> | undefined;
  private lastStoreWarning = 0;
  private dropped = 0;

  constructor(
    @InjectConfig('app') private readonly app: AppConfig,
    private readonly repository: AuditRepository,
  ) {}

  /** Records `event`; the promise (which never rejects) settles once it is stored or dropped. */
  record(event: AuditEvent, request?: AuditRequest): Promise<void> {
    const at = new Date();
    const record = this.toRecord(event, request, at);
    this.logger.log({
      msg: `audit ${event.kind}`,
      audit: true,
      event: record.kind,
      outcome: record.outcome,
      at: at.toISOString(),
      userId: record.userId,
      username: record.username,
      ip: record.ip,
      userAgent: record.userAgent,
      details: record.details,
    });
    if (this.queue.length + this.inFlight >= MAX_IN_FLIGHT) {
      this.dropped += 1;
      this.warnStore(
        `audit store backlog full; ${this.dropped} event(s) kept in the log only`,
      );
      return Promise.resolve();
    }
    return new Promise<void>((done) => {
      this.queue.push({ record, done });
      this.writing ??= this.drain();
    });
  }

  /** Resolves once every pending insert has finished. */
  async flush(): Promise<void> {
    while (this.writing) {
      await this.writing;
    }
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.flush();
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, MAX_BATCH);
      this.inFlight = batch.length;
      await this.repository
        .insertMany(batch.map((queued) => queued.record))
        .catch((error: unknown) => {
          this.warnStore(
            batch.length === 1
              ? `audit event not stored (${describeMongoError(error)}); it is in the log`
              : `${batch.length} audit events not stored (${describeMongoError(error)}); they are in the log`,
          );
        });
      this.inFlight = 0;
      for (const queued of batch) {
        queued.done();
      }
    }
    this.writing = undefined;
  }

  private toRecord(
    event: AuditEvent,
    request: AuditRequest | undefined,
    at: Date,
  ): NewAuditRecord {
    const { kind, ...fields } = event;
    const details: Record<string, AuditDetail> = {};
    let userId: string | undefined;
    let username: string | undefined;
    for (const [key, value] of Object.entries(fields) as [string, unknown][]) {
      if (key === 'userId' && typeof value === 'string') {
        userId = value;
      } else if (key === 'username' && typeof value === 'string') {
        username = bounded(value, MAX_USERNAME);
      } else if (value instanceof Date) {
        details[key] = value.toISOString();
      } else if (Array.isArray(value)) {
        details[key] = value.map((v) => bounded(String(v), 100));
      } else if (typeof value === 'string') {
        details[key] = bounded(value, MAX_USERNAME);
      } else if (typeof value === 'number' || typeof value === 'boolean') {
        details[key] = value;
      }
    }
    const agent = request?.headers['user-agent'];
    return {
      at,
      kind,
      outcome: outcomeOf(kind),
      userId,
      username,
      ip: request?.ip,
      userAgent:
        typeof agent === 'string' ? bounded(agent, MAX_USER_AGENT) : undefined,
      requestId: currentRequestId(),
      details: Object.keys(details).length > 0 ? details : undefined,
      expiresAt: new Date(at.getTime() + this.app.audit.retentionMs),
    };
  }

  private warnStore(message: string): void {
    const now = Date.now();
    if (now - this.lastStoreWarning >= STORE_WARNING_INTERVAL_MS) {
      this.lastStoreWarning = now;
      this.logger.warn(message);
    }
  }
}

interface QueuedRecord {
  readonly record: NewAuditRecord;
  /** Settles the promise record() returned. */
  readonly done: () => void;
}

/** Control characters escaped (no forged lines, no terminal escapes), then cut to `max`. */
function bounded(value: string, max: number): string {
  const escaped = escapeControlCharacters(value.slice(0, max * 2));
  return escaped.length > max ? `${escaped.slice(0, max)}…` : escaped;
}
