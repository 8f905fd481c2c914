import { Injectable } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { LoginFlowCookie } from '../../security/index.js';
import { SessionService } from '../../session/index.js';
import { UsersRepository } from '../../users/index.js';
import { LoginViews } from './login-views.js';
import { DEFAULT_NEXT } from './next-target.js';

/**
 * The bridge opened on its own (GET /, GET /logout): who is signed in here, a link to Rocket.Chat
 * and a log-out button; the login form to anyone else. Rocket.Chat's iframe uses /login instead.
 * Sent on the reply, like LoginViews: the HTTP edge of HomeController and LogoutController.
 */
@Injectable()
export class SignedInPage {
  constructor(
    private readonly sessions: SessionService,
    private readonly flows: LoginFlowCookie,
    private readonly users: UsersRepository,
    private readonly views: LoginViews,
  ) {}

  async show(
    request: FastifyRequest,
    reply: FastifyReply,
  ): Promise<FastifyReply> {
    const session = await this.sessions.resolve(request);
    // The log-out form and the login form both post with this flow's CSRF token.
    const flow = this.flows.start(request, reply, {
      next: DEFAULT_NEXT,
      popup: false,
    });
    const user = session ? await this.users.findById(session.userId) : null;
    if (user?.active) {
      return this.views.signedIn(
        request,
        reply,
        flow,
        user.displayName ?? user.username,
      );
    }
    return this.views.form(request, reply, flow);
  }
}
