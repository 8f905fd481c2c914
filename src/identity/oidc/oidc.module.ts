import { Module } from '@nestjs/common';
import { getConfigToken } from '@nestjs/config';
import { Clock, ClockModule } from '../../common/index.js';
import type { RocketChatConfig } from '../../config/index.js';
import { decodeEncryptionKey } from '../../config/index.js';
import { prefixedModels } from '../../database/index.js';
import { BackchannelLogoutService } from './backchannel-logout.service.js';
import { IdTokenSealer } from './id-token-sealer.js';
import { LogoutTokenRepository } from './logout-token.repository.js';
import {
  LogoutTokenSchema,
  OIDC_LOGOUT_TOKEN_MODEL,
} from './logout-token.schema.js';
import { OidcClock } from './oidc-clock.js';
import { OidcDiscovery } from './oidc-discovery.service.js';
import { OidcDoctorProbes } from './oidc-doctor-probes.service.js';
import { OidcEndSessionService } from './oidc-end-session.service.js';
import { OidcLoginService } from './oidc-login.service.js';
import { OidcSweeper } from './oidc-sweeper.service.js';
import { PendingLoginRepository } from './pending-login.repository.js';
import {
  OIDC_PENDING_LOGIN_MODEL,
  PendingLoginSchema,
} from './pending-login.schema.js';

/**
 * OpenID Connect as an identity source: the relying party (discovery, code flow, ID token and
 * userinfo), RP-initiated logout URLs, back-channel logout token validation and the doctor's
 * probes. It produces AuthenticatedPerson values and knows nothing of sessions, bridge users or
 * Rocket.Chat. Imported only when a provider is configured (AuthModule.forRoot, the doctor).
 */
@Module({
  imports: [
    // The application's one Clock: a test that moves it moves sign-in and logout-token times too.
    ClockModule,
    prefixedModels([
      {
        name: OIDC_PENDING_LOGIN_MODEL,
        schema: PendingLoginSchema,
        collection: 'oidc_logins',
      },
      {
        name: OIDC_LOGOUT_TOKEN_MODEL,
        schema: LogoutTokenSchema,
        collection: 'oidc_logout_tokens',
      },
    ]),
  ],
  providers: [
    { provide: OidcClock, useExisting: Clock },
    OidcDiscovery,
    PendingLoginRepository,
    LogoutTokenRepository,
    OidcSweeper,
    OidcLoginService,
    OidcEndSessionService,
    BackchannelLogoutService,
    OidcDoctorProbes,
    {
      provide: IdTokenSealer,
      inject: [getConfigToken('rocketchat')],
      useFactory: (rocketchat: RocketChatConfig): IdTokenSealer => {
        const previous = rocketchat.tokens.previousTokenEncryptionKey;
        return new IdTokenSealer(
          decodeEncryptionKey(rocketchat.tokens.tokenEncryptionKey)!,
          previous ? decodeEncryptionKey(previous) : undefined,
        );
      },
    },
  ],
  exports: [
    OidcClock,
    OidcDiscovery,
    OidcLoginService,
    OidcEndSessionService,
    BackchannelLogoutService,
    OidcDoctorProbes,
    IdTokenSealer,
    OidcSweeper,
  ],
})
export class OidcModule {}
