import {
  Controller,
  Get,
  Optional,
  Post,
  Req,
  Res,
  UseFilters,
  UseGuards,
} from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CsrfGuard, LoginFlowCookie, RateLimit } from '../../security/index.js';
import { SessionService } from '../../session/index.js';
import { Frameable } from '../../web/index.js';
import { ProviderLogout } from '../oidc/provider-logout.service.js';
import { loginClient } from './login-client.js';
import { LoginExceptionFilter } from './login-exception.filter.js';
import { LoginService } from './login.service.js';
import { LoginViews } from './login-views.js';
import { SignedInPage } from './signed-in-page.js';

/**
 * Logout is a CSRF-checked POST only: a GET must not end a session (a link or image could), so
 * GET shows the page with the log-out button (or the login form).
 */
@Controller('logout')
@UseFilters(LoginExceptionFilter)
export class LogoutController {
  constructor(
    private readonly login: LoginService,
    private readonly sessions: SessionService,
    private readonly flows: LoginFlowCookie,
    private readonly views: LoginViews,
    private readonly signedIn: SignedInPage,
    /** Present when OpenID providers are configured (AuthModule.forRoot). */
    @Optional() private readonly providerLogout?: ProviderLogout,
  ) {}

  /**
   * Ends the session (announced as `session.ended`), records the logout (from the bridge's side)
   * and shows a page; for a session signed in through an OpenID provider, one that also ends the
   * provider's session (RP-initiated logout) where the provider offers it.
   */
  @Post()
  @Frameable()
  @RateLimit('forms')
  @UseGuards(CsrfGuard)
  async logout(
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<FastifyReply> {
    const flow = this.flows.verifiedFlow(request);
    const ended = await this.sessions.logout(request, reply);
    this.login.loggedOut(ended, loginClient(request));
    this.flows.end(reply);
    const atProvider = await this.providerLogout?.forEnded(ended);
    return this.views.loggedOut(request, reply, flow, atProvider);
  }

  @Get()
  show(
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<FastifyReply> {
    return this.signedIn.show(request, reply);
  }
}
