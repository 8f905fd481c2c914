import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Model } from 'mongoose';
import {
  LEASE_LOCK_MODEL,
  type LeaseLockDocument,
} from './lease-lock.schema.js';

const DUPLICATE_KEY = 11000;

/**
 * Mutual exclusion that holds on FerretDB too. There, a conditional update or findOneAndUpdate is
 * not atomic (measured: several concurrent callers all "win" the same `{lease: 0}` document), but
 * an insert is: a duplicate `_id` always fails. So a turn at some work is won by inserting its
 * key, and keys are built so that every process computes the same one for the same turn
 * (`<work>:<round>@<round start>:<generation>`, the generation counting lease periods since the
 * round began, so a turn abandoned by a crashed process becomes free again after one lease; the
 * round's start time keeps a re-created record from meeting the keys of its predecessor).
 */
@Injectable()
export class LeaseLocksRepository {
  constructor(
    @InjectModel(LEASE_LOCK_MODEL)
    private readonly model: Model<LeaseLockDocument>,
  ) {}

  async tryAcquire(
    key: string,
    owner: string,
    ttlMs: number,
  ): Promise<boolean> {
    try {
      await this.model.create({
        _id: key,
        owner,
        expiresAt: new Date(Date.now() + ttlMs),
      });
      return true;
    } catch (error) {
      if ((error as { code?: unknown }).code === DUPLICATE_KEY) {
        return false;
      }
      throw error;
    }
  }

  /** Removes spent keys (no TTL index on FerretDB). */
  async sweep(): Promise<void> {
    await this.model.deleteMany({ expiresAt: { $lt: new Date() } }).exec();
  }
}

/** The key of one turn: every process computes the same one for the same round and time. */
export function turnKey(
  work: string,
  round: number,
  roundStartedAt: Date,
  leaseMs: number,
  now = Date.now(),
): string {
  const generation = Math.max(
    0,
    Math.floor((now - roundStartedAt.getTime()) / leaseMs),
  );
  return `${work}:${round}@${roundStartedAt.getTime()}:${generation}`;
}
