import {
  type ArgumentsHost,
  Catch,
  type ExceptionFilter,
  Logger,
} from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import {
  OidcLoginError,
  OidcStoreUnavailableError,
} from '../../identity/index.js';
import { LoginFlowCookie } from '../../security/index.js';
import { SessionCookies } from '../../session/index.js';
import { LoginExceptionFilter } from '../login/login-exception.filter.js';
import type { LoginTarget } from '../login/login.service.js';
import { LoginViews } from '../login/login-views.js';
import { DEFAULT_NEXT } from '../login/next-target.js';
import {
  ExternalSignInFailedError,
  oidcFailurePage,
} from './sign-in-failure.js';

/**
 * Failures under /login/oidc end on the login page with one message (the form below still works),
 * in the window the sign-in ran in and with the target it had; the browser binding is dropped.
 * The sign-in store down is the unavailable page (503); the rest is the login routes' filter's.
 */
@Catch()
export class OidcLoginFilter implements ExceptionFilter {
  private readonly logger = new Logger(OidcLoginFilter.name);

  constructor(
    private readonly views: LoginViews,
    private readonly flows: LoginFlowCookie,
    private readonly cookies: SessionCookies,
    private readonly fallback: LoginExceptionFilter,
  ) {}

  catch(error: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    if (
      error instanceof ExternalSignInFailedError ||
      error instanceof OidcLoginError
    ) {
      const page =
        error instanceof ExternalSignInFailedError
          ? error.page
          : oidcFailurePage(error.reason, error.providerId ?? '');
      const target =
        (error instanceof ExternalSignInFailedError
          ? error.target
          : undefined) ?? this.flowTarget(request);
      this.cookies.clearBinding(reply);
      this.views.form(
        request,
        reply,
        this.flows.start(request, reply, target),
        {
          status: page.status,
          error: page.error,
          errorValues: page.values,
        },
      );
      return;
    }
    if (error instanceof OidcStoreUnavailableError) {
      this.logger.warn(`OpenID sign-in unavailable: ${error.message}`);
      void reply.header('retry-after', '10');
      this.views.error(request, reply, 503, 'unavailable');
      return;
    }
    this.fallback.catch(error, host);
  }

  /** The login flow's target (set when the sign-in started), or the default. */
  private flowTarget(request: FastifyRequest): LoginTarget {
    const read = this.flows.read(request);
    return read.state === 'valid'
      ? { next: read.flow.next, popup: read.flow.popup }
      : { next: DEFAULT_NEXT, popup: false };
  }
}
