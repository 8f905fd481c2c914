import { Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { ClockModule } from '../common/index.js';
import { prefixedModels } from '../database/index.js';
import { UsersModule } from '../users/index.js';
import { WebModule } from '../web/index.js';
import { SessionStoreUnavailableFilter } from './filters/session-store-unavailable.filter.js';
import { SessionCookies } from './session-cookies.js';
import { SessionEnder } from './session-ender.service.js';
import { SessionLifecycle } from './session-lifecycle.service.js';
import { SessionRepository } from './session.repository.js';
import { SESSION_MODEL, SessionSchema } from './session.schema.js';
import { SessionService } from './session.service.js';
import { SessionSourceChecks } from './session-source-checks.service.js';
import { SessionSweeper } from './session-sweeper.service.js';
import { SessionUserCheck } from './session-user-check.service.js';

/**
 * Server-side sessions and the bridge's cookies (the session's and the login flow's). Emits
 * `session.ended` for every session that ends; knows nothing of logins or Rocket.Chat. A
 * store outage is a 503 page (through WebModule) or a small JSON body.
 */
@Module({
  imports: [
    prefixedModels([
      { name: SESSION_MODEL, schema: SessionSchema, collection: 'sessions' },
    ]),
    // Sessions of users disabled, deleted or given a new password end (SessionUserCheck).
    UsersModule,
    ClockModule,
    WebModule,
  ],
  providers: [
    SessionRepository,
    SessionEnder,
    SessionCookies,
    SessionLifecycle,
    SessionService,
    SessionUserCheck,
    SessionSweeper,
    SessionSourceChecks,
    { provide: APP_FILTER, useClass: SessionStoreUnavailableFilter },
  ],
  exports: [
    SessionService,
    SessionLifecycle,
    SessionCookies,
    SessionSourceChecks,
  ],
})
export class SessionModule {}
