import { Schema } from 'mongoose';
import type { TokenStrategyName } from '../../config/index.js';

export const SESSION_TOKEN_MODEL = 'RocketChatSessionToken';
/** Without MONGO_COLLECTION_PREFIX (`bridge_rocketchat_session_tokens` by default). */
export const SESSION_TOKEN_COLLECTION = 'rocketchat_session_tokens';

/**
 * The Rocket.Chat login of one bridge session ("the session record" for Rocket.Chat purposes,
 * kept here so the session module knows nothing of Rocket.Chat). Keyed by the session id, so there
 * is at most one token per bridge login, plus at most one for the Rocket.Chat app it opened
 * (`<session id>:app`, see token-records.ts). `minting` is a claim taken before asking Rocket.Chat,
 * so that concurrent requests of one session never mint two tokens.
 */
export interface SessionTokenDocument {
  /** The bridge session's id (never its cookie token). */
  _id: string;
  bridgeUserId: string;
  state: 'minting' | 'issued';
  /** Who may complete a `minting` record, and until when. */
  claimId?: string;
  claimUntil?: Date;
  rcUserId?: string;
  strategy?: TokenStrategyName;
  /** AES-256-GCM, bound to this record's id. */
  sealedToken?: string;
  /** base64 SHA-256, as Rocket.Chat stores it. */
  hashedToken?: string;
  issuedAt?: Date;
  /** When and how the token was handed to the browser. */
  deliveredAt?: Date;
  /**
   * `api`: answered by the API URL; `frame`: posted by the framed post-login page; `page`: that
   * page, framing unknown; `app`: the "Open in the Rocket.Chat app" link (the `<session id>:app` record).
   */
  deliveredTo?: 'api' | 'frame' | 'page' | 'app';
  createdAt: Date;
}

export const SessionTokenSchema = new Schema<SessionTokenDocument>(
  {
    _id: { type: String, required: true },
    bridgeUserId: { type: String, required: true },
    state: { type: String, required: true, enum: ['minting', 'issued'] },
    claimId: { type: String },
    claimUntil: { type: Date },
    rcUserId: { type: String },
    strategy: { type: String },
    sealedToken: { type: String },
    hashedToken: { type: String },
    issuedAt: { type: Date },
    deliveredAt: { type: Date },
    deliveredTo: { type: String, enum: ['api', 'frame', 'page', 'app'] },
    createdAt: { type: Date, required: true },
  },
  { versionKey: false, strict: 'throw' },
);

SessionTokenSchema.index({ bridgeUserId: 1 });
SessionTokenSchema.index({ rcUserId: 1 });
