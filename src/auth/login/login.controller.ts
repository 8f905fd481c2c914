import {
  Controller,
  Get,
  Post,
  Query,
  Req,
  Res,
  UseFilters,
  UseGuards,
} from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import {
  CsrfGuard,
  type LoginFlow,
  LoginFlowCookie,
  RateLimit,
} from '../../security/index.js';
import { SessionService } from '../../session/index.js';
import type { AuthenticatedUser } from '../../users/index.js';
import { Frameable } from '../../web/index.js';
import { DeviceCookie } from '../protection/device-cookie.js';
import { TrustedHeaderSignIn } from '../trusted-header/trusted-header-sign-in.service.js';
import { LocalAuthGuard } from './local-auth.guard.js';
import { LoginExceptionFilter } from './login-exception.filter.js';
import { parseLoginForm } from './login-form.js';
import { LoginService } from './login.service.js';
import { LoginViews } from './login-views.js';

/** The login page (Rocket.Chat's Iframe URL is `/login/?next=…`; both slash forms answer). */
@Controller('login')
@UseFilters(LoginExceptionFilter)
export class LoginController {
  constructor(
    private readonly login: LoginService,
    private readonly sessions: SessionService,
    private readonly flows: LoginFlowCookie,
    private readonly views: LoginViews,
    private readonly device: DeviceCookie,
    private readonly trustedHeader: TrustedHeaderSignIn,
  ) {}

  /**
   * A visitor with a session goes straight on (303), unless the page must ask ("Continue as …"):
   * Rocket.Chat refused the session's token, or the chat shows this page (its frame, or the login
   * window opened from it). The chat shows its login frame only when it has no working token,
   * typically because the one it had died in a logout there: never log straight back in then
   * (Rocket.Chat issue #28006). Otherwise the form, with a new or refreshed login flow. Behind a
   * forward-auth proxy (TRUSTED_HEADER_USER), the person it names is signed in first, unless this
   * browser's session is theirs already.
   */
  @Get()
  @Frameable()
  async show(
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @Query('next') next: unknown,
    @Query('popup') popup: unknown,
    @Query('client') client: unknown,
  ): Promise<FastifyReply> {
    const target = this.login.target({ next, popup, client });
    const header = await this.trustedHeader.signIn(request, reply);
    if (header.kind === 'signed-in') {
      this.flows.end(reply);
      return this.views.redirect(reply, target);
    }
    if (header.kind === 'refused') {
      const { status, error, values } = header.page;
      const flow = this.flows.start(request, reply, target);
      return this.views.form(request, reply, flow, {
        status,
        error,
        errorValues: values,
      });
    }
    const session = await this.sessions.resolve(request);
    if (
      session &&
      !session.interactionRequired &&
      !insideChat(request, target.popup)
    ) {
      return this.views.redirect(reply, target);
    }
    const flow = this.flows.start(request, reply, target);
    const name = session ? await this.login.continuableAs(session) : undefined;
    return name === undefined
      ? this.views.form(request, reply, flow)
      : this.views.continueAs(request, reply, flow, name);
  }

  /**
   * The rate limit first (a global guard), then CSRF, then the form's shape, then the credentials
   * (guards run in this order); then a new session, a renewed device cookie, and on to `next`.
   */
  @Post()
  @Frameable()
  @RateLimit('forms')
  @UseGuards(CsrfGuard, LocalAuthGuard)
  async submit(
    @Req() request: FastifyRequest & { user: AuthenticatedUser },
    @Res() reply: FastifyReply,
  ): Promise<FastifyReply> {
    const flow = this.verifiedFlow(request);
    const session = await this.sessions.create(request, reply, request.user.id);
    // For the name as typed: the lockout counts by it, and a directory may accept other spellings.
    this.device.issue(reply, parseLoginForm(request.body).username);
    this.flows.end(reply);
    this.login.loggedIn(request.user.id, session);
    return this.views.redirect(reply, flow);
  }

  /** The visitor confirmed the account: stop asking and go on (back to the form if it ended). */
  @Post('continue')
  @Frameable()
  @RateLimit('forms')
  @UseGuards(CsrfGuard)
  async continue(
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<FastifyReply> {
    const flow = this.verifiedFlow(request);
    if (!(await this.login.confirm(await this.sessions.resolve(request)))) {
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
