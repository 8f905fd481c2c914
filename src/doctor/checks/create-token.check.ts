import { Injectable } from '@nestjs/common';
import {
  InjectConfig,
  type RocketChatConfig,
  type RocketChatVersion,
} from '../../config/index.js';
import {
  CreateTokens,
  isRefusedWith,
  RocketChatApi,
  type RocketChatAuth,
  RocketChatAuthError,
  RocketChatTwoFactorError,
} from '../../rocketchat/index.js';
import { fail, ok, skip, warn, type CheckResult } from '../doctor-check.js';
import { describeError } from './describe-error.js';
import { issue40598Check } from './issue-40598.check.js';

const ID = 'rocketchat.create-token';
const TITLE = 'createToken';

/**
 * `users.createToken` passes this version's gate (7.x: the server's CREATE_TOKENS_FOR_USERS; 8.x
 * and later: the shared secret). Asked for the bridge's own account (no permission needed for
 * oneself), and the token is removed again at once. Followed by the bug #40598 line, which this
 * call may have seen.
 */
@Injectable()
export class CreateTokenCheck {
  constructor(
    @InjectConfig('rocketchat') private readonly config: RocketChatConfig,
    private readonly api: RocketChatApi,
    private readonly tokens: CreateTokens,
  ) {}

  async run(
    auth: RocketChatAuth,
    detected: RocketChatVersion,
  ): Promise<CheckResult[]> {
    const strategy = this.config.tokens.strategy;
    if (strategy !== 'rest') {
      const why = `not used: ROCKETCHAT_TOKEN_STRATEGY=${strategy}`;
      return [
        skip(ID, TITLE, why),
        skip('rocketchat.issue-40598', 'createToken #40598', why),
      ];
    }
    const version = this.config.version ?? detected;
    const gate = await this.gate(auth, version.major);
    return [
      gate,
      issue40598Check(version, this.tokens.issue40598Seen, gate.status),
    ];
  }

  private async gate(
    auth: RocketChatAuth,
    major: number,
  ): Promise<CheckResult> {
    const secret = this.config.tokens.createTokensSecret;
    if (major >= 8 && secret === undefined) {
      return fail(
        ID,
        TITLE,
        `Rocket.Chat ${major} needs CREATE_TOKENS_FOR_USERS_SECRET for users.createToken, and it is not set`,
        "set CREATE_TOKENS_FOR_USERS_SECRET to the Rocket.Chat server's value of the same variable",
      );
    }
    let token: string;
    try {
      // Through CreateTokens: on a release with #40598 the bridge's account (only a personal
      // access token, no login token) is refused once and the stray token removed.
      token = await this.tokens.create(
        auth.userId,
        major >= 8 ? secret : undefined,
      );
    } catch (error) {
      return this.createTokenRefused(error, major);
    }
    const passed =
      major >= 8
        ? `Rocket.Chat ${major}: the shared secret matches`
        : 'Rocket.Chat 7: CREATE_TOKENS_FOR_USERS is on';
    try {
      if (await this.api.logoutToken({ userId: auth.userId, token })) {
        return ok(
          ID,
          TITLE,
          `users.createToken works (${passed}); the test token was removed`,
        );
      }
    } catch {
      // reported below
    }
    return warn(
      ID,
      TITLE,
      `users.createToken works (${passed}), but the test token could not be removed`,
      'nothing to do: it expires with Accounts_LoginExpiration',
    );
  }

  private createTokenRefused(error: unknown, major: number): CheckResult {
    if (error instanceof RocketChatTwoFactorError) {
      return fail(
        ID,
        TITLE,
        "users.createToken requires two-factor authentication for the bridge's token",
        'create the personal access token with "Ignore Two Factor Authentication" (see the Two-factor bypass line)',
      );
    }
    // 400 error-not-authorized up to 8.x; 403 error-forbidden with that code from 9.0.
    if (isRefusedWith(error, 'error-not-authorized')) {
      return major >= 8
        ? fail(
            ID,
            TITLE,
            `Rocket.Chat ${major} refuses the secret: CREATE_TOKENS_FOR_USERS_SECRET differs from the server's, or the server has none`,
            'set the same random value as CREATE_TOKENS_FOR_USERS_SECRET on the Rocket.Chat server and here, then restart Rocket.Chat',
          )
        : fail(
            ID,
            TITLE,
            `Rocket.Chat ${major}.x refuses users.createToken: its server runs without CREATE_TOKENS_FOR_USERS=true`,
            'start Rocket.Chat with CREATE_TOKENS_FOR_USERS=true, or use ROCKETCHAT_TOKEN_STRATEGY=mongo-resume with MONGO_DB',
          );
    }
    if (error instanceof RocketChatAuthError && error.status === 403) {
      return fail(
        ID,
        TITLE,
        `users.createToken: permission denied (${describeError(error)})`,
        'grant user-generate-access-token (see the Permissions line)',
      );
    }
    return fail(
      ID,
      TITLE,
      `users.createToken failed: ${describeError(error)}`,
      'see the lines above',
    );
  }
}
