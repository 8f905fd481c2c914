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
    // Absent fields stay absent (the driver would store undefined as null).
    const document = Object.fromEntries(
      Object.entries(record).filter(([, value]) => value !== undefined),
    );
    await this.model.collection.insertOne(document);
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
