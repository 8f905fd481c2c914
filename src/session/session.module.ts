import { Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { UsersModule } from '../users/users.module.js';
import { prefixedModels } from '../database/index.js';
import { ClockModule } from '../common/clock.module.js';
import { CsrfGuard } from '../security/csrf/csrf.guard.js';
import { LoginFlowService } from '../security/csrf/login-flow.service.js';
import { SessionStoreUnavailableFilter } from './filters/session-store-unavailable.filter.js';
import { SessionCookies } from './session-cookies.js';
import { SessionEnder } from './session-ender.service.js';
import { SessionRepository } from './session.repository.js';
import { SESSION_MODEL, SessionSchema } from './session.schema.js';
import { SessionService } from './session.service.js';
import { SessionSweeper } from './session-sweeper.service.js';
import { SessionUserCheck } from './session-user-check.service.js';
import { PageResponder } from '../web/page-responder.service.js';
import { ViewRenderer } from '../web/view-renderer.service.js';

/**
 * Server-side sessions and their cookie, the signed login-flow cookie with its CSRF checks, the
 * framing policy and the page renderer (operator templates, translations) for browser pages.
 * Emits `session.logged-out`; knows nothing of Rocket.Chat.
 */
@Module({
  imports: [
    prefixedModels([
      { name: SESSION_MODEL, schema: SessionSchema, collection: 'sessions' },
    ]),
    // Sessions of users disabled, deleted or given a new password end (SessionUserCheck).
    UsersModule,
    ClockModule,
  ],
  providers: [
    SessionRepository,
    SessionEnder,
    SessionCookies,
    SessionService,
    SessionUserCheck,
    SessionSweeper,
    LoginFlowService,
    CsrfGuard,
    ViewRenderer,
    PageResponder,
    { provide: APP_FILTER, useClass: SessionStoreUnavailableFilter },
  ],
  exports: [
    ClockModule,
    SessionService,
    LoginFlowService,
    CsrfGuard,
    PageResponder,
  ],
})
export class SessionModule {}
