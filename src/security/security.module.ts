import { Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { AuditModule } from '../audit/audit.module.js';
import { PasswordsModule } from '../users/passwords/passwords.module.js';
import { UsersModule } from '../users/users.module.js';
import { SessionModule } from '../session/session.module.js';
import { HttpErrorFilter } from './http/http-error.filter.js';
import { LoginProtection } from '../auth/protection/login-protection.service.js';
import { RateLimitGuard } from './rate-limit/rate-limit.guard.js';
import { RateLimiter } from './rate-limit/rate-limiter.service.js';
import { ThrottleModule } from '../throttle/throttle.module.js';

/**
 * Brute-force and flood protection, the last-resort error filter and, with
 * configureHttpSecurity(), the server's limits and headers. Exports LoginProtection (the login
 * form's password check) and RateLimiter (the named rate-limit policies, for routes that call it
 * themselves). The `@RateLimit()` guard and the error filter apply application-wide.
 */
@Module({
  imports: [
    ThrottleModule,
    AuditModule,
    UsersModule,
    PasswordsModule,
    SessionModule,
  ],
  providers: [
    LoginProtection,
    RateLimiter,
    { provide: APP_GUARD, useClass: RateLimitGuard },
    { provide: APP_FILTER, useClass: HttpErrorFilter },
  ],
  exports: [LoginProtection, RateLimiter, ThrottleModule],
})
export class SecurityModule {}
