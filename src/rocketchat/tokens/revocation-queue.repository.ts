import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Model } from 'mongoose';
import { Clock } from '../../common/index.js';
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
 * turn in the lease locks; only that process then writes the job (done or next attempt). Due
 * times and turns follow the application's Clock.
 */
@Injectable()
export class RevocationQueueRepository {
  constructor(
    @InjectModel(REVOCATION_MODEL)
    private readonly model: Model<RevocationDocument>,
    private readonly locks: LeaseLocksRepository,
    private readonly clock: Clock,
  ) {}

  /**
   * Queues a job, due at once (or at `dueAt`), and returns it if it is due now and `owner` won its
   * first turn (it should try now). Undefined when a job with that id exists already (the same
   * login is never revoked twice), another process took the turn, or it is due later.
   */
  async add(
    job: RevocationJob,
    owner: string,
    leaseMs: number,
    dueAt?: Date,
  ): Promise<RevocationDocument | undefined> {
    const now = new Date(this.clock.now());
    const doc: RevocationDocument = {
      ...job,
      attempts: 0,
      nextAttemptAt: dueAt ?? now,
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
    if (doc.nextAttemptAt > now) {
      return undefined;
    }
    return (await this.takeTurn(doc, owner, leaseMs)) ? doc : undefined;
  }

  /** A due job whose current turn `owner` won, if any. */
  async claimDue(
    owner: string,
    leaseMs: number,
  ): Promise<RevocationDocument | null> {
    const due = await this.model
      .find({ nextAttemptAt: { $lte: new Date(this.clock.now()) } })
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

  /** The hashed tokens of a Rocket.Chat user that queued jobs still have to revoke. */
  async tokenHashesOf(rcUserId: string): Promise<string[]> {
    const jobs = await this.model
      .find({ rcUserId, kind: 'token' }, { _id: 1 })
      .lean<Pick<RevocationDocument, '_id'>[]>()
      .exec();
    // A token job's id is `token:<session>:<hashed token>`.
    return jobs.map((job) => job._id.slice(job._id.lastIndexOf(':') + 1));
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
        this.clock.now(),
      ),
      owner,
      leaseMs * 2,
    );
  }
}
