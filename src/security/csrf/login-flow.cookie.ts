import { Injectable } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { SessionCookies } from '../../session/index.js';
import type { LoginFlow, LoginFlowRead } from './login-flow.js';
import { LoginFlowService } from './login-flow.service.js';

/**
 * The login flow at the HTTP edge: its value in and out of the login-flow cookie, and the flow a
 * CSRF-checked request proved (CsrfGuard marks it, the route's handler and filter read it).
 */
@Injectable()
export class LoginFlowCookie {
  private readonly verified = new WeakMap<object, LoginFlow>();

  constructor(
    private readonly cookies: SessionCookies,
    private readonly flows: LoginFlowService,
  ) {}

  /** Starts (or refreshes) the flow for a served page and sets its cookie. */
  start(
    request: FastifyRequest,
    reply: FastifyReply,
    target: { next: string; popup: boolean },
  ): LoginFlow {
    const { flow, value } = this.flows.start(
      this.cookies.readLogin(request),
      target,
    );
    this.cookies.setLogin(reply, value);
    return flow;
  }

  read(request: FastifyRequest): LoginFlowRead {
    return this.flows.read(this.cookies.readLogin(request));
  }

  /** Ends the flow (after a login): the next form gets a new nonce. */
  end(reply: FastifyReply): void {
    this.cookies.clearLogin(reply);
  }

  /** The flow a CSRF-checked request proved, for its handler. */
  verifiedFlow(request: FastifyRequest): LoginFlow | undefined {
    return this.verified.get(request);
  }

  markVerified(request: FastifyRequest, flow: LoginFlow): void {
    this.verified.set(request, flow);
  }
}
