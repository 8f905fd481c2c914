import type { SessionRecord } from './session.schema.js';

/** The OpenID provider's side of a session (see SessionRecord.oidc). */
export interface ProviderSession {
  readonly providerId: string;
  readonly sub: string;
  readonly sid?: string;
  /** Sealed; opened with the session's id as context. */
  readonly idToken?: string;
}

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
  /** Set when the session was signed in through an OpenID provider. */
  readonly oidc?: ProviderSession;
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
    ...(record.oidc ? { oidc: { ...record.oidc } } : {}),
  };
}
