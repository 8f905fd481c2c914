import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Model } from 'mongoose';
import {
  GROUP_GRANTS_MODEL,
  type FailureDoc,
  type GrantDoc,
  type GroupGrantsDocument,
} from './group-grants.schema.js';

const DUPLICATE_KEY = 11000;

export type GroupRequest = NonNullable<GroupGrantsDocument['request']>;

/** The record as read under the lock. */
export interface LockedGrants {
  readonly rcUserId: string;
  readonly bridgeUserId: string;
  readonly grants: readonly GrantDoc[];
  readonly failures: readonly FailureDoc[];
  readonly requestSeq: number;
  readonly request: GroupRequest | undefined;
  readonly applied: GroupGrantsDocument['applied'];
}

/** The only owner of the group grants collection. MongoDB errors propagate. */
@Injectable()
export class GroupGrantsRepository {
  constructor(
    @InjectModel(GROUP_GRANTS_MODEL)
    private readonly model: Model<GroupGrantsDocument>,
  ) {}

  /** Records the latest request (creating the record if needed); returns its sequence number. */
  async request(
    rcUserId: string,
    bridgeUserId: string,
    request: GroupRequest,
  ): Promise<number> {
    for (let attempt = 0; ; attempt += 1) {
      try {
        const doc = await this.model
          .findOneAndUpdate(
            { _id: rcUserId },
            {
              $inc: { requestSeq: 1 },
              $set: { request, bridgeUserId },
              $setOnInsert: { grants: [], failures: [] },
            },
            { upsert: true, returnDocument: 'after' },
          )
          .lean<{ requestSeq: number }>()
          .exec();
        return doc?.requestSeq ?? 0;
      } catch (error) {
        // Two first requests racing: one insert wins, the other updates it.
        if (
          (error as { code?: unknown }).code !== DUPLICATE_KEY ||
          attempt > 0
        ) {
          throw error;
        }
      }
    }
  }

  /** Takes the account's lease if it is free or expired; the record as it then is, or null. */
  async tryLock(
    rcUserId: string,
    owner: string,
    leaseMs: number,
  ): Promise<LockedGrants | null> {
    const now = new Date();
    const doc = await this.model
      .findOneAndUpdate(
        {
          _id: rcUserId,
          $or: [{ lock: { $exists: false } }, { 'lock.until': { $lte: now } }],
        },
        { $set: { lock: { owner, until: new Date(now.getTime() + leaseMs) } } },
        { returnDocument: 'after' },
      )
      .lean<GroupGrantsDocument>()
      .exec();
    return doc ? toLocked(doc) : null;
  }

  /** Re-reads the record while holding the lease (a newer request may have arrived). */
  async reread(rcUserId: string, owner: string): Promise<LockedGrants | null> {
    const doc = await this.model
      .findOne({ _id: rcUserId, 'lock.owner': owner })
      .lean<GroupGrantsDocument>()
      .exec();
    return doc ? toLocked(doc) : null;
  }

  /** Writes the outcome of one apply; only the lease holder can. */
  async save(
    rcUserId: string,
    owner: string,
    outcome: {
      grants: readonly GrantDoc[];
      failures: readonly FailureDoc[];
      applied: GroupGrantsDocument['applied'] | null;
    },
  ): Promise<boolean> {
    const result = await this.model
      .updateOne(
        { _id: rcUserId, 'lock.owner': owner },
        outcome.applied === null
          ? {
              $set: { grants: outcome.grants, failures: outcome.failures },
              $unset: { applied: '' },
            }
          : {
              $set: {
                grants: outcome.grants,
                failures: outcome.failures,
                applied: outcome.applied,
              },
            },
      )
      .exec();
    return result.matchedCount === 1;
  }

  /**
   * Lets go of the lease unless a request newer than `appliedSeq` arrived meanwhile: then the
   * lease is kept and false tells the holder to apply again.
   */
  async release(
    rcUserId: string,
    owner: string,
    appliedSeq: number,
  ): Promise<boolean> {
    const result = await this.model
      .updateOne(
        { _id: rcUserId, 'lock.owner': owner, requestSeq: appliedSeq },
        { $unset: { lock: '' } },
      )
      .exec();
    return result.matchedCount === 1;
  }

  /** Lets go of the lease whatever arrived (after a failure; the next apply retries). */
  async abandon(rcUserId: string, owner: string): Promise<void> {
    await this.model
      .updateOne(
        { _id: rcUserId, 'lock.owner': owner },
        { $unset: { lock: '' } },
      )
      .exec();
  }

  async find(rcUserId: string): Promise<LockedGrants | null> {
    const doc = await this.model
      .findById(rcUserId)
      .lean<GroupGrantsDocument>()
      .exec();
    return doc ? toLocked(doc) : null;
  }
}

function toLocked(doc: GroupGrantsDocument): LockedGrants {
  return {
    rcUserId: doc._id,
    bridgeUserId: doc.bridgeUserId,
    grants: doc.grants ?? [],
    failures: doc.failures ?? [],
    requestSeq: doc.requestSeq ?? 0,
    request: doc.request,
    applied: doc.applied,
  };
}
