import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Model } from 'mongoose';
import { Clock } from '../../common/index.js';
import {
  REVOCATION_MODEL,
  type RevocationDocument,
} from './revocation.schema.js';

const DUPLICATE_KEY = 11000;

export type RevocationJob = Omit<
  RevocationDocument,
  'attempts' | 'nextAttemptAt' | 'lastError' | 'createdAt' | 'claimedBy'
>;

/**
 * The only owner of the revocation queue collection. An attempt is claimed by a conditional
 * update that moves the job's due time one lease ahead: no other process sees it due meanwhile,
 * and a job whose holder died is due again once the lease has run out. Only the holder then
 * writes the job (done, or the next attempt). Due times follow the application's Clock.
 */
@Injectable()
export class RevocationQueueRepository {
  constructor(
    @InjectModel(REVOCATION_MODEL)
    private readonly model: Model<RevocationDocument>,
    private readonly clock: Clock,
  ) {}

  /**
   * Queues a job, due at once (or at `dueAt`), and returns it if it is due now: inserting it is
   * then `owner`'s claim of its first attempt. Undefined when a job with that id exists already
   * (the same login is never revoked twice) or it is due later.
   */
  async add(
    job: RevocationJob,
    owner: string,
    leaseMs: number,
    dueAt?: Date,
  ): Promise<RevocationDocument | undefined> {
    const now = this.clock.now();
    const doc: RevocationDocument = {
      ...job,
      attempts: 0,
      nextAttemptAt: dueAt ?? new Date(now + leaseMs),
      claimedBy: dueAt ? undefined : owner,
      createdAt: new Date(now),
    };
    try {
      await this.model.create(doc);
    } catch (error) {
      if ((error as { code?: unknown }).code === DUPLICATE_KEY) {
        return undefined;
      }
      throw error;
    }
    return dueAt ? undefined : doc;
  }

  /** The most overdue job, claimed for `owner` for `leaseMs`, if any is due. */
  async claimDue(
    owner: string,
    leaseMs: number,
  ): Promise<RevocationDocument | null> {
    const now = this.clock.now();
    return this.model
      .findOneAndUpdate(
        { nextAttemptAt: { $lte: new Date(now) } },
        { $set: { nextAttemptAt: new Date(now + leaseMs), claimedBy: owner } },
        { sort: { nextAttemptAt: 1 }, returnDocument: 'after' },
      )
      .lean<RevocationDocument>()
      .exec();
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

  /** The hashed tokens of a Rocket.Chat user that queued jobs still have to revoke. */
  async tokenHashesOf(rcUserId: string): Promise<string[]> {
    const jobs = await this.model
      .find({ rcUserId, kind: 'token' }, { _id: 1 })
      .lean<Pick<RevocationDocument, '_id'>[]>()
      .exec();
    // A token job's id is `token:<session>:<hashed token>`.
    return jobs.map((job) => job._id.slice(job._id.lastIndexOf(':') + 1));
  }
}
