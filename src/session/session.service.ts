import { Injectable } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { InjectConfig, type SessionConfig } from '../config/index.js';
import { Clock } from './clock.js';
import type { SessionEndReason } from './events/session-logged-out.event.js';
import { toSession, type Session } from './session.js';
import { SessionCookies } from './session-cookies.js';
import { SessionEnder } from './session-ender.service.js';
import { SessionRepository } from './session.repository.js';
import type { SessionRecord } from './session.schema.js';
import { SessionUserCheck } from './session-user-check.service.js';
import {
  hashSessionToken,
  isWellFormedToken,
  newSessionToken,
} from './session-token.js';

const NO_SESSION: Promise<null> = Promise.resolve(null);

/**
 * Sessions for the rest of the application. Every method may throw SessionStoreUnavailableError
 * (mapped to 503): a store that cannot answer never means "no session".
 */
@Injectable()
export class SessionService {
  /** One lookup per request, however many guards and handlers ask. */
  private readonly resolved = new WeakMap<object, Promise<Session | null>>();

  constructor(
    @InjectConfig('session') private readonly config: SessionConfig,
    private readonly repository: SessionRepository,
    private readonly ender: SessionEnder,
    private readonly cookies: SessionCookies,
    private readonly clock: Clock,
    private readonly userCheck: SessionUserCheck,
  ) {}

  /**
   * The request's live session, or null (no, unknown, malformed or expired cookie; a user since
   * disabled, deleted or given a new password, whose session then ends).
   */
  resolve(request: FastifyRequest): Promise<Session | null> {
    let pending = this.resolved.get(request);
    if (!pending) {
      if (!this.presentsToken(request)) {
        // Most login page views: no cookie, nothing to look up or remember.
        return NO_SESSION;
      }
      pending = this.lookup(request);
      this.resolved.set(request, pending);
    }
    return pending;
  }

  /**
   * Logs `userId` in: always a new token (a cookie the server did not issue is never adopted),
   * and the request's previous session, if any, ends as `replaced`.
   */
  async create(
    request: FastifyRequest,
    reply: FastifyReply,
    userId: string,
  ): Promise<Session> {
    const previous = await this.currentRecord(request);
    const now = this.clock.now();
    if (previous) {
      await this.ender.end(
        previous,
        isExpired(previous, now) ? 'expired' : 'replaced',
      );
    }
    const absoluteExpiresAt = new Date(now + this.config.absoluteTimeoutMs);
    const token = newSessionToken();
    const record = await this.repository.insert({
      tokenHash: hashSessionToken(token),
      userId,
      createdAt: new Date(now),
      lastSeenAt: new Date(now),
      expiresAt: this.slidingExpiry(now, absoluteExpiresAt),
      absoluteExpiresAt,
      interactionRequired: false,
    });
    this.cookies.setSession(reply, token);
    const session = toSession(record);
    this.resolved.set(request, Promise.resolve(session));
    return session;
  }

  /** Ends the request's session (if any) and clears its cookie either way. */
  async logout(
    request: FastifyRequest,
    reply: FastifyReply,
  ): Promise<Session | null> {
    const record = await this.currentRecord(request);
    this.cookies.clearSession(reply);
    this.resolved.set(request, Promise.resolve(null));
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

  private async lookup(request: FastifyRequest): Promise<Session | null> {
    const record = await this.currentRecord(request);
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

  private async currentRecord(
    request: FastifyRequest,
  ): Promise<SessionRecord | null> {
    const token = this.cookies.readSession(request);
    if (token === undefined || !isWellFormedToken(token)) {
      return null;
    }
    return this.repository.findByTokenHash(hashSessionToken(token));
  }

  private presentsToken(request: FastifyRequest): boolean {
    const token = this.cookies.readSession(request);
    return token !== undefined && isWellFormedToken(token);
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
