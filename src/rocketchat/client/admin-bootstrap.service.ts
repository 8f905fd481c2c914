import { createHash } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import {
  RocketChatHttp,
  type RocketChatAuth,
} from './rocketchat-http.service.js';
import {
  isRefusedWith,
  RocketChatAuthError,
  RocketChatRequestError,
  RocketChatTwoFactorError,
} from './rocketchat.errors.js';

/** The name of the personal access token the bridge creates for itself. */
export const BRIDGE_TOKEN_NAME = 'rocketchat-identity-bridge';

/** The admin account's credentials could not be turned into a personal access token. */
export class AdminBootstrapError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AdminBootstrapError';
  }
}

/**
 * Creates the bridge's personal access token from an admin user name and password: log in once,
 * `users.generatePersonalAccessToken` with `bypassTwoFactor` (that call itself wants a second
 * factor: Rocket.Chat's password fallback, `x-2fa-method: password` with the SHA-256 of the
 * password), then log the temporary login out again.
 */
@Injectable()
export class AdminBootstrap {
  private readonly logger = new Logger(AdminBootstrap.name);

  constructor(private readonly http: RocketChatHttp) {}

  async createToken(
    username: string,
    password: string,
  ): Promise<RocketChatAuth> {
    const login = await this.login(username, password);
    try {
      const twoFactor = {
        'x-2fa-method': 'password',
        'x-2fa-code': createHash('sha256')
          .update(password, 'utf8')
          .digest('hex'),
      };
      const token = await this.generate(login, twoFactor);
      this.logger.log(
        `Created the personal access token "${BRIDGE_TOKEN_NAME}" of Rocket.Chat user ${login.userId}`,
      );
      return { userId: login.userId, token };
    } finally {
      await this.logout(login);
    }
  }

  private async login(
    username: string,
    password: string,
  ): Promise<RocketChatAuth> {
    try {
      const body = await this.http.call({
        method: 'POST',
        endpoint: 'login',
        body: { user: username, password },
      });
      const data = body.data as
        { userId?: unknown; authToken?: unknown } | undefined;
      if (
        typeof data?.userId !== 'string' ||
        typeof data.authToken !== 'string'
      ) {
        throw new AdminBootstrapError(
          'Rocket.Chat login answered without userId/authToken',
        );
      }
      return { userId: data.userId, token: data.authToken };
    } catch (error) {
      if (error instanceof RocketChatTwoFactorError) {
        throw new AdminBootstrapError(
          `ROCKETCHAT_ADMIN_USERNAME: the account has two-factor authentication (${error.method ?? 'totp/e-mail'}) ` +
            'that the bridge cannot answer; create a personal access token with "Ignore Two Factor ' +
            'Authentication" by hand and set ROCKETCHAT_USER_ID and ROCKETCHAT_AUTH_TOKEN instead',
        );
      }
      if (error instanceof RocketChatAuthError) {
        // Rocket.Chat 9 answers every refused login with a bare "unauthorized", 2FA included.
        const mute = error.rocketChatError === 'unauthorized';
        throw new AdminBootstrapError(
          'ROCKETCHAT_ADMIN_USERNAME / ROCKETCHAT_ADMIN_PASSWORD: Rocket.Chat refused the login (wrong user name or ' +
            `password, or the account is deactivated${
              mute
                ? ', or it has two-factor authentication: Rocket.Chat 9 does not say which; with 2FA, create a ' +
                  'personal access token with "Ignore Two Factor Authentication" by hand and set ROCKETCHAT_USER_ID ' +
                  'and ROCKETCHAT_AUTH_TOKEN instead'
                : ''
            })`,
        );
      }
      throw error;
    }
  }

  private async generate(
    login: RocketChatAuth,
    headers: Record<string, string>,
  ): Promise<string> {
    const body = { tokenName: BRIDGE_TOKEN_NAME, bypassTwoFactor: true };
    let answer;
    try {
      answer = await this.http.call({
        method: 'POST',
        endpoint: 'users.generatePersonalAccessToken',
        body,
        auth: login,
        headers,
      });
    } catch (error) {
      if (
        !(error instanceof RocketChatRequestError) ||
        error.errorType !== 'error-token-already-exists'
      ) {
        throw explain(error);
      }
      // Left over from an earlier start whose stored copy is gone: replace it.
      answer = await this.http
        .call({
          method: 'POST',
          endpoint: 'users.regeneratePersonalAccessToken',
          body: { tokenName: BRIDGE_TOKEN_NAME },
          auth: login,
          headers,
        })
        .catch((regenerateError: unknown) => {
          throw explain(regenerateError);
        });
    }
    if (typeof answer.token !== 'string' || answer.token === '') {
      throw new AdminBootstrapError(
        'Rocket.Chat answered users.generatePersonalAccessToken without a token',
      );
    }
    return answer.token;
  }

  private async logout(login: RocketChatAuth): Promise<void> {
    try {
      await this.http.call({ method: 'POST', endpoint: 'logout', auth: login });
    } catch (error) {
      // The temporary login token expires by itself; not worth failing the start-up over.
      this.logger.warn(
        `Could not log out the temporary Rocket.Chat login: ${(error as Error).message}`,
      );
    }
  }
}

function explain(error: unknown): unknown {
  if (error instanceof RocketChatTwoFactorError) {
    return new AdminBootstrapError(
      'Rocket.Chat wants a second factor for users.generatePersonalAccessToken that the password ' +
        'fallback does not satisfy (Accounts_TwoFactorAuthentication_Enforce_Password_Fallback is off, or ' +
        'the account uses TOTP/e-mail codes); create the token by hand and set ROCKETCHAT_USER_ID and ROCKETCHAT_AUTH_TOKEN',
    );
  }
  // 400 `not-authorized` up to 8.x, 403 `error-forbidden` carrying that code in 9.x.
  if (isRefusedWith(error, 'not-authorized')) {
    return new AdminBootstrapError(
      'ROCKETCHAT_ADMIN_USERNAME: the account may not create personal access tokens (permission create-personal-access-tokens)',
    );
  }
  return error;
}
