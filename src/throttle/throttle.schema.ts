import { Schema } from 'mongoose';

export const THROTTLE_MODEL = 'ThrottleRecord';
/** Without MONGO_COLLECTION_PREFIX (`bridge_throttle` by default). */
export const THROTTLE_COLLECTION = 'throttle';

/** What a record counts or remembers, for `rc-bridge locks` (lists and clears by kind and subject). */
export type ThrottleKind = 'account' | 'address' | 'device' | 'credit' | 'lock';

/**
 * One document per counter or lock history, found by `_id`:
 * - counters (`a|…` account, `i|…` address, `d|…` device cookie, `p|…` an address's failures of
 *   one account awaiting a success): `count` events in a window that ends at `expiresAt`;
 * - lock histories (`h|…`): an account's last lock, for escalation and `rc-bridge locks list`.
 * `expiresAt` is a TTL index: MongoDB deletes a record once it no longer matters.
 */
export interface ThrottleRecord {
  _id: string;
  expiresAt: Date;
  count?: number;
  /** The count at which a counter refuses, for `rc-bridge locks list` (run with its own settings). */
  limit?: number;
  kind?: ThrottleKind;
  /** The normalised username, or the address key. */
  subject?: string;
  lockedUntil?: Date;
  /** Consecutive locks (each doubles the duration, up to the maximum). */
  lockLevel?: number;
  lastLockAt?: Date;
}

export const ThrottleSchema = new Schema<ThrottleRecord>(
  {
    _id: { type: String, required: true },
    expiresAt: { type: Date, required: true },
    count: { type: Number },
    limit: { type: Number },
    kind: {
      type: String,
      enum: ['account', 'address', 'device', 'credit', 'lock'],
    },
    subject: { type: String },
    lockedUntil: { type: Date },
    lockLevel: { type: Number },
    lastLockAt: { type: Date },
  },
  { versionKey: false, strict: 'throw' },
);

ThrottleSchema.index(
  { expiresAt: 1 },
  { expireAfterSeconds: 0, name: 'expiresAt_ttl' },
);
