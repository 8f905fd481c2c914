import { Schema } from 'mongoose';

export const ADMIN_CREDENTIALS_MODEL = 'RocketChatAdminCredentials';
/** Without MONGO_COLLECTION_PREFIX (`bridge_rocketchat_admin` by default). */
export const ADMIN_CREDENTIALS_COLLECTION = 'rocketchat_admin';

/**
 * Two kinds of documents, told apart by `_id`: `credentials` (the personal access token the
 * bridge created for itself, sealed with TOKEN_ENCRYPTION_KEY) and `bootstrap-lock` (a lease, so
 * that only one replica creates it).
 */
export interface AdminCredentialsDocument {
  _id: string;
  rcUserId?: string;
  sealedToken?: string;
  /** The Rocket.Chat base URL the token belongs to: a token for another server is not reused. */
  rocketChatUrl?: string;
  owner?: string;
  leaseUntil?: Date;
  createdAt: Date;
}

export const AdminCredentialsSchema = new Schema<AdminCredentialsDocument>(
  {
    _id: { type: String, required: true },
    rcUserId: { type: String },
    sealedToken: { type: String },
    rocketChatUrl: { type: String },
    owner: { type: String },
    leaseUntil: { type: Date },
    createdAt: { type: Date, required: true },
  },
  { versionKey: false, strict: 'throw' },
);
