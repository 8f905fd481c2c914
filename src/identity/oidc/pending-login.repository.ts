import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Model } from 'mongoose';
import { OidcStoreUnavailableError } from './oidc.errors.js';
import {
  OIDC_PENDING_LOGIN_MODEL,
  type PendingLoginRecord,
} from './pending-login.schema.js';

export type ConsumeOutcome =
  | { readonly ok: true; readonly record: PendingLoginRecord }
  | {
      readonly ok: false;
      readonly why: 'unknown' | 'expired' | 'other-browser';
    };

/** Pending sign-ins. Every MongoDB failure becomes OidcStoreUnavailableError (never "not found"). */
@Injectable()
export class PendingLoginRepository {
  constructor(
    @InjectModel(OIDC_PENDING_LOGIN_MODEL)
    private readonly model: Model<PendingLoginRecord>,
  ) {}

  insert(record: PendingLoginRecord): Promise<void> {
    return guard(async () => {
      await this.model.collection.insertOne(record as never);
    });
  }

  /**
   * Takes the sign-in out atomically, so of two callbacks with the same state (a replay, a
   * double submit) exactly one gets it. A lookup that finds nothing says why, for the message:
   * a record still there is either expired or bound to another browser (and stays, so a stranger
   * holding the state cannot cancel someone else's sign-in).
   */
  consume(
    stateHash: string,
    bindingHash: string,
    now: Date,
  ): Promise<ConsumeOutcome> {
    return guard(async () => {
      const record = await this.model.collection.findOneAndDelete({
        _id: stateHash,
        bindingHash,
        expiresAt: { $gt: now },
      } as never);
      if (record) {
        return { ok: true, record: record as unknown as PendingLoginRecord };
      }
      const left = await this.model.collection.findOne<PendingLoginRecord>({
        _id: stateHash,
      } as never);
      if (!left) {
        return { ok: false, why: 'unknown' };
      }
      return {
        ok: false,
        why: left.expiresAt <= now ? 'expired' : 'other-browser',
      };
    });
  }

  deleteExpired(now: Date): Promise<number> {
    return guard(async () => {
      const result = await this.model.collection.deleteMany({
        expiresAt: { $lte: now },
      });
      return result.deletedCount;
    });
  }
}

async function guard<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw new OidcStoreUnavailableError(error);
  }
}
