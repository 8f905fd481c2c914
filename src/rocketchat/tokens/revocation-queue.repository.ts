import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Model } from 'mongoose';
import {
  LeaseLocksRepository,
  turnKey,
} from '../leases/lease-locks.repository.js';
import {
  REVOCATION_MODEL,
  type RevocationDocument,
} from './revocation.schema.js';

const DUPLICATE_KEY = 11000;
const CANDIDATES = 10;

export type RevocationJob = Omit<
  RevocationDocument,
  'attempts' | 'nextAttemptAt' | 'lastError' | 'createdAt'
>;

/**
 * The only owner of the revocation queue collection. A job's attempt is done by whoever wins its
 * turn in the lease locks; only that process then writes the job (done or next attempt).
 */
@Injectable()
export class RevocationQueueRepository {
  constructor(
    @InjectModel(REVOCATION_MODEL)
    private readonly model: Model<RevocationDocument>,
    private readonly locks: LeaseLocksRepository,
  ) {}

  /**
   * Queues a job that is due at once and returns it if `owner` won its first turn (it should try
   * now). Undefined when a job with that id exists already (the same login is never revoked twice)
   * or another process took the turn.
   */
  async add(
    job: RevocationJob,
    owner: string,
    leaseMs: number,
  ): Promise<RevocationDocument | undefined> {
    const now = new Date();
    const doc: RevocationDocument = {
      ...job,
      attempts: 0,
      nextAttemptAt: now,
      createdAt: now,
    };
    try {
      await this.model.create(doc);
    } catch (error) {
      if ((error as { code?: unknown }).code === DUPLICATE_KEY) {
        return undefined;
      }
      throw error;
    }
    return (await this.takeTurn(doc, owner, leaseMs)) ? doc : undefined;
  }

  /** A due job whose current turn `owner` won, if any. */
  async claimDue(
    owner: string,
    leaseMs: number,
  ): Promise<RevocationDocument | null> {
    const due = await this.model
      .find({ nextAttemptAt: { $lte: new Date() } })
      .sort({ nextAttemptAt: 1 })
      .limit(CANDIDATES)
      .lean<RevocationDocument[]>()
      .exec();
    for (const job of due) {
      if (await this.takeTurn(job, owner, leaseMs)) {
        return job;
      }
    }
    return null;
  }

  async done(id: string): Promise<void> {
    await this.model.deleteOne({ _id: id }).exec();
  }

  async retryLater(
    job: RevocationDocument,
    at: Date,
    lastError: string,
  ): Promise<void> {
    await this.model
      .updateOne(
        { _id: job._id, attempts: job.attempts },
        { $set: { attempts: job.attempts + 1, nextAttemptAt: at, lastError } },
      )
      .exec();
  }

  async count(): Promise<number> {
    return this.model.countDocuments().exec();
  }

  private takeTurn(
    job: RevocationDocument,
    owner: string,
    leaseMs: number,
  ): Promise<boolean> {
    return this.locks.tryAcquire(
      turnKey(
        `revocation:${job._id}`,
        job.attempts,
        job.nextAttemptAt,
        leaseMs,
      ),
      owner,
      leaseMs * 2,
    );
  }
}
