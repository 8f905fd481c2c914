import { Schema } from 'mongoose';

export const LEASE_LOCK_MODEL = 'RocketChatLeaseLock';
/** Without MONGO_COLLECTION_PREFIX (`bridge_rocketchat_leases` by default). */
export const LEASE_LOCK_COLLECTION = 'rocketchat_leases';

/** One won turn at some work; the key says which work and which turn. */
export interface LeaseLockDocument {
  _id: string;
  owner: string;
  expiresAt: Date;
}

export const LeaseLockSchema = new Schema<LeaseLockDocument>(
  {
    _id: { type: String, required: true },
    owner: { type: String, required: true },
    expiresAt: { type: Date, required: true },
  },
  { versionKey: false, strict: 'throw' },
);

LeaseLockSchema.index({ expiresAt: 1 });
