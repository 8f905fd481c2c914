import { HttpModule } from '@nestjs/axios';
import { Module } from '@nestjs/common';
import { getConfigToken } from '@nestjs/config';
import type { RocketChatConfig } from '../config/index.js';
import { prefixedModels } from '../database/index.js';
import { AdminBootstrap } from './client/admin-bootstrap.service.js';
import { AdminCredentialsRepository } from './client/admin-credentials.repository.js';
import {
  ADMIN_CREDENTIALS_COLLECTION,
  ADMIN_CREDENTIALS_MODEL,
  AdminCredentialsSchema,
} from './client/admin-credentials.schema.js';
import { AdminCredentials } from './client/admin-credentials.service.js';
import { RocketChatApi } from './client/rocketchat-api.service.js';
import { RocketChatHttp } from './client/rocketchat-http.service.js';
import { RocketChatVersionService } from './client/rocketchat-version.service.js';
import { TokenCipher } from './tokens/token-cipher.js';

/** The API URL, Rocket.Chat REST client, provisioning and token lifecycle. */
@Module({
  imports: [
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
    RocketChatVersionService,
  ],
})
export class RocketChatModule {}
