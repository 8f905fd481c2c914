import { Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { ClockModule } from '../common/index.js';
import { SessionModule } from '../session/index.js';
import { WebModule } from '../web/index.js';
import { CsrfGuard } from './csrf/csrf.guard.js';
import { LoginFlowCookie } from './csrf/login-flow.cookie.js';
import { LoginFlowService } from './csrf/login-flow.service.js';
import { HttpErrorFilter } from './http/http-error.filter.js';
import { RateLimitGuard } from './rate-limit/rate-limit.guard.js';
import { RateLimiter } from './rate-limit/rate-limiter.service.js';

/**
 * Protections at the HTTP edge: the flood limits (named policies per client address, in each
 * replica's memory), the CSRF checks of the bridge's form posts with their signed login-flow
 * cookie, the last-resort error filter and, with configureHttpSecurity(), the server's limits and
 * headers. The `@RateLimit()` guard and the error filter apply application-wide; RateLimiter is
 * exported for routes that call it themselves, CsrfGuard and the login flow for the forms.
 */
@Module({
  imports: [SessionModule, WebModule, ClockModule],
  providers: [
    RateLimiter,
    LoginFlowService,
    LoginFlowCookie,
    CsrfGuard,
    { provide: APP_GUARD, useClass: RateLimitGuard },
    { provide: APP_FILTER, useClass: HttpErrorFilter },
  ],
  exports: [RateLimiter, LoginFlowService, LoginFlowCookie, CsrfGuard],
})
export class SecurityModule {}
