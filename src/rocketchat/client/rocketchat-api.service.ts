import { Injectable } from '@nestjs/common';
import type { RocketChatVersion } from '../../config/index.js';
import { AdminCredentials } from './admin-credentials.service.js';
import { callAsAdmin } from './call-as-admin.js';
import {
  RocketChatHttp,
  type RocketChatAuth,
  type RocketChatCall,
} from './rocketchat-http.service.js';
import type { JsonObject } from './rocketchat-response.js';
import { toRocketChatUser, type RocketChatUser } from './rocketchat-user.js';
import {
  isCredentialsRefused,
  RocketChatRequestError,
  RocketChatUnavailableError,
} from './rocketchat.errors.js';

/** What `users.create` is given (Rocket.Chat's schema forbids any other field). */
export interface NewRocketChatUser {
  readonly username: string;
  readonly email: string;
  readonly name: string;
  readonly password: string;
  readonly roles: readonly string[];
  readonly joinDefaultChannels: boolean;
  readonly verified: boolean;
}

export interface PersonalAccessTokenInfo {
  readonly name: string;
  readonly lastTokenPart: string;
  readonly bypassTwoFactor: boolean;
}

export interface RocketChatUserChanges {
  readonly name?: string;
  readonly email?: string;
}

/**
 * Typed Rocket.Chat endpoints. Calls made as the bridge's own account get its credentials; if
 * Rocket.Chat refuses them (401, nothing was done) and they can be re-created, the call is made
 * once more with the new ones.
 */
@Injectable()
export class RocketChatApi {
  constructor(
    private readonly http: RocketChatHttp,
    private readonly admin: AdminCredentials,
  ) {}

  /** `major.minor` from the anonymous `GET /api/info`. */
  async serverVersion(): Promise<RocketChatVersion> {
    const body = await this.http.call({ method: 'GET', endpoint: 'info' });
    const text =
      typeof body.version === 'string'
        ? body.version
        : typeof (body.info as JsonObject | undefined)?.version === 'string'
          ? ((body.info as JsonObject).version as string)
          : '';
    const match = /^(\d+)\.(\d+)/.exec(text);
    if (!match) {
      throw new RocketChatUnavailableError(
        'info',
        'malformed',
        'answered without a version',
      );
    }
    return { major: Number(match[1]), minor: Number(match[2]) };
  }

  userById(userId: string): Promise<RocketChatUser | null> {
    return this.findUser({ userId });
  }

  userByUsername(username: string): Promise<RocketChatUser | null> {
    return this.findUser({ username });
  }

  /** Rocket.Chat 8 only (`users.info?email=`); 7.x answers `invalid-params`. */
  userByEmail(email: string): Promise<RocketChatUser | null> {
    return this.findUser({ email });
  }

  async createUser(user: NewRocketChatUser): Promise<RocketChatUser> {
    const body = await this.asAdmin({
      method: 'POST',
      endpoint: 'users.create',
      body: { ...user, roles: [...user.roles] },
    });
    return requireUser('users.create', body.user);
  }

  async updateUser(
    userId: string,
    changes: RocketChatUserChanges,
  ): Promise<void> {
    await this.asAdmin({
      method: 'POST',
      endpoint: 'users.update',
      body: { userId, data: { ...changes } },
    });
  }

  async setAvatarUrl(userId: string, avatarUrl: string): Promise<void> {
    await this.asAdmin({
      method: 'POST',
      endpoint: 'users.setAvatar',
      body: { userId, avatarUrl },
    });
  }

  /** A resume token for the user: 7.x body `{userId}`, 8.x `{userId, secret}`. */
  async createToken(
    userId: string,
    secret: string | undefined,
  ): Promise<string> {
    const body = await this.asAdmin({
      method: 'POST',
      endpoint: 'users.createToken',
      body: secret === undefined ? { userId } : { userId, secret },
    });
    const data = body.data as
      { userId?: unknown; authToken?: unknown } | undefined;
    if (typeof data?.authToken !== 'string' || data.authToken === '') {
      throw new RocketChatUnavailableError(
        'users.createToken',
        'malformed',
        'answered without data.authToken',
      );
    }
    if (data.userId !== undefined && data.userId !== userId) {
      throw new RocketChatUnavailableError(
        'users.createToken',
        'malformed',
        'answered with a token for another user',
      );
    }
    return data.authToken;
  }

