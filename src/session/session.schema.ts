import { Schema, type Types } from 'mongoose';

export const SESSION_MODEL = 'Session';

/**
 * A TTL index is only a backstop, days after expiry: the sweep must find an expired record first,
 * because only the sweep emits the logout event that lets Rocket.Chat's token be revoked.
 */
export const TTL_GRACE_SECONDS = 3 * 24 * 3600;

export interface SessionRecord {
  /** The first 96 bits of tokenHash (sessionRecordId), so a cookie is found by `_id`. */
  _id: Types.ObjectId;
  /** SHA-256 of the cookie's token; the token itself is never stored. */
  tokenHash: string;
  userId: string;
  createdAt: Date;
  lastSeenAt: Date;
  /** When the session ends: min(last seen + idle timeout, absoluteExpiresAt). */
  expiresAt: Date;
  absoluteExpiresAt: Date;
  /** Rocket.Chat refused the token it was given: ask before logging in again. */
  interactionRequired: boolean;
  /** "Continue as" was chosen: the next hand-out replaces the session's token (absent: no). */
  tokenRenewal?: boolean;
  /**
   * When the person's identity source last vouched for them (sign-in, then each re-check of a
   * directory person); absent on sessions from before re-checks existed (due at once).
   */
  sourceCheckedAt?: Date;
}

export const SessionSchema = new Schema<SessionRecord>(
  {
    tokenHash: { type: String, required: true },
    userId: { type: String, required: true },
    createdAt: { type: Date, required: true },
    lastSeenAt: { type: Date, required: true },
    expiresAt: { type: Date, required: true },
    absoluteExpiresAt: { type: Date, required: true },
    interactionRequired: { type: Boolean, required: true, default: false },
    tokenRenewal: { type: Boolean },
    sourceCheckedAt: { type: Date },
  },
  { versionKey: false },
);

// No index on tokenHash: records are found by `_id`, derived from it (sessionRecordId).
SessionSchema.index({ userId: 1 });
SessionSchema.index(
  { expiresAt: 1 },
  { expireAfterSeconds: TTL_GRACE_SECONDS, name: 'expiresAt_ttl' },
);
// The sweep's query, also where the server refuses the TTL index (FerretDB v1).
SessionSchema.index({ expiresAt: 1, _id: 1 });
// The source re-check's query: sessions whose person is due to be checked again.
SessionSchema.index({ sourceCheckedAt: 1 });
