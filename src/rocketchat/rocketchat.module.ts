import { Module } from '@nestjs/common';
import { ClockModule } from '../common/index.js';
import { SecurityModule } from '../security/index.js';
import { SessionModule } from '../session/index.js';
import { UsersModule } from '../users/index.js';
import { WebModule } from '../web/index.js';
import { prefixedModels } from '../database/index.js';
import { ApiUrlController } from './api/api-url.controller.js';
import { EmptyBodyHook } from './api/empty-body.hook.js';
import { LoginRefusedController } from './api/login-refused.controller.js';
import { PostLoginPage } from './api/post-login-page.service.js';
import { AppLinkOffer } from './api/app-link-offer.service.js';
import { PostLoginController } from './api/post-login.controller.js';
import { ReverseLogoutController } from './api/reverse-logout.controller.js';
import { RocketChatOrigins } from './api/rocketchat-origins.js';
import { RocketChatAuditListener } from './listeners/rocketchat-audit.listener.js';
import { SessionEndedListener } from './listeners/session-ended.listener.js';
import { TokenMetricsListener } from './listeners/token-metrics.listener.js';
import { RocketChatClientModule } from './client/rocketchat-client.module.js';
import { GroupSyncModule } from './groups/group-sync.module.js';
import { AccountCreator } from './provisioning/account-creator.service.js';
import { AccountLinker } from './provisioning/account-linker.service.js';
import { ProfileSync } from './provisioning/profile-sync.service.js';
import { ProvisioningService } from './provisioning/provisioning.service.js';
import {
  USER_LINK_COLLECTION,
  USER_LINK_MODEL,
  UserLinkSchema,
} from './provisioning/user-link.schema.js';
import { UserLinksRepository } from './provisioning/user-links.repository.js';
import { LegacyIframeTokenStrategy } from './tokens/legacy-iframe-token.strategy.js';
import { MongoResumeTokenStrategy } from './tokens/mongo-resume-token.strategy.js';
import { RestTokenStrategy } from './tokens/rest-token.strategy.js';
import { RocketChatDatabase } from './tokens/rocketchat-database.service.js';
import { TokenStrategies } from './tokens/token-strategies.service.js';
import { RevocationQueueRepository } from './tokens/revocation-queue.repository.js';
import {
  REVOCATION_COLLECTION,
  REVOCATION_MODEL,
  RevocationSchema,
} from './tokens/revocation.schema.js';
import { RevocationService } from './tokens/revocation.service.js';
import { RevocationWorker } from './tokens/revocation-worker.service.js';
import { UnknownMints } from './tokens/unknown-mints.service.js';
import {
  SESSION_TOKEN_COLLECTION,
  SESSION_TOKEN_MODEL,
  SessionTokenSchema,
} from './tokens/session-token.schema.js';
import { SessionTokensRepository } from './tokens/session-tokens.repository.js';
import { UserLogoutService } from './tokens/user-logout.service.js';
import { OrphanSweeper } from './tokens/orphan-sweeper.service.js';
import { SessionEnd } from './tokens/session-end.service.js';
import { RevocationRunner } from './tokens/revocation-runner.service.js';
import { TokenIssuer } from './tokens/token-issuer.service.js';
import { TokenLifecycle } from './tokens/token-lifecycle.service.js';
import { TokenMinter } from './tokens/token-minter.service.js';
import { TokenRedelivery } from './tokens/token-redelivery.service.js';
import { TokenRetirement } from './tokens/token-retirement.service.js';
import { TokenHandOff } from './tokens/token-handoff.service.js';
import { AccountStanding } from './standing/account-standing.service.js';
import { StandingMarks } from './standing/standing-marks.repository.js';

/** The API URL, Rocket.Chat REST client, provisioning and token lifecycle. */
@Module({
  imports: [
    UsersModule,
    SessionModule,
    RocketChatClientModule,
    GroupSyncModule,
    SecurityModule,
    WebModule,
    ClockModule,
    prefixedModels([
      {
        name: USER_LINK_MODEL,
        schema: UserLinkSchema,
        collection: USER_LINK_COLLECTION,
      },
      {
        name: SESSION_TOKEN_MODEL,
        schema: SessionTokenSchema,
        collection: SESSION_TOKEN_COLLECTION,
      },
      {
        name: REVOCATION_MODEL,
        schema: RevocationSchema,
        collection: REVOCATION_COLLECTION,
      },
    ]),
  ],
  providers: [
    UserLinksRepository,
    ProfileSync,
    AccountCreator,
    AccountLinker,
    ProvisioningService,
    RocketChatDatabase,
    RestTokenStrategy,
    MongoResumeTokenStrategy,
    LegacyIframeTokenStrategy,
    TokenStrategies,
    SessionTokensRepository,
    RevocationQueueRepository,
    UserLogoutService,
    UnknownMints,
    RevocationRunner,
    RevocationWorker,
    RevocationService,
    TokenIssuer,
    TokenMinter,
    TokenRedelivery,
    TokenRetirement,
    TokenLifecycle,
    SessionEnd,
    OrphanSweeper,
    SessionEndedListener,
    StandingMarks,
    AccountStanding,
    TokenHandOff,
    RocketChatAuditListener,
    TokenMetricsListener,
    RocketChatOrigins,
    PostLoginPage,
    AppLinkOffer,
    EmptyBodyHook,
  ],
  // The source re-check (deprovisioning, groups) works on accounts through these.
  exports: [AccountStanding, TokenHandOff, GroupSyncModule],
  controllers: [
    ApiUrlController,
    PostLoginController,
    ReverseLogoutController,
    LoginRefusedController,
  ],
})
export class RocketChatModule {}