  /**
   * Ends one login: `POST /api/v1/logout` authenticated with that very token. False when
   * Rocket.Chat no longer knows the token (401: it is gone already).
   */
  async logoutToken(auth: RocketChatAuth): Promise<boolean> {
    try {
      await this.http.call({ method: 'POST', endpoint: 'logout', auth });
      return true;
    } catch (error) {
      if (isCredentialsRefused(error)) {
        return false;
      }
      throw error;
    }
  }

  /**
   * `users.logoutOtherClients` authenticated with the user's own token: removes every other
   * login token of theirs, never personal access tokens (`Users.removeNonPATLoginTokensExcept`).
   */
  async logoutOtherClients(auth: RocketChatAuth): Promise<void> {
    await this.http.call({
      method: 'POST',
      endpoint: 'users.logoutOtherClients',
      auth,
    });
  }

  /**
   * The caller's personal access tokens, as `users.getPersonalAccessTokens` lists them (needs
   * `create-personal-access-tokens`); `lastTokenPart` is the token's last six characters.
   */
  async personalAccessTokens(
    auth: RocketChatAuth,
  ): Promise<PersonalAccessTokenInfo[]> {
    const body = await this.http.call({
      method: 'GET',
      endpoint: 'users.getPersonalAccessTokens',
      auth,
    });
    const tokens = Array.isArray(body.tokens) ? body.tokens : [];
    return tokens.flatMap((entry: unknown) => {
      const token = entry as Record<string, unknown>;
      return typeof token.name === 'string' &&
        typeof token.lastTokenPart === 'string'
        ? [
            {
              name: token.name,
              lastTokenPart: token.lastTokenPart,
              bypassTwoFactor: token.bypassTwoFactor === true,
            },
          ]
        : [];
    });
  }

  /** `users.logout` for another user: every login token of theirs (PATs included). */
  async logoutUser(userId: string): Promise<void> {
    if (userId === '') {
      // Rocket.Chat reads an empty id as "the caller": the bridge's own account.
      throw new Error('users.logout needs a user id');
    }
    await this.asAdmin({
      method: 'POST',
      endpoint: 'users.logout',
      body: { userId },
    });
  }

  /**
   * `users.setActiveStatus` for another user. Deactivating ends every login of theirs; it is
   * refused (`user-last-owner`) for the last owner of a room, and never sent with
   * `confirmRelinquish`, which would hand their rooms over or delete the ones nobody else is in.
   */
  async setActiveStatus(userId: string, active: boolean): Promise<void> {
    if (userId === '') {
      throw new Error('users.setActiveStatus needs a user id');
    }
    await this.asAdmin({
      method: 'POST',
      endpoint: 'users.setActiveStatus',
      body: { userId, activeStatus: active },
    });
  }

  private async findUser(
    query: Record<string, string>,
  ): Promise<RocketChatUser | null> {
    try {
      const body = await this.asAdmin({
        method: 'GET',
        endpoint: 'users.info',
        query,
      });
      return requireUser('users.info', body.user);
    } catch (error) {
      if (
        error instanceof RocketChatRequestError &&
        /not found/i.test(error.reason ?? '')
      ) {
        return null;
      }
      throw error;
    }
  }

  private asAdmin(call: RocketChatCall): Promise<JsonObject> {
    return callAsAdmin(this.http, this.admin, call);
  }
}

function requireUser(endpoint: string, value: unknown): RocketChatUser {
  const user = toRocketChatUser(value);
  if (!user) {
    throw new RocketChatUnavailableError(
      endpoint,
      'malformed',
      'answered without a user',
    );
  }
  return user;
}
