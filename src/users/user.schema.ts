import { Schema, type Types } from 'mongoose';

export const USER_MODEL = 'BridgeUser';
/** Without MONGO_COLLECTION_PREFIX, which prefixedModels adds (`bridge_users` by default). */
export const USER_COLLECTION = 'users';

/** A user as stored. Only UsersRepository reads or writes these documents. */
export interface UserDocument {
  _id: Types.ObjectId;
  /** As displayed and sent to Rocket.Chat (NFKC, trimmed, case kept). */
  username: string;
  /** The unique lookup key (lower-cased username): FerretDB has no collations. */
  usernameNormalized: string;
  email?: string;
  displayName?: string;
  active: boolean;
  /** argon2id PHC string, or an imported Django `pbkdf2_sha256$…` until its first login. */
  passwordHash?: string;
  passwordChangedAt?: Date;
  lastLoginAt?: Date;
  /** The import run that wrote this user; lets a failed import remove exactly its own rows. */
  importBatch?: string;
  /** The user's primary key in the system it was imported from (Django's `pk`). */
  importedId?: string;
  /** 'ldap', 'oidc:<id>', 'header'; absent for local users. */
  source?: string;
  /** The stable id at `source` (OIDC `sub`, the entry's entryUUID / objectGUID, ...). */
  externalId?: string;
  /** `<source>|<externalId>`: one bridge user per person at a source (unique where set). */
  externalKey?: string;
  groups?: string[];
  createdAt: Date;
  updatedAt: Date;
}

export const UserSchema = new Schema<UserDocument>(
  {
    username: { type: String, required: true },
    usernameNormalized: { type: String, required: true },
    email: { type: String },
    displayName: { type: String },
    active: { type: Boolean, required: true, default: true },
    passwordHash: { type: String },
    passwordChangedAt: { type: Date },
    lastLoginAt: { type: Date },
    importBatch: { type: String },
    importedId: { type: String },
    source: { type: String },
    externalId: { type: String },
    externalKey: { type: String },
    groups: { type: [String], default: undefined },
  },
  { timestamps: true, versionKey: false, strict: 'throw' },
);

// Case-insensitive uniqueness through the stored key (a plain index: FerretDB has no collation).
UserSchema.index({ usernameNormalized: 1 }, { unique: true });
UserSchema.index({ importBatch: 1 });
// Sparse: local users have no external key, and MongoDB would otherwise count them as duplicates.
UserSchema.index({ externalKey: 1 }, { unique: true, sparse: true });
UserSchema.index({ email: 1 });
