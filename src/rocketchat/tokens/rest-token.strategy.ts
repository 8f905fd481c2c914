import { Injectable, Logger } from '@nestjs/common';
import {
  InjectConfig,
  type RocketChatConfig,
  type RocketChatVersion,
} from '../../config/index.js';
import { CreateTokens } from '../client/create-token.service.js';
import { RocketChatApi } from '../client/rocketchat-api.service.js';
import { RocketChatVersionService } from '../client/rocketchat-version.service.js';
import {
  isRefusedWith,
  RocketChatRequestError,
} from '../client/rocketchat.errors.js';
import { hashLoginToken, type MintedToken } from './login-token.js';
import { MongoResumeTokenStrategy } from './mongo-resume-token.strategy.js';
import { RocketChatDatabase } from './rocketchat-database.service.js';
import { removeStrayTokens } from './stray-tokens.js';
import { TokenMintingRefusedError } from './token.errors.js';
import type { TokenStrategy } from './token-strategy.js';

/**
 * `users.createToken` (the default): Rocket.Chat issues a normal resume token. Its body depends on
 * the version: 2.1-7.x `{userId}` behind the server's CREATE_TOKENS_FOR_USERS=true, 8.x and 9.x
 * `{userId, secret}` with the server's CREATE_TOKENS_FOR_USERS_SECRET (bug #40598 is handled by
 * CreateTokens). Revocation logs that one token out (`POST /api/v1/logout` authenticated with
 * it), or, when MONGO_DB is set, removes it from Rocket.Chat's database (not rate limited).
 */
@Injectable()
export class RestTokenStrategy implements TokenStrategy {
  readonly name = 'rest';
  readonly responseField = 'loginToken';
  private readonly logger = new Logger(RestTokenStrategy.name);

  constructor(
    @InjectConfig('rocketchat') private readonly config: RocketChatConfig,
    private readonly api: RocketChatApi,
    private readonly tokens: CreateTokens,
    private readonly versions: RocketChatVersionService,
    private readonly resume: MongoResumeTokenStrategy,
    private readonly database: RocketChatDatabase,
  ) {}

  async mint(rcUserId: string): Promise<MintedToken> {
    const version = await this.versions.get();
    try {
      return await this.create(rcUserId, version);
    } catch (error) {
      // A schema refusal means nothing was done; the server may have been up- or downgraded.
      if (
        !this.versions.configured &&
        error instanceof RocketChatRequestError &&
        error.errorType === 'invalid-params'
      ) {
        this.versions.forget();
        const again = await this.versions.get();
        if (again.major !== version.major) {
          return this.create(rcUserId, again);
        }
      }
      throw error;
    }
  }

  async revoke(rcUserId: string, token: string): Promise<void> {
    if (this.config.mongoUri !== undefined) {
      // With MONGO_DB, straight from the database: POST /api/v1/logout authenticates with the
      // user's own token, so Rocket.Chat rate-limits it per client IP (10 a minute by default),
      // and every revocation comes from the bridge's IP.
      await this.resume.revoke(rcUserId, token);
      return;
    }
    const ended = await this.api.logoutToken({ userId: rcUserId, token });
    if (!ended) {
      this.logger.debug(
        `A login token of Rocket.Chat user ${rcUserId} was already gone`,
      );
    }
  }

  private async create(
    rcUserId: string,
    version: RocketChatVersion,
  ): Promise<MintedToken> {
    const needsSecret = version.major >= 8;
    const secret = this.config.tokens.createTokensSecret;
    if (needsSecret && secret === undefined) {
      throw new TokenMintingRefusedError(
        `Rocket.Chat ${version.major}.${version.minor} issues tokens only with a shared secret: set ` +
          "CREATE_TOKENS_FOR_USERS_SECRET for the bridge to the Rocket.Chat server's CREATE_TOKENS_FOR_USERS_SECRET",
      );
    }
    try {
      const token = await this.tokens.create(
        rcUserId,
        needsSecret ? secret : undefined,
        // Bug #40598's stray token: from the database when there is one (REST is rate limited).
        this.config.mongoUri === undefined
          ? undefined
          : (id, kept, since) =>
              removeStrayTokens(this.database, id, kept, since),
      );
      return { token, hashedToken: hashLoginToken(token) };
    } catch (error) {
      // 400 `error-not-authorized` up to 8.x, 403 `error-forbidden` carrying that code in 9.x.
      if (isRefusedWith(error, 'error-not-authorized')) {
        throw new TokenMintingRefusedError(
          needsSecret
            ? `Rocket.Chat ${version.major}.${version.minor} refused users.createToken: set the environment variable ` +
                "CREATE_TOKENS_FOR_USERS_SECRET on the Rocket.Chat server to the same value as the bridge's " +
                'CREATE_TOKENS_FOR_USERS_SECRET (and give the bridge account the user-generate-access-token permission)'
            : `Rocket.Chat ${version.major}.${version.minor} refused users.createToken: set the environment variable ` +
                'CREATE_TOKENS_FOR_USERS=true on the Rocket.Chat server and restart it (and give the bridge account ' +
                'the user-generate-access-token permission)',
        );
      }
      throw error;
    }
  }
}
