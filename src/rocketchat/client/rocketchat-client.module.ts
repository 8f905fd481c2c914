import { HttpModule } from '@nestjs/axios';
import { Module } from '@nestjs/common';
import { getConfigToken } from '@nestjs/config';
import type { RocketChatConfig } from '../../config/index.js';
import { prefixedModels } from '../../database/index.js';
import { ClockModule } from '../../common/index.js';
import { TokenCipher } from '../tokens/token-cipher.js';
import { AdminBootstrap } from './admin-bootstrap.service.js';
import { AdminCredentialsRepository } from './admin-credentials.repository.js';
import {
  ADMIN_CREDENTIALS_COLLECTION,
  ADMIN_CREDENTIALS_MODEL,
  AdminCredentialsSchema,
} from './admin-credentials.schema.js';
import { AdminCredentials } from './admin-credentials.service.js';
import { CreateTokens } from './create-token.service.js';
import { RocketChatApi } from './rocketchat-api.service.js';
import { RocketChatHttp } from './rocketchat-http.service.js';
import { RocketChatRoomsApi } from './rocketchat-rooms-api.service.js';
import { RocketChatVersionService } from './rocketchat-version.service.js';

/**
 * The Rocket.Chat REST client and the bridge's own credentials, without the rest of the module
 * (no API URL, no background sweeps): what readiness and `rc-bridge doctor` use, and what the
 * Rocket.Chat module builds on. One instance per application, so one circuit breaker.
 */
@Module({
  imports: [
    ClockModule,
    HttpModule.registerAsync({
      inject: [getConfigToken('rocketchat')],
      useFactory: (config: RocketChatConfig) => ({
        baseURL: config.apiUrl,
        timeout: config.http.timeoutMs,
        maxRedirects: 0,
      }),
    }),
    prefixedModels([
      {
        name: ADMIN_CREDENTIALS_MODEL,
        schema: AdminCredentialsSchema,
        collection: ADMIN_CREDENTIALS_COLLECTION,
      },
    ]),
  ],
  providers: [
    TokenCipher,
    RocketChatHttp,
    AdminBootstrap,
    AdminCredentialsRepository,
    AdminCredentials,
    RocketChatApi,
    RocketChatRoomsApi,
    RocketChatVersionService,
    CreateTokens,
  ],
  exports: [
    TokenCipher,
    RocketChatHttp,
    AdminCredentials,
    RocketChatApi,
    RocketChatRoomsApi,
    RocketChatVersionService,
    CreateTokens,
  ],
})
export class RocketChatClientModule {}
