import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Types, type Model } from 'mongoose';
import { SessionStoreUnavailableError } from './errors/session-store-unavailable.error.js';
import { SESSION_MODEL, type SessionRecord } from './session.schema.js';
import { sessionRecordId } from './session-token.js';

export type NewSessionRecord = Omit<SessionRecord, '_id'>;

/**
 * The sessions collection. Every MongoDB failure becomes SessionStoreUnavailableError: a store
 * that cannot answer must never read as "no session".
 */
@Injectable()
export class SessionRepository {
  constructor(
    @InjectModel(SESSION_MODEL) private readonly model: Model<SessionRecord>,
  ) {}

  /** Stored under the id derived from its token hash (sessionRecordId). */
  insert(record: NewSessionRecord): Promise<SessionRecord> {
    const _id = new Types.ObjectId(sessionRecordId(record.tokenHash));
    return this.guard(async () => {
      const created = await this.model.create({ ...record, _id });
      return created.toObject();
    });
  }

  async findByTokenHash(tokenHash: string): Promise<SessionRecord | null> {
    const record = await this.findById(sessionRecordId(tokenHash));
    // The id is 96 bits of the hash: the whole hash decides.
    return record?.tokenHash === tokenHash ? record : null;
  }

  findById(id: string): Promise<SessionRecord | null> {
    const _id = objectId(id);
    if (!_id) {
      return Promise.resolve(null);
    }
    // The driver, not a Mongoose query: this lookup is on every request with a cookie.
    return this.guard(() =>
      this.model.collection.findOne<SessionRecord>({ _id } as never),
    );
  }

  /** Slides the expiry; a record deleted meanwhile stays deleted. */
  touch(id: Types.ObjectId, lastSeenAt: Date, expiresAt: Date): Promise<void> {
    return this.guard(async () => {
      await this.model
        .updateOne({ _id: id }, { $set: { lastSeenAt, expiresAt } })
        .exec();
    });
  }

  setInteractionRequired(id: string, value: boolean): Promise<boolean> {
    return this.update(id, {}, { interactionRequired: value });
  }

  /** The person chose "Continue as": stop asking, and renew the token at the next hand-out. */
  confirm(id: string): Promise<boolean> {
    return this.update(
      id,
      {},
      { interactionRequired: false, tokenRenewal: true },
    );
  }

  /** Clears a pending renewal; true only for the one caller that cleared it. */
  takeTokenRenewal(id: string): Promise<boolean> {
    return this.update(id, { tokenRenewal: true }, { tokenRenewal: false });
  }

  /**
   * Deletes one record and says whether this call deleted it, so that of two racing callers (the
   * sweep and a logout) exactly one goes on to announce the end.
   */
  delete(id: Types.ObjectId): Promise<boolean> {
    return this.guard(async () => {
      const result = await this.model.deleteOne({ _id: id }).exec();
      return result.deletedCount === 1;
    });
  }

  findExpired(now: Date, limit: number): Promise<SessionRecord[]> {
    return this.guard(() =>
      this.model
        .find({ expiresAt: { $lte: now } })
        .sort({ expiresAt: 1, _id: 1 })
        .limit(limit)
        .lean<SessionRecord[]>()
        .exec(),
    );
  }

  /**
   * Sessions signed in through `providerId` with that `sub` and/or `sid` (back-channel logout):
   * both given, both must match.
   */
  findByProviderSession(
    providerId: string,
    match: { readonly sub?: string; readonly sid?: string },
  ): Promise<SessionRecord[]> {
    if (match.sub === undefined && match.sid === undefined) {
      return Promise.resolve([]);
    }
    const filter: Record<string, string> = { 'oidc.providerId': providerId };
    if (match.sub !== undefined) {
      filter['oidc.sub'] = match.sub;
    }
    if (match.sid !== undefined) {
      filter['oidc.sid'] = match.sid;
    }
    return this.guard(() =>
      this.model.find(filter).lean<SessionRecord[]>().exec(),
    );
  }

  findByUser(userId: string): Promise<SessionRecord[]> {
    return this.guard(() =>
      this.model.find({ userId }).lean<SessionRecord[]>().exec(),
    );
  }

  /**
   * Users with a session whose person was last vouched for at or before `cutoff` (or never
   * recorded), longest-waiting first; at most `limit` sessions are read.
   */
  findDueForSourceCheck(cutoff: Date, limit: number): Promise<string[]> {
    return this.guard(async () => {
      const records = await this.model
        .find(dueFilter(cutoff), { userId: 1 })
        .sort({ sourceCheckedAt: 1 })
        .limit(limit)
        .lean<Pick<SessionRecord, 'userId'>[]>()
        .exec();
      return [...new Set(records.map((r) => r.userId))];
    });
  }

  /**
   * Records a check of the person behind every due session of `userId` (due: checked at or
   * before `cutoff`): how many were due. Zero means another process took them first.
   */
  claimSourceCheck(userId: string, cutoff: Date, at: Date): Promise<number> {
    return this.guard(async () => {
      const result = await this.model
        .updateMany(
          { userId, ...dueFilter(cutoff) },
          { $set: { sourceCheckedAt: at } },
        )
        .exec();
      return result.modifiedCount;
    });
  }

  /** Sets when the person behind every session of `userId` counts as last checked. */
  setSourceCheckedAt(userId: string, at: Date): Promise<void> {
    return this.guard(async () => {
      await this.model
        .updateMany({ userId }, { $set: { sourceCheckedAt: at } })
        .exec();
    });
  }

  /** A `$set` on the record `id` (when it also matches `filter`); false when none matched. */
  private update(
    id: string,
    filter: Record<string, unknown>,
    set: Partial<SessionRecord>,
  ): Promise<boolean> {
    const _id = objectId(id);
    if (!_id) {
      return Promise.resolve(false);
    }
    return this.guard(async () => {
      const result = await this.model
        .updateOne({ ...filter, _id }, { $set: set })
        .exec();
      return result.matchedCount === 1;
    });
  }

  private async guard<T>(operation: () => Promise<T>): Promise<T> {
    try {
      return await operation();
    } catch (error) {
      throw new SessionStoreUnavailableError({ cause: error });
    }
  }
}

function dueFilter(cutoff: Date): Record<string, unknown> {
  return {
    $or: [
      { sourceCheckedAt: { $lte: cutoff } },
      { sourceCheckedAt: { $exists: false } },
    ],
  };
}

function objectId(id: string): Types.ObjectId | undefined {
  return /^[0-9a-f]{24}$/.test(id) ? new Types.ObjectId(id) : undefined;
}
