import type { SessionRecord } from './session.schema.js';

/** A live session, as the rest of the application sees it. */
export interface Session {
  /** The record's id: safe to log and to key other data by. Never the token. */
  readonly id: string;
  readonly userId: string;
  readonly createdAt: Date;
  readonly lastSeenAt: Date;
  readonly expiresAt: Date;
  /** Set when Rocket.Chat refused its token: the login page asks before continuing. */
  readonly interactionRequired: boolean;
  /** The person confirmed ("Continue as"): the next hand-out replaces the token handed out before. */
  readonly tokenRenewal: boolean;
}

export function toSession(record: SessionRecord): Session {
  return {
    id: record._id.toHexString(),
    userId: record.userId,
    createdAt: record.createdAt,
    lastSeenAt: record.lastSeenAt,
    expiresAt: record.expiresAt,
    interactionRequired: record.interactionRequired,
    tokenRenewal: record.tokenRenewal === true,
  };
}
