import { Schema } from 'mongoose';

export const THROTTLE_MODEL = 'ThrottleRecord';
/** Without MONGO_COLLECTION_PREFIX (`bridge_throttle` by default). */
export const THROTTLE_COLLECTION = 'throttle';

export type ThrottleSubjectKind = 'account' | 'address';

/**
 * Two kinds of documents share the collection, both found by `_id` only (FerretDB v1 uses no
 * other index for lookups):
 * - slots `s|<counter>|<window>|<n>`: one per counted event, inserted exactly once (an insert is
 *   atomic on FerretDB too, where a concurrent `$inc` loses updates);
 * - heads `h|<a|i>|<subject>`: per account or client address, the current generation (part of
 *   every counter key, so a reset is a new generation rather than a delete) and lock state.
 */
export interface ThrottleRecord {
  _id: string;
  /** When the record no longer matters (checked on read; swept; a TTL index where supported). */
  expiresAt: Date;
  kind?: ThrottleSubjectKind;
  /** The normalised username or the address key, for listing. */
  subject?: string;
  generation?: string;
  /** An account lock, refusing every attempt until then. */
  lockedUntil?: Date;
  /** Consecutive locks (the lock duration doubles with each, up to the maximum). */
  lockLevel?: number;
  lastLockAt?: Date;
  /** An address over its failure budget (informational, for `rc-bridge locks list`). */
  throttledUntil?: Date;
  updatedAt?: Date;
}

export const ThrottleSchema = new Schema<ThrottleRecord>(
  {
    _id: { type: String, required: true },
    expiresAt: { type: Date, required: true },
    kind: { type: String, enum: ['account', 'address'] },
    subject: { type: String },
    generation: { type: String },
    lockedUntil: { type: Date },
    lockLevel: { type: Number },
    lastLockAt: { type: Date },
    throttledUntil: { type: Date },
    updatedAt: { type: Date },
  },
  { versionKey: false, strict: 'throw' },
);

ThrottleSchema.index(
  { expiresAt: 1 },
  { expireAfterSeconds: 0, name: 'expiresAt_ttl' },
);
