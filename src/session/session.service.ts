import { Injectable } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { SessionEndReason } from './events/session-ended.event.js';
import type { ProviderSession, Session } from './session.js';
import { SessionCookies } from './session-cookies.js';
import { SessionLifecycle } from './session-lifecycle.service.js';
import { isWellFormedToken } from './session-token.js';

const NO_SESSION: Promise<null> = Promise.resolve(null);

/**
 * Sessions at the HTTP edge: the request's session cookie in, its token to SessionLifecycle, a new
 * or cleared cookie out, and one lookup per request however many guards and handlers ask. Every
 * method may throw SessionStoreUnavailableError (mapped to 503): a store that cannot answer never
 * means "no session".
 */
@Injectable()
export class SessionService {
  /** One lookup per request, however many guards and handlers ask. */
  private readonly resolved = new WeakMap<object, Promise<Session | null>>();

  constructor(
    private readonly cookies: SessionCookies,
    private readonly lifecycle: SessionLifecycle,
  ) {}

  /**
   * The request's live session, or null (no, unknown, malformed or expired cookie; a user since
   * disabled, deleted or given a new password, whose session then ends).
   */
  resolve(request: FastifyRequest): Promise<Session | null> {
    let pending = this.resolved.get(request);
    if (!pending) {
      const token = this.token(request);
      if (token === undefined) {
        // Most login page views: no cookie, nothing to look up or remember.
        return NO_SESSION;
      }
      pending = this.lifecycle.find(token);
      this.resolved.set(request, pending);
    }
    return pending;
  }

  /**
   * Logs `userId` in: always a new token and cookie (a cookie the server did not issue is never
   * adopted), and the request's previous session, if any, ends as `replaced`. `provider`: the
   * OpenID provider's session to keep with it (see SessionLifecycle.start).
   */
  async create(
    request: FastifyRequest,
    reply: FastifyReply,
    userId: string,
    provider?: (sessionId: string) => ProviderSession,
  ): Promise<Session> {
    const { session, token } = await this.lifecycle.start(
      userId,
      this.token(request),
      provider,
    );
    this.cookies.setSession(reply, token);
    this.resolved.set(request, Promise.resolve(session));
    return session;
  }

  /** Ends the request's session (if any) and clears its cookie either way. */
  async logout(
    request: FastifyRequest,
    reply: FastifyReply,
  ): Promise<Session | null> {
    const token = this.token(request);
    const ended =
      token === undefined ? null : await this.lifecycle.logout(token);
    this.cookies.clearSession(reply);
    this.resolved.set(request, Promise.resolve(null));
    return ended;
  }

  /** Ends one session by id; false when it had already ended. */
  destroy(sessionId: string, reason: SessionEndReason): Promise<boolean> {
    return this.lifecycle.destroy(sessionId, reason);
  }

  /** Ends every session of a user (say, one just disabled); returns how many this call ended. */
  destroyAllForUser(userId: string, reason: SessionEndReason): Promise<number> {
    return this.lifecycle.destroyAllForUser(userId, reason);
  }

  /** Ends the sessions of an OpenID provider's session (see SessionLifecycle). */
  destroyByProviderSession(
    providerId: string,
    match: { readonly sub?: string; readonly sid?: string },
    reason: SessionEndReason,
  ): Promise<number> {
    return this.lifecycle.destroyByProviderSession(providerId, match, reason);
  }

  /** Whether the session record still exists (see SessionLifecycle.exists). */
  exists(sessionId: string): Promise<boolean> {
    return this.lifecycle.exists(sessionId);
  }

  /** False when the session no longer exists. */
  setInteractionRequired(sessionId: string, value: boolean): Promise<boolean> {
    return this.lifecycle.setInteractionRequired(sessionId, value);
  }

  /**
   * The person confirmed the account ("Continue as"): the login page stops asking and the next
   * hand-out replaces the token issued before. False when the session no longer exists.
   */
  confirm(sessionId: string): Promise<boolean> {
    return this.lifecycle.confirm(sessionId);
  }

  /** Consumes a pending renewal (see confirm); true for exactly one caller. */
  takeTokenRenewal(sessionId: string): Promise<boolean> {
    return this.lifecycle.takeTokenRenewal(sessionId);
  }

  /** The session cookie's token, when it could be one this server issued. */
  private token(request: FastifyRequest): string | undefined {
    const token = this.cookies.readSession(request);
    return token !== undefined && isWellFormedToken(token) ? token : undefined;
  }
}
