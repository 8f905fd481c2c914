import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Model } from 'mongoose';
import type { TokenStrategyName } from '../../config/index.js';
import { Clock } from '../../common/index.js';
import {
  SESSION_TOKEN_MODEL,
  type SessionTokenDocument,
} from './session-token.schema.js';

const DUPLICATE_KEY = 11000;

/** An issued token as stored (still sealed). */
export interface StoredSessionToken {
  /** The record's id: the session's, or its app record's (token-records.ts); the seal is bound to it. */
  readonly sessionId: string;
  readonly bridgeUserId: string;
  readonly rcUserId: string;
  readonly strategy: TokenStrategyName;
  readonly sealedToken: string;
  readonly hashedToken: string;
  readonly issuedAt: Date;
  readonly deliveredAt: Date;
  readonly deliveredTo: 'api' | 'frame' | 'page' | 'app';
}

export type SessionTokenState =
  | { readonly kind: 'none' }
  | { readonly kind: 'minting'; readonly claimUntil: Date }
  | { readonly kind: 'issued'; readonly token: StoredSessionToken };

/** The only owner of the per-session token collection. MongoDB errors propagate (503). */
@Injectable()
export class SessionTokensRepository {
  constructor(
    @InjectModel(SESSION_TOKEN_MODEL)
    private readonly model: Model<SessionTokenDocument>,
    private readonly clock: Clock,
  ) {}

  async find(sessionId: string): Promise<SessionTokenState> {
    // The driver, not a Mongoose query: this lookup is on every API URL call (Mongoose's query
    // building cost more CPU than the lookup itself, measured in the benchmark).
    const doc = await this.model.collection.findOne<SessionTokenDocument>({
      _id: sessionId,
    } as never);
    return toState(doc);
  }

  /**
   * The right to mint this session's token: a claim id, or undefined while another request holds
   * a live claim or a token exists. One conditional upsert: it creates the claim, or takes over
   * one left by a crashed request (expired after `ms`); anything else is a duplicate key.
   */
  async claim(
    sessionId: string,
    bridgeUserId: string,
    ms: number,
  ): Promise<string | undefined> {
    const claimId = randomUUID();
    const now = new Date(this.clock.now());
    try {
      await this.model
        .updateOne(
          { _id: sessionId, state: 'minting', claimUntil: { $lte: now } },
          {
            $set: {
              bridgeUserId,
              claimId,
              claimUntil: new Date(now.getTime() + ms),
            },
            // `state` comes from the filter's equality, as `_id` does.
            $setOnInsert: { createdAt: now },
          },
          { upsert: true },
        )
        .exec();
      return claimId;
    } catch (error) {
      if ((error as { code?: unknown }).code === DUPLICATE_KEY) {
        return undefined;
      }
      throw error;
    }
  }

  /** Stores the minted token under the claim; false when the claim was lost (session ended). */
  async complete(
    sessionId: string,
    claimId: string,
    token: Omit<StoredSessionToken, 'sessionId' | 'bridgeUserId'>,
  ): Promise<boolean> {
    const result = await this.model
      .updateOne(
        { _id: sessionId, state: 'minting', claimId },
        {
          $set: { state: 'issued', ...token },
          $unset: { claimId: '', claimUntil: '' },
        },
      )
      .exec();
    return result.matchedCount === 1;
  }

  /** Gives a claim up without a token (minting failed). */
  async release(sessionId: string, claimId: string): Promise<void> {
    await this.model
      .deleteOne({ _id: sessionId, state: 'minting', claimId })
      .exec();
  }

  /**
   * Removes and returns the session's record (a token to revoke, if it was issued). With
   * `hashedToken`, only if it still holds that token: two requests never both take it.
   */
  async take(
    sessionId: string,
    hashedToken?: string,
  ): Promise<StoredSessionToken | null> {
    const doc = await this.model
      .findOneAndDelete(
        hashedToken === undefined
          ? { _id: sessionId }
          : { _id: sessionId, hashedToken },
      )
      .lean<SessionTokenDocument>()
      .exec();
    const state = toState(doc);
    return state.kind === 'issued' ? state.token : null;
  }

  /**
   * Deletes claims that expired before `before` without being completed or released: their holder
   * died, or lost MongoDB before it could release them. They hold no token (a minted one that
   * could not be recorded is revoked by the lifecycle); the next request simply claims anew.
   */
  async dropAbandonedClaims(before: Date): Promise<number> {
    const result = await this.model
      .deleteMany({ state: 'minting', claimUntil: { $lt: before } })
      .exec();
    return result.deletedCount;
  }

  /** A page of session ids, in id order after `after`, created before `before` (orphan sweep). */
  async sessionIdsAfter(
    after: string,
    before: Date,
    limit: number,
  ): Promise<string[]> {
    const docs = await this.model
      .find({ _id: { $gt: after }, createdAt: { $lt: before } }, { _id: 1 })
      .sort({ _id: 1 })
      .limit(limit)
      .lean<Pick<SessionTokenDocument, '_id'>[]>()
      .exec();
    return docs.map((d) => d._id);
  }

  /** The hashed tokens issued to a Rocket.Chat user that sessions still hold. */
  async hashedTokensOf(rcUserId: string): Promise<string[]> {
    const docs = await this.model
      .find({ rcUserId, state: 'issued' }, { hashedToken: 1 })
      .lean<Pick<SessionTokenDocument, 'hashedToken'>[]>()
      .exec();
    return docs.flatMap((doc) => (doc.hashedToken ? [doc.hashedToken] : []));
  }

  async countForUser(bridgeUserId: string): Promise<number> {
    return this.model.countDocuments({ bridgeUserId, state: 'issued' }).exec();
  }
}

function toState(doc: SessionTokenDocument | null): SessionTokenState {
  if (!doc) {
    return { kind: 'none' };
  }
  if (
    doc.state === 'issued' &&
    doc.rcUserId &&
    doc.strategy &&
    doc.sealedToken &&
    doc.hashedToken &&
    doc.issuedAt
  ) {
    return {
      kind: 'issued',
      token: {
        sessionId: doc._id,
        bridgeUserId: doc.bridgeUserId,
        rcUserId: doc.rcUserId,
        strategy: doc.strategy,
        sealedToken: doc.sealedToken,
        hashedToken: doc.hashedToken,
        issuedAt: doc.issuedAt,
        deliveredAt: doc.deliveredAt ?? doc.issuedAt,
        deliveredTo: doc.deliveredTo ?? 'api',
      },
    };
  }
  return { kind: 'minting', claimUntil: doc.claimUntil ?? new Date(0) };
}
