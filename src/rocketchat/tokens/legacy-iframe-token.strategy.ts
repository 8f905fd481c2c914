import { Injectable } from '@nestjs/common';
import { newLoginToken, type MintedToken } from './login-token.js';
import { RocketChatDatabase } from './rocketchat-database.service.js';
import { RocketChatDatabaseError } from './token.errors.js';
import type { TokenStrategy } from './token-strategy.js';

/**
 * django-rocketchat-auth's way, for old servers: `services.iframe.token` in Rocket.Chat's
 * database, answered as `{"token": ...}` (Rocket.Chat's `iframe` login handler). Only that one
 * field is set (never the whole `services` object, which holds passwords, tokens and 2FA), never to
 * an empty string (Rocket.Chat would let anyone log in with `''`), and unset on revocation when it
 * still holds this token. The mobile apps cannot use it; prefer `rest`.
 */
@Injectable()
export class LegacyIframeTokenStrategy implements TokenStrategy {
  readonly name = 'legacy-iframe-token';
  readonly responseField = 'token';

  constructor(private readonly database: RocketChatDatabase) {}

  async mint(rcUserId: string): Promise<MintedToken> {
    const minted = newLoginToken();
    const result = await this.database.withUsers(
      'setting the iframe token',
      (users) =>
        users.updateOne(
          { _id: rcUserId, active: { $ne: false } },
          { $set: { 'services.iframe.token': minted.token } },
        ),
    );
    if (result.matchedCount !== 1) {
      throw new RocketChatDatabaseError(
        'setting the iframe token',
        `no active user ${rcUserId}`,
      );
    }
    return minted;
  }

  async revoke(rcUserId: string, token: string): Promise<void> {
    if (token === '') {
      return;
    }
    await this.database.withUsers('removing the iframe token', (users) =>
      users.updateOne(
        { _id: rcUserId, 'services.iframe.token': token },
        { $unset: { 'services.iframe.token': '' } },
      ),
    );
  }
}
