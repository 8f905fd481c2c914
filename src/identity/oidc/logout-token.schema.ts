import { Schema } from 'mongoose';

export const OIDC_LOGOUT_TOKEN_MODEL = 'OidcLogoutToken';

/** A back-channel logout token already acted on, kept until it could no longer be accepted. */
export interface LogoutTokenRecord {
  /** SHA-256 (hex) of issuer and `jti`: a replay finds the same id and is refused. */
  _id: string;
  providerId: string;
  receivedAt: Date;
  expiresAt: Date;
}

export const LogoutTokenSchema = new Schema<LogoutTokenRecord>(
  {
    _id: { type: String, required: true },
    providerId: { type: String, required: true },
    receivedAt: { type: Date, required: true },
    expiresAt: { type: Date, required: true },
  },
  { versionKey: false },
);

LogoutTokenSchema.index(
  { expiresAt: 1 },
  { expireAfterSeconds: 0, name: 'expiresAt_ttl' },
);
