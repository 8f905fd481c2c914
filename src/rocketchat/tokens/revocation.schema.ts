import { Schema } from 'mongoose';
import type { TokenStrategyName } from '../../config/index.js';

export const REVOCATION_MODEL = 'RocketChatRevocation';
/** Without MONGO_COLLECTION_PREFIX (`bridge_rocketchat_revocations` by default). */
export const REVOCATION_COLLECTION = 'rocketchat_revocations';

/**
 * Work that ends a Rocket.Chat login, queued so that a failure (Rocket.Chat down, rate limited)
 * is retried with backoff, survives restarts, and is done by one replica at a time (an attempt
 * is claimed by moving `nextAttemptAt` one lease ahead, see RevocationQueueRepository).
 * `token`: one issued token (sealed as it was in its session record); `user-logout`: every
 * login of one Rocket.Chat user (`users.logout`, ROCKETCHAT_LOGOUT_MODE=all); `unknown-mint`:
 * tokens Rocket.Chat may have issued for an unanswered `users.createToken` (see UnknownMints).
 */
export interface RevocationDocument {
  _id: string;
  kind: 'token' | 'user-logout' | 'unknown-mint';
  rcUserId: string;
  /** The bridge user whose login this was, and why it ends (for the audit trail). */
  bridgeUserId?: string;
  reason?: string;
  strategy?: TokenStrategyName;
  sealedToken?: string;
  /** What the sealed token is bound to (its session record's id). */
  sealContext?: string;
  /** unknown-mint: when Rocket.Chat may have issued the token (its own clock, with slack). */
  windowStart?: Date;
  windowEnd?: Date;
  /** Attempts made so far. */
  attempts: number;
  /** When the next attempt is due (while one is under way: when its lease runs out). */
  nextAttemptAt: Date;
  /** The process that claimed the latest attempt (RevocationWorker.owner), for diagnosis. */
  claimedBy?: string;
  lastError?: string;
  /** After this the login has expired in Rocket.Chat anyway: the job is dropped. */
  notAfter: Date;
  createdAt: Date;
}

export const RevocationSchema = new Schema<RevocationDocument>(
  {
    _id: { type: String, required: true },
    kind: {
      type: String,
      required: true,
      enum: ['token', 'user-logout', 'unknown-mint'],
    },
    rcUserId: { type: String, required: true },
    bridgeUserId: { type: String },
    reason: { type: String },
    strategy: { type: String },
    sealedToken: { type: String },
    sealContext: { type: String },
    windowStart: { type: Date },
    windowEnd: { type: Date },
    attempts: { type: Number, required: true },
    nextAttemptAt: { type: Date, required: true },
    claimedBy: { type: String },
    lastError: { type: String },
    notAfter: { type: Date, required: true },
    createdAt: { type: Date, required: true },
  },
  { versionKey: false, strict: 'throw' },
);

RevocationSchema.index({ nextAttemptAt: 1 });
RevocationSchema.index({ rcUserId: 1 });
