import { Injectable } from '@nestjs/common';
import { Clock } from '../common/index.js';
import { InjectConfig, type SessionConfig } from '../config/index.js';
import type { SessionEndReason } from './events/session-ended.event.js';
import { toSession, type ProviderSession, type Session } from './session.js';
import { SessionEnder } from './session-ender.service.js';
import { SessionRepository } from './session.repository.js';
import type { SessionRecord } from './session.schema.js';
import { SessionUserCheck } from './session-user-check.service.js';
import {
  hashSessionToken,
  isWellFormedToken,
  newSessionToken,
  sessionRecordId,
} from './session-token.js';

/**
 * Sessions by their token: found (expiry, the user check and the sliding expiry applied), started,
 * ended. Knows no cookie or request (SessionService carries tokens to and from the browser).
 * Every method may throw SessionStoreUnavailableError (mapped to 503): a store that cannot answer
 * never means "no session".
 */
@Injectable()
export class SessionLifecycle {
  constructor(
    @InjectConfig('session') private readonly config: SessionConfig,
    private readonly repository: SessionRepository,
    private readonly ender: SessionEnder,
    private readonly clock: Clock,
    private readonly userCheck: SessionUserCheck,
  ) {}

  /**
   * The token's live session, or null (unknown, malformed or expired token; a user since
   * disabled, deleted or given a new password, whose session then ends).
   */
  async find(token: string): Promise<Session | null> {
    const record = await this.record(token);
    if (!record) {
      return null;
    }
    const now = this.clock.now();
    if (isExpired(record, now)) {
      // Enforced here, not left to a TTL index: some servers have none, and it runs late anyway.
      await this.ender.end(record, 'expired');
      return null;
    }
    const verdict = await this.userCheck.verdict(
      record.userId,
      record.createdAt,
    );
    if (verdict !== 'ok') {
      await this.ender.end(record, verdict);
      return null;
    }
    if (now - record.lastSeenAt.getTime() >= this.config.touchIntervalMs) {
      const lastSeenAt = new Date(now);
      const expiresAt = this.slidingExpiry(now, record.absoluteExpiresAt);
      await this.repository.touch(record._id, lastSeenAt, expiresAt);
      return toSession({ ...record, lastSeenAt, expiresAt });
    }
    return toSession(record);
  }

  /**
   * Logs `userId` in with a new token (a token the server did not issue is never adopted); the
   * session of `previousToken`, if any, ends as `replaced`. `provider` gives the OpenID provider's
   * session to keep with it; it is called with the new session's id (what a sealed ID token is
   * bound to) before anything is stored.
   */
  async start(
    userId: string,
    previousToken: string | undefined,
    provider?: (sessionId: string) => ProviderSession,
  ): Promise<{ readonly session: Session; readonly token: string }> {
    const previous =
      previousToken === undefined ? null : await this.record(previousToken);
    const now = this.clock.now();
    if (previous) {
      await this.ender.end(
        previous,
        isExpired(previous, now) ? 'expired' : 'replaced',
      );
    }
    const absoluteExpiresAt = new Date(now + this.config.absoluteTimeoutMs);
    const token = newSessionToken();
    const tokenHash = hashSessionToken(token);
    const oidc = provider?.(sessionRecordId(tokenHash));
    const record = await this.repository.insert({
      tokenHash,
      userId,
      createdAt: new Date(now),
      lastSeenAt: new Date(now),
      expiresAt: this.slidingExpiry(now, absoluteExpiresAt),
      absoluteExpiresAt,
      interactionRequired: false,
      ...(oidc ? { oidc: { ...oidc } } : {}),
      // Signing in is the source's latest word on the person.
      sourceCheckedAt: new Date(now),
    });
    return { session: toSession(record), token };
  }

  /** A logout: ends the token's session, if any; the session it ended, unless it had expired. */
  async logout(token: string): Promise<Session | null> {
    const record = await this.record(token);
    if (!record) {
      return null;
    }
    const expired = isExpired(record, this.clock.now());
    await this.ender.end(record, expired ? 'expired' : 'logout');
    return expired ? null : toSession(record);
  }

  /** Ends one session by id; false when it had already ended. */
  async destroy(sessionId: string, reason: SessionEndReason): Promise<boolean> {
    const record = await this.repository.findById(sessionId);
    return record ? this.ender.end(record, reason) : false;
  }

  /** Ends every session of a user (say, one just disabled); returns how many this call ended. */
  async destroyAllForUser(
    userId: string,
    reason: SessionEndReason,
  ): Promise<number> {
    let ended = 0;
    for (const record of await this.repository.findByUser(userId)) {
      if (await this.ender.end(record, reason)) {
        ended += 1;
      }
    }
    return ended;
  }

  /**
   * Ends the sessions signed in through `providerId` with that `sub` and/or `sid` (a back-channel
   * logout); returns how many this call ended.
   */
  async destroyByProviderSession(
    providerId: string,
    match: { readonly sub?: string; readonly sid?: string },
    reason: SessionEndReason,
  ): Promise<number> {
    let ended = 0;
    for (const record of await this.repository.findByProviderSession(
      providerId,
      match,
    )) {
      if (await this.ender.end(record, reason)) {
        ended += 1;
      }
    }
    return ended;
  }

  /**
   * Whether the session record still exists (an expired one does until it is ended, which is
   * announced like any end). For modules that keep data per session and sweep what outlived it.
   */
  async exists(sessionId: string): Promise<boolean> {
    return (await this.repository.findById(sessionId)) !== null;
  }

  /** False when the session no longer exists. */
  setInteractionRequired(sessionId: string, value: boolean): Promise<boolean> {
    return this.repository.setInteractionRequired(sessionId, value);
  }

  /**
   * The person confirmed the account ("Continue as"): the login page stops asking and the next
   * hand-out replaces the token issued before. False when the session no longer exists.
   */
  confirm(sessionId: string): Promise<boolean> {
    return this.repository.confirm(sessionId);
  }

  /** Consumes a pending renewal (see confirm); true for exactly one caller. */
  takeTokenRenewal(sessionId: string): Promise<boolean> {
    return this.repository.takeTokenRenewal(sessionId);
  }

  private record(token: string): Promise<SessionRecord | null> {
    if (!isWellFormedToken(token)) {
      return Promise.resolve(null);
    }
    return this.repository.findByTokenHash(hashSessionToken(token));
  }

  private slidingExpiry(now: number, absoluteExpiresAt: Date): Date {
    return new Date(
      Math.min(now + this.config.idleTimeoutMs, absoluteExpiresAt.getTime()),
    );
  }
}

function isExpired(record: SessionRecord, now: number): boolean {
  return (
    record.expiresAt.getTime() <= now ||
    record.absoluteExpiresAt.getTime() <= now
  );
}
