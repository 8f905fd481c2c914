import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Model } from 'mongoose';
import { AUDIT_MODEL, type AuditRecord } from './audit.schema.js';

export type NewAuditRecord = Omit<AuditRecord, '_id'>;

/** The audit collection: append, read the newest, sweep the expired. */
@Injectable()
export class AuditRepository {
  constructor(
    @InjectModel(AUDIT_MODEL) private readonly model: Model<AuditRecord>,
  ) {}

  async insert(record: NewAuditRecord): Promise<void> {
    await this.model.collection.insertOne(withoutAbsent(record));
  }

  /** Several events in one round trip; one bad document does not stop the others. */
  async insertMany(records: readonly NewAuditRecord[]): Promise<void> {
    if (records.length === 1) {
      return this.insert(records[0]);
    }
    await this.model.collection.insertMany(records.map(withoutAbsent), {
      ordered: false,
    });
  }

  /** Newest first; `kind` and `userId` narrow it down. */
  recent(
    limit: number,
    filter: { kind?: string; userId?: string } = {},
  ): Promise<AuditRecord[]> {
    const query: Record<string, string> = {};
    if (filter.kind !== undefined) {
      query.kind = filter.kind;
    }
    if (filter.userId !== undefined) {
      query.userId = filter.userId;
    }
    return this.model
      .find(query)
      .sort({ at: -1, _id: -1 })
      .limit(limit)
      .lean<AuditRecord[]>()
      .exec();
  }

  async sweep(now: Date): Promise<number> {
    const result = await this.model
      .deleteMany({ expiresAt: { $lte: now } })
      .exec();
    return result.deletedCount;
  }
}

/** Absent fields stay absent (the driver would store undefined as null). */
function withoutAbsent(record: NewAuditRecord): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(record).filter(([, value]) => value !== undefined),
  );
}
