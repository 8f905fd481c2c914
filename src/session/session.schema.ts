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
  /** Signed in through an OpenID provider: its session, for back-channel and RP-initiated logout. */
  oidc?: ProviderSessionRecord;
  /**
   * When the person's identity source last vouched for them (sign-in, then each re-check of a
   * directory person); absent on sessions from before re-checks existed (due at once).
   */
  sourceCheckedAt?: Date;
}

/** The provider's side of a session signed in through OpenID Connect. */
export interface ProviderSessionRecord {
  providerId: string;
  /** The person's `sub` at that provider. */
  sub: string;
  /** The provider's session id (`sid` claim), when it sends one. */
  sid?: string;
  /** The ID token, sealed (bound to this session's id), for RP-initiated logout's id_token_hint. */
  idToken?: string;
}

const ProviderSessionSchema = new Schema<ProviderSessionRecord>(
  {
    providerId: { type: String, required: true },
    sub: { type: String, required: true },
    sid: { type: String },
    idToken: { type: String },
  },
  { _id: false },
);

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
    oidc: { type: ProviderSessionSchema, required: false },
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
// Back-channel logout finds sessions by the provider's sub or sid.
SessionSchema.index({ 'oidc.providerId': 1, 'oidc.sub': 1 }, { sparse: true });
SessionSchema.index({ 'oidc.providerId': 1, 'oidc.sid': 1 }, { sparse: true });
// The source re-check's query: sessions whose person is due to be checked again.
SessionSchema.index({ sourceCheckedAt: 1 });
