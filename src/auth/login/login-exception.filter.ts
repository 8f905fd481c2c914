import {
  type ArgumentsHost,
  Catch,
  type ExceptionFilter,
  HttpException,
  Logger,
} from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { InjectConfig, type AppConfig } from '../../config/index.js';
import { describeMongoError } from '../../database/index.js';
import {
  CookiesBlockedError,
  CsrfRejectedError,
  LoginFlowCookie,
  formField,
  RateLimitedError,
} from '../../security/index.js';
import { SessionStoreUnavailableError } from '../../session/index.js';
import {
  LoginBusyError,
  TooManyLoginAttemptsError,
} from '../protection/login-protection.errors.js';
import { ThrottleStoreUnavailableError } from '../../throttle/index.js';
import { UserStoreUnavailableError } from '../../users/index.js';
import { DirectoryUnavailableError } from '../password/password-sources.service.js';
import { SignInRefusedError } from '../sign-in/sign-in.errors.js';
import { LOGIN_FORM_LIMITS } from './login-form.js';
import {
  InvalidCredentialsError,
  InvalidLoginFormError,
} from './login.errors.js';
import { LoginViews } from './login-views.js';
import { DEFAULT_NEXT, safeNext } from './next-target.js';

const FORM_ERRORS = {
  missing: 'login.error.missing',
  'too-long': 'login.error.tooLong',
  malformed: 'login.error.malformed',
} as const;

/**
 * Every failure of the login and logout routes becomes a page: the form again with one message
 * (wrong credentials or a locked account 401, bad input 400, too many failures from this address
 * 429, every password check busy 503), or a page of its own (form posts over the rate limit 429,
 * CSRF 403, cookies blocked 403, store down 503). Nothing echoes input except the username typed
 * into the form.
 */
@Catch()
export class LoginExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger(LoginExceptionFilter.name);

  constructor(
    @InjectConfig('app') private readonly app: AppConfig,
    private readonly views: LoginViews,
    private readonly flows: LoginFlowCookie,
  ) {}

  catch(error: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    const flow = this.flows.verifiedFlow(request);

    if (error instanceof CookiesBlockedError) {
      // The form carried `next` in its action for exactly this case; validated again here.
      const query = request.query as Record<string, unknown> | undefined;
      this.views.cookiesBlocked(
        request,
        reply,
        safeNext(query?.next, this.app.publicOrigin) ?? DEFAULT_NEXT,
      );
    } else if (error instanceof CsrfRejectedError) {
      this.logger.log(
        `Refused a form post to ${request.url.split('?')[0]}: ${error.reason}`,
      );
      this.views.error(request, reply, 403, 'csrf');
    } else if (flow && error instanceof InvalidCredentialsError) {
      this.views.form(request, reply, flow, {
        status: 401,
        error: 'login.error.invalid',
        username: typedUsername(request),
      });
    } else if (flow && error instanceof TooManyLoginAttemptsError) {
      void reply.header('retry-after', String(error.retryAfterSeconds));
      this.views.form(request, reply, flow, {
        status: 429,
        error: 'login.error.tooManyAttempts',
        username: typedUsername(request),
      });
    } else if (flow && error instanceof LoginBusyError) {
      void reply.header('retry-after', String(error.retryAfterSeconds));
      this.views.form(request, reply, flow, {
        status: 503,
        error: 'login.error.busy',
        username: typedUsername(request),
      });
    } else if (flow && error instanceof DirectoryUnavailableError) {
      // Logged where it happened; local users still sign in meanwhile.
      void reply.header('retry-after', '10');
      this.views.form(request, reply, flow, {
        status: 503,
        error: 'login.error.directoryUnavailable',
        username: typedUsername(request),
      });
    } else if (flow && error instanceof SignInRefusedError) {
      // The source vouched, the bridge would not (a name another user holds): logged with why.
      this.views.form(request, reply, flow, {
        status: 403,
        error: 'login.error.accountConflict',
        username: typedUsername(request),
      });
    } else if (error instanceof RateLimitedError) {
      // Retry-After is on the reply already; the guard ran before the CSRF check, so no form.
      this.views.error(request, reply, 429, 'tooManyRequests');
    } else if (flow && error instanceof InvalidLoginFormError) {
      this.views.form(request, reply, flow, {
        status: 400,
        error: FORM_ERRORS[error.problem],
        username: typedUsername(request),
      });
    } else if (isStoreFailure(error)) {
      this.logger.warn(
        `Login unavailable: ${describeMongoError(causeOf(error))}`,
      );
      void reply.header('retry-after', '10');
      this.views.error(request, reply, 503, 'unavailable');
    } else if (error instanceof HttpException && error.getStatus() < 500) {
      this.views.error(request, reply, error.getStatus(), 'badRequest');
    } else {
      this.logger.error(
        `Unexpected error on ${request.method} ${request.url.split('?')[0]}: ${error instanceof Error ? (error.stack ?? error.name) : 'unknown'}`,
      );
      this.views.error(request, reply, 500, 'internal');
    }
  }
}

/** The username as typed, for the re-rendered form; not if it was not a sane string. */
function typedUsername(request: FastifyRequest): string | undefined {
  const username = formField(request.body, 'username');
  return username !== undefined && username.length <= LOGIN_FORM_LIMITS.username
    ? username
    : undefined;
}

function isStoreFailure(error: unknown): boolean {
  return (
    error instanceof SessionStoreUnavailableError ||
    error instanceof UserStoreUnavailableError ||
    error instanceof ThrottleStoreUnavailableError ||
    (error instanceof Error && error.name.startsWith('Mongo'))
  );
}

function causeOf(error: unknown): unknown {
  return error instanceof Error && error.cause !== undefined
    ? error.cause
    : error;
}
