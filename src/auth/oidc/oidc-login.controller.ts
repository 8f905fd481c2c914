import {
  Controller,
  Get,
  Param,
  Query,
  Req,
  Res,
  UseFilters,
} from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { DEFAULT_PROVIDER_ID } from '../../config/index.js';
import { OidcUnknownProviderError } from '../../identity/index.js';
import { LoginFlowCookie, RateLimit } from '../../security/index.js';
import { SessionCookies, SessionService } from '../../session/index.js';
import { Frameable } from '../../web/index.js';
import { loginClient } from '../login/login-client.js';
import { LoginService } from '../login/login.service.js';
import { LoginViews } from '../login/login-views.js';
import { OidcLoginFilter } from './oidc-login.filter.js';
import { OidcSignIn } from './oidc-sign-in.service.js';

/**
 * Sign-in through OpenID providers, every route under /login/oidc: the login page's button starts
 * (`/login/oidc` for the default provider, `/login/oidc/<id>` for the others), the provider sends
 * the browser back to the callback (`/login/oidc/callback`, `/login/oidc/<id>/callback`), which
 * ends exactly like a password login: a new session, then on to `next` (the post-login page that
 * hands the token to Rocket.Chat), in the login window opened from the chat's frame (`popup=1`) or
 * not. Both count against the form posts' rate limit (each start stores a pending sign-in).
 */
@Controller('login/oidc')
@UseFilters(OidcLoginFilter)
export class OidcLoginController {
  constructor(
    private readonly signIn: OidcSignIn,
    private readonly login: LoginService,
    private readonly sessions: SessionService,
    private readonly cookies: SessionCookies,
    private readonly flows: LoginFlowCookie,
    private readonly views: LoginViews,
  ) {}

  @Get()
  @Frameable()
  @RateLimit('forms')
  startDefault(
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @Query('next') next: unknown,
    @Query('popup') popup: unknown,
  ): Promise<FastifyReply> {
    return this.start(request, reply, DEFAULT_PROVIDER_ID, next, popup);
  }

  @Get('callback')
  @Frameable()
  @RateLimit('forms')
  callbackDefault(
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<FastifyReply> {
    return this.callback(request, reply, DEFAULT_PROVIDER_ID);
  }

  @Get(':provider')
  @Frameable()
  @RateLimit('forms')
  startListed(
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @Param('provider') provider: string,
    @Query('next') next: unknown,
    @Query('popup') popup: unknown,
  ): Promise<FastifyReply> {
    return this.start(request, reply, listed(provider), next, popup);
  }

  @Get(':provider/callback')
  @Frameable()
  @RateLimit('forms')
  callbackListed(
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @Param('provider') provider: string,
  ): Promise<FastifyReply> {
    return this.callback(request, reply, listed(provider));
  }

  /**
   * The pending sign-in is stored and bound to this browser (a cookie the callback must bring
   * back); the login flow keeps `next` and the window mode for a failure page. Then to the
   * provider.
   */
  private async start(
    request: FastifyRequest,
    reply: FastifyReply,
    providerId: string,
    next: unknown,
    popup: unknown,
  ): Promise<FastifyReply> {
    const target = this.login.target({ next, popup });
    this.flows.start(request, reply, target);
    const begun = await this.signIn.begin(
      providerId,
      target,
      loginClient(request),
    );
    this.cookies.setBinding(
      reply,
      begun.browserBinding,
      Math.max(1, Math.ceil((begun.expiresAt.getTime() - Date.now()) / 1000)),
    );
    return reply
      .status(303)
      .header('cache-control', 'no-store')
      .header('location', begun.authorizationUrl)
      .send();
  }

  private async callback(
    request: FastifyRequest,
    reply: FastifyReply,
    providerId: string,
  ): Promise<FastifyReply> {
    const client = loginClient(request);
    const query = request.url.includes('?')
      ? request.url.slice(request.url.indexOf('?') + 1)
      : '';
    const done = await this.signIn.finish(
      providerId,
      query,
      this.cookies.readBinding(request),
      client,
    );
    const session = await this.sessions.create(
      request,
      reply,
      done.user.id,
      done.providerSession,
    );
    this.cookies.clearBinding(reply);
    this.flows.end(reply);
    this.signIn.signedIn(done, session, client);
    return this.views.redirect(reply, done.target);
  }
}

/** `/login/oidc/default` is not a listed provider's path: the default one has the short routes. */
function listed(provider: string): string {
  if (provider === DEFAULT_PROVIDER_ID) {
    throw new OidcUnknownProviderError(provider);
  }
  return provider;
}
