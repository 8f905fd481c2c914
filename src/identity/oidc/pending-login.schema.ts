import { Schema } from 'mongoose';

export const OIDC_PENDING_LOGIN_MODEL = 'OidcPendingLogin';

/** A sign-in sent to a provider and not yet back: what its callback is checked against. */
export interface PendingLoginRecord {
  /** SHA-256 of `state` (hex): the callback's state finds it; the state itself is not stored. */
  _id: string;
  /** SHA-256 of the random value in the browser's cookie: another browser's callback fails. */
  bindingHash: string;
  providerId: string;
  nonce: string;
  /** PKCE code_verifier: single use, useless without the code and the client's credentials. */
  codeVerifier: string;
  /** Where the person goes after signing in (validated by the caller before the start). */
  next: string;
  /** Started in a popup from Rocket.Chat's iframe: the callback answers the opener. */
  popup: boolean;
  createdAt: Date;
  expiresAt: Date;
}

export const PendingLoginSchema = new Schema<PendingLoginRecord>(
  {
    _id: { type: String, required: true },
    bindingHash: { type: String, required: true },
    providerId: { type: String, required: true },
    nonce: { type: String, required: true },
    codeVerifier: { type: String, required: true },
    next: { type: String, required: true },
    popup: { type: Boolean, required: true },
    createdAt: { type: Date, required: true },
    expiresAt: { type: Date, required: true },
  },
  { versionKey: false },
);

// Expired sign-ins go at once; where TTL indexes are refused (FerretDB v1), OidcSweeper deletes them.
PendingLoginSchema.index(
  { expiresAt: 1 },
  { expireAfterSeconds: 0, name: 'expiresAt_ttl' },
);
