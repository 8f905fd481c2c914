import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Model } from 'mongoose';
import { ThrottleStoreUnavailableError } from './throttle.errors.js';
import {
  THROTTLE_MODEL,
  type ThrottleRecord,
  type ThrottleSubjectKind,
} from './throttle.schema.js';

const DUPLICATE_KEY = 11000;

export type HeadFields = Omit<ThrottleRecord, '_id' | 'kind' | 'subject'>;

/**
 * The throttle collection. Only inserts must be atomic: a slot is won by the one insert of its
 * `_id` that succeeds. Head updates are plain `$set` upserts whose races are harmless (concurrent
 * writers compute the same lock, and any new generation is a reset). MongoDB failures become
 * ThrottleStoreUnavailableError (503): a throttle that cannot count must not let attempts through.
 */
@Injectable()
export class ThrottleRepository {
  constructor(
    @InjectModel(THROTTLE_MODEL) private readonly model: Model<ThrottleRecord>,
  ) {}

  /** True when this call took the slot, false when it was taken already. */
  insertSlot(id: string, expiresAt: Date): Promise<boolean> {
    return this.guard(async () => {
      try {
        await this.model.collection.insertOne({ _id: id, expiresAt } as never);
        return true;
      } catch (error) {
        if ((error as { code?: unknown }).code === DUPLICATE_KEY) {
          return false;
        }
        throw error;
      }
    });
  }

  /**
   * Several slots in one round trip: for each id, true when this call took it, false when it was
   * taken already. Any other failure fails the whole call.
   */
  insertSlots(ids: readonly string[], expiresAt: Date): Promise<boolean[]> {
    if (ids.length === 1) {
      return this.insertSlot(ids[0], expiresAt).then((taken) => [taken]);
    }
    return this.guard(async () => {
      const taken = ids.map(() => true);
      try {
        await this.model.collection.insertMany(
          ids.map((_id) => ({ _id, expiresAt })) as never[],
          { ordered: false },
        );
      } catch (error) {
        const failures = (
          error as { writeErrors?: { code?: unknown; index?: unknown }[] }
        ).writeErrors;
        if (!Array.isArray(failures) || failures.length === 0) {
          throw error;
        }
        for (const failure of failures) {
          if (
            failure.code !== DUPLICATE_KEY ||
            typeof failure.index !== 'number'
          ) {
            throw error;
          }
          taken[failure.index] = false;
        }
      }
      return taken;
    });
  }

  slotExists(id: string): Promise<boolean> {
    return this.guard(async () => {
      const found = await this.model.collection.findOne({ _id: id } as never, {
        projection: { _id: 1 },
      });
      return found !== null;
    });
  }

  readHead(id: string): Promise<ThrottleRecord | null> {
    return this.guard(() =>
      this.model.findById(id).lean<ThrottleRecord>().exec(),
    );
  }

  /**
   * Sets fields of a head, creating it if needed. Concurrent upserts of a missing document can
   * fail with a duplicate key (FerretDB and MongoDB both); the loser then updates the winner's.
   */
  writeHead(
    id: string,
    kind: ThrottleSubjectKind,
    subject: string,
    fields: HeadFields,
    unset: readonly (keyof HeadFields)[] = [],
  ): Promise<void> {
    const update = {
      $set: { ...fields, kind, subject },
      ...(unset.length > 0
        ? { $unset: Object.fromEntries(unset.map((k) => [k, 1])) }
        : {}),
    };
    return this.guard(async () => {
      try {
        await this.model
          .updateOne({ _id: id }, update, { upsert: true })
          .exec();
      } catch (error) {
        if ((error as { code?: unknown }).code !== DUPLICATE_KEY) {
          throw error;
        }
        await this.model.updateOne({ _id: id }, update).exec();
      }
    });
  }

  /** Heads locked or throttled after `now` (a scan: for the admin CLI, not for requests). */
  findRestricted(now: Date): Promise<ThrottleRecord[]> {
    return this.guard(() =>
      this.model
        .find({
          $or: [
            { lockedUntil: { $gt: now } },
            { throttledUntil: { $gt: now } },
          ],
        })
        .lean<ThrottleRecord[]>()
        .exec(),
    );
  }

  /** Deletes records expired by `now`; returns how many. */
  sweep(now: Date): Promise<number> {
    return this.guard(async () => {
      const result = await this.model
        .deleteMany({ expiresAt: { $lte: now } })
        .exec();
      return result.deletedCount;
    });
  }

  private async guard<T>(operation: () => Promise<T>): Promise<T> {
    try {
      return await operation();
    } catch (error) {
      throw new ThrottleStoreUnavailableError({ cause: error });
    }
  }
}
