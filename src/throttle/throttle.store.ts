import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Collection, Filter } from 'mongodb';
import type { Model } from 'mongoose';
import { Clock } from '../common/index.js';
import { ThrottleStoreUnavailableError } from './throttle.errors.js';
import {
  THROTTLE_MODEL,
  type ThrottleKind,
  type ThrottleRecord,
} from './throttle.schema.js';

const DUPLICATE_KEY = 11000;

/** A counter's running window: the events counted in it, and when it ends. */
export interface CounterWindow {
  readonly count: number;
  readonly endsAt: Date;
}

/** What a record is about, for `rc-bridge locks`. */
export interface ThrottleLabel {
  readonly kind: ThrottleKind;
  readonly subject: string;
  /** The count at which the counter refuses (recorded for listing). */
  readonly limit?: number;
}

export type LockHistory = Pick<
  ThrottleRecord,
  'lockedUntil' | 'lockLevel' | 'lastLockAt'
>;

/**
 * The throttle collection: counters in windows and lock histories, shared by every replica.
 * Counting is one atomic `findOneAndUpdate` with `$inc` and upsert; a limit is part of its filter,
 * so parallel callers never count past it. Windows start with their first event; MongoDB removes
 * spent records through the TTL index on `expiresAt` (a record whose window has ended counts as
 * absent until then). MongoDB failures become ThrottleStoreUnavailableError: a throttle that
 * cannot count must not let attempts through.
 */
@Injectable()
export class ThrottleStore {
  private readonly records: Collection<ThrottleRecord>;

  constructor(
    @InjectModel(THROTTLE_MODEL) model: Model<ThrottleRecord>,
    private readonly clock: Clock,
  ) {
    this.records = model.collection as unknown as Collection<ThrottleRecord>;
  }

  /**
   * Counts one event of counter `id`: in its running window, or in a new one ending at `newEnd`
   * (epoch ms). With `limit`, only while fewer are counted; undefined then, and nothing counted.
   */
  hit(
    id: string,
    label: ThrottleLabel,
    newEnd: number,
    limit = Number.MAX_SAFE_INTEGER,
  ): Promise<CounterWindow | undefined> {
    return this.guard(async () => {
      const now = new Date(this.clock.now());
      const room: Filter<ThrottleRecord> = {
        _id: id,
        expiresAt: { $gt: now },
        count: { $lt: limit },
      };
      const after = { returnDocument: 'after' } as const;
      try {
        const counted = await this.records.findOneAndUpdate(
          room,
          {
            $inc: { count: 1 },
            $setOnInsert: { ...label, expiresAt: new Date(newEnd) },
          },
          { ...after, upsert: true },
        );
        return toWindow(counted);
      } catch (error) {
        if ((error as { code?: unknown }).code !== DUPLICATE_KEY) {
          throw error;
        }
      }
      // The record is outside that filter: its window ended (the TTL monitor has not removed it
      // yet), it is full, or a parallel first event created it a moment ago.
      const restarted = await this.records.findOneAndUpdate(
        { _id: id, expiresAt: { $lte: now } },
        { $set: { ...label, count: 1, expiresAt: new Date(newEnd) } },
        after,
      );
      return toWindow(
        restarted ??
          (await this.records.findOneAndUpdate(
            room,
            { $inc: { count: 1 } },
            after,
          )),
      );
    });
  }

  /** The running window of counter `id`, if any. */
  read(id: string): Promise<CounterWindow | undefined> {
    return this.guard(async () =>
      toWindow(
        await this.records.findOne({
          _id: id,
          expiresAt: { $gt: new Date(this.clock.now()) },
        }),
      ),
    );
  }

  /** Removes counter `id` and returns its running window, if any. */
  take(id: string): Promise<CounterWindow | undefined> {
    return this.guard(async () => {
      const window = toWindow(await this.records.findOneAndDelete({ _id: id }));
      return window && window.endsAt.getTime() > this.clock.now()
        ? window
        : undefined;
    });
  }

  /** Keeps counter `id` as it is until `until` (a lock: a full counter refuses until then). */
  holdUntil(id: string, until: Date): Promise<void> {
    return this.guard(async () => {
      await this.records.updateOne({ _id: id }, { $set: { expiresAt: until } });
    });
  }

  /** Takes `count` events back out of the window of `id` that ends at `endsAt` (if it still runs). */
  giveBack(id: string, count: number, endsAt: Date): Promise<void> {
    return this.guard(async () => {
      await this.records.updateOne(
        { _id: id, expiresAt: endsAt },
        { $inc: { count: -count } },
      );
    });
  }

  readLock(id: string): Promise<LockHistory | undefined> {
    return this.guard(
      async () =>
        (await this.records.findOne({
          _id: id,
          expiresAt: { $gt: new Date(this.clock.now()) },
        })) ?? undefined,
    );
  }

  writeLock(
    id: string,
    label: ThrottleLabel,
    lock: Required<LockHistory>,
    expiresAt: Date,
  ): Promise<void> {
    return this.guard(async () => {
      await this.records.replaceOne(
        { _id: id },
        { ...label, ...lock, expiresAt },
        { upsert: true },
      );
    });
  }

  /** Deletes records by id, and those of `subjects` (kind and subject), in one command. */
  remove(ids: readonly string[], subjects: readonly ThrottleLabel[] = []) {
    return this.guard(async () => {
      await this.records.deleteMany({
        $or: [{ _id: { $in: [...ids] } }, ...subjects],
      });
    });
  }

  /** Live records of one kind matching `filter` (a scan: for the admin CLI, not for requests). */
  list(
    kind: ThrottleKind,
    filter: Filter<ThrottleRecord>,
  ): Promise<ThrottleRecord[]> {
    return this.guard(() =>
      this.records
        .find({
          ...filter,
          kind,
          expiresAt: { $gt: new Date(this.clock.now()) },
        })
        .toArray(),
    );
  }

  /** Deletes records expired by now (where the server has no TTL index); returns how many. */
  sweep(): Promise<number> {
    return this.guard(async () => {
      const result = await this.records.deleteMany({
        expiresAt: { $lte: new Date(this.clock.now()) },
      });
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

function toWindow(record: ThrottleRecord | null): CounterWindow | undefined {
  return record
    ? { count: record.count ?? 0, endsAt: record.expiresAt }
    : undefined;
}
