import { Injectable } from '@nestjs/common';
import {
  InjectConfig,
  type RocketChatConfig,
  type RocketChatVersion,
} from '../../config/index.js';
import {
  RocketChatApi,
  type RocketChatAuth,
  RocketChatAuthError,
  RocketChatRequestError,
  RocketChatTwoFactorError,
} from '../../rocketchat/index.js';
import { fail, ok, skip, warn, type CheckResult } from '../doctor-check.js';
import { describeError } from './describe-error.js';

/**
 * `users.createToken` passes this version's gate (7.x: the server's CREATE_TOKENS_FOR_USERS; 8.x:
 * the shared secret). Asked for the bridge's own account (no permission needed for oneself), and
 * the token is removed again at once.
 */
@Injectable()
export class CreateTokenCheck {
  constructor(
    @InjectConfig('rocketchat') private readonly config: RocketChatConfig,
    private readonly api: RocketChatApi,
  ) {}

  async run(
    auth: RocketChatAuth,
    detected: RocketChatVersion,
  ): Promise<CheckResult> {
    const id = 'rocketchat.create-token';
    const title = 'createToken';
    const strategy = this.config.tokens.strategy;
    if (strategy !== 'rest') {
      return skip(id, title, `not used: ROCKETCHAT_TOKEN_STRATEGY=${strategy}`);
    }
    const major = (this.config.version ?? detected).major;
    const secret = this.config.tokens.createTokensSecret;
    if (major >= 8 && secret === undefined) {
      return fail(
        id,
        title,
        `Rocket.Chat ${major} needs CREATE_TOKENS_FOR_USERS_SECRET for users.createToken, and it is not set`,
        "set CREATE_TOKENS_FOR_USERS_SECRET to the Rocket.Chat server's value of the same variable",
      );
    }
    let token: string;
    try {
      token = await this.api.createToken(
        auth.userId,
        major >= 8 ? secret : undefined,
      );
    } catch (error) {
      return this.createTokenRefused(error, major);
    }
    const gate =
      major >= 8
        ? 'Rocket.Chat 8: the shared secret matches'
        : 'Rocket.Chat 7: CREATE_TOKENS_FOR_USERS is on';
    try {
      if (await this.api.logoutToken({ userId: auth.userId, token })) {
        return ok(
          id,
          title,
          `users.createToken works (${gate}); the test token was removed`,
        );
      }
    } catch {
      // reported below
    }
    return warn(
      id,
      title,
      `users.createToken works (${gate}), but the test token could not be removed`,
      'nothing to do: it expires with Accounts_LoginExpiration',
    );
  }

  private createTokenRefused(error: unknown, major: number): CheckResult {
    const id = 'rocketchat.create-token';
    const title = 'createToken';
    if (error instanceof RocketChatTwoFactorError) {
      return fail(
        id,
        title,
        "users.createToken requires two-factor authentication for the bridge's token",
        'create the personal access token with "Ignore Two Factor Authentication"',
      );
    }
    if (error instanceof RocketChatAuthError && error.status === 403) {
      return fail(
        id,
        title,
        `users.createToken: permission denied (${describeError(error)})`,
        'grant user-generate-access-token (see the Permissions line)',
      );
    }
    if (
      error instanceof RocketChatRequestError &&
      error.errorType === 'error-not-authorized'
    ) {
      return major >= 8
        ? fail(
            id,
            title,
            `Rocket.Chat ${major} refuses the secret: CREATE_TOKENS_FOR_USERS_SECRET differs from the server's, or the server has none`,
            'set the same random value as CREATE_TOKENS_FOR_USERS_SECRET on the Rocket.Chat server and here, then restart Rocket.Chat',
          )
        : fail(
            id,
            title,
            `Rocket.Chat ${major}.x refuses users.createToken: its server runs without CREATE_TOKENS_FOR_USERS=true`,
            'start Rocket.Chat with CREATE_TOKENS_FOR_USERS=true, or use ROCKETCHAT_TOKEN_STRATEGY=mongo-resume with MONGO_DB',
          );
    }
    return fail(
      id,
      title,
      `users.createToken failed: ${describeError(error)}`,
      'see the lines above',
    );
  }
}
