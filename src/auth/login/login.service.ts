import { Injectable, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AuditService } from '../../audit/index.js';
import { InjectConfig, type AppConfig } from '../../config/index.js';
import {
  BoundedMemo,
  LoginFlowService,
  SessionService,
  type LoginFlow,
  type Session,
} from '../../session/index.js';
import { UsersRepository, type AuthenticatedUser } from '../users/index.js';
import { LoginViews } from './login-views.service.js';
import { DEFAULT_NEXT, withElectronFlag, safeNext } from './next-target.js';

/** The login page's decisions: form, "continue as", straight on to `next`, logout. */
@Injectable()
export class LoginService {
  private readonly logger = new Logger(LoginService.name);
  /** Rocket.Chat asks with the same `next` every time: validate each distinct value once. */
  private readonly nextTargets = new BoundedMemo((raw) =>
    safeNext(raw, this.app.publicOrigin),
  );

  constructor(
    @InjectConfig('app') private readonly app: AppConfig,
    private readonly sessions: SessionService,
    private readonly flows: LoginFlowService,
    private readonly users: UsersRepository,
    private readonly views: LoginViews,
    private readonly audit: AuditService,
  ) {}

  /**
   * GET /login. `next` is validated here, once, and kept in the login-flow cookie. A visitor with a
   * session goes straight on (303), unless the page must ask ("Continue as"): Rocket.Chat refused
   * the session's token, or the chat shows this page (its frame, or the login window opened from
   * it). The chat shows its login frame only when it has no working token, typically because the
   * one it had died in a logout there: never log straight back in then (Rocket.Chat issue #28006).
   */
  async show(
    request: FastifyRequest,
    reply: FastifyReply,
    query: { next?: unknown; popup?: unknown; client?: unknown },
  ): Promise<FastifyReply> {
    const next =
      (typeof query.next === 'string'
        ? this.nextTargets.get(query.next)
        : undefined) ?? DEFAULT_NEXT;
    const target = {
      next:
        query.client === 'electron'
          ? withElectronFlag(next, this.app.publicOrigin)
          : next,
      popup: query.popup === '1',
    };
    const session = await this.sessions.resolve(request);
    if (
      session &&
      !session.interactionRequired &&
      !insideChat(request, target.popup)
    ) {
      return this.views.redirect(reply, target);
    }
    const flow = this.flows.start(request, reply, target);
    if (session) {
      const name = await this.continuableAs(session);
      if (name !== undefined) {
        return this.views.continueAs(request, reply, flow, name);
      }
    }
    return this.views.form(request, reply, flow);
  }

  /** POST /login after the CSRF and credential checks: a new session, then on to `next`. */
  async complete(
    request: FastifyRequest,
    reply: FastifyReply,
    user: AuthenticatedUser,
  ): Promise<FastifyReply> {
    const flow = this.verifiedFlow(request);
    const session = await this.sessions.create(request, reply, user.id);
    this.flows.end(reply);
    this.logger.log(`User ${user.id} logged in (session ${session.id})`);
    return this.views.redirect(reply, flow);
  }

  /**
   * POST /login/continue: the visitor confirmed the account; stop asking and go on. The token
   * handed out before is replaced by a fresh one at the next hand-out.
   */
  async continue(
    request: FastifyRequest,
    reply: FastifyReply,
  ): Promise<FastifyReply> {
    const flow = this.verifiedFlow(request);
    const session = await this.sessions.resolve(request);
    if (!session || !(await this.sessions.confirm(session.id))) {
      // The session ended meanwhile: back to the form, same target.
      return this.views.form(
        request,
        reply,
        this.flows.start(request, reply, flow),
      );
    }
    this.flows.end(reply);
    return this.views.redirect(reply, flow);
  }

  /**
   * POST /logout: ends the session (announced as `session.logged-out`), audits the logout (from
   * the bridge's side) and shows a page.
   */
  async logout(
    request: FastifyRequest,
    reply: FastifyReply,
  ): Promise<FastifyReply> {
    const flow = this.flows.verifiedFlow(request);
    const ended = await this.sessions.logout(request, reply);
    void this.audit.record(
      { kind: 'logout', userId: ended?.userId, direction: 'bridge' },
      request,
    );
    this.flows.end(reply);
    return this.views.loggedOut(request, reply, flow);
  }

  /** The name to offer, or undefined when the account can no longer log in (session ended). */
  private async continuableAs(session: Session): Promise<string | undefined> {
    const user = await this.users.findById(session.userId);
    if (!user?.active) {
      await this.sessions.destroy(session.id, 'user-disabled');
      return undefined;
    }
    return user.displayName ?? user.username;
  }

  private verifiedFlow(request: FastifyRequest): LoginFlow {
    const flow = this.flows.verifiedFlow(request);
    if (!flow) {
      // Only reachable if a route forgot CsrfGuard: refuse rather than guess a target.
      throw new Error('Login flow not verified: the route lacks CsrfGuard');
    }
    return flow;
  }
}

/** The page is shown by the chat: in its login frame, or in the login window opened from it. */
function insideChat(request: FastifyRequest, popup: boolean): boolean {
  return popup || request.headers['sec-fetch-dest'] === 'iframe';
}
