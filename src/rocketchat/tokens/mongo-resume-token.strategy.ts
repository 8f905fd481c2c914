import { Injectable } from '@nestjs/common';
import {
  newLoginToken,
  hashLoginToken,
  type MintedToken,
} from './login-token.js';
import { RocketChatDatabase } from './rocketchat-database.service.js';
import { RocketChatDatabaseError } from './token.errors.js';
import type { TokenStrategy } from './token-strategy.js';

/**
 * For servers where createToken cannot be enabled: a resume token written straight into
 * Rocket.Chat's database, the way `users.createToken` stores one (`{when, hashedToken}` pushed to
 * `services.resume.loginTokens`). Revocation removes exactly that entry: read, then `$pullAll`
 * of the stored element (FerretDB ignores a `$pull` by condition).
 */
@Injectable()
export class MongoResumeTokenStrategy implements TokenStrategy {
  readonly name = 'mongo-resume';
  readonly responseField = 'loginToken';

  constructor(private readonly database: RocketChatDatabase) {}

  async mint(rcUserId: string): Promise<MintedToken> {
    const minted = newLoginToken();
    const result = await this.database.withUsers(
      'adding a login token',
      (users) =>
        users.updateOne(
          { _id: rcUserId, active: { $ne: false } },
          {
            $push: {
              'services.resume.loginTokens': {
                when: new Date(),
                hashedToken: minted.hashedToken,
              },
            },
          },
        ),
    );
    if (result.matchedCount !== 1) {
      throw new RocketChatDatabaseError(
        'adding a login token',
        `no active user ${rcUserId}`,
      );
    }
    return minted;
  }

  async revoke(rcUserId: string, token: string): Promise<void> {
    const hashedToken = hashLoginToken(token);
    await this.database.withUsers('removing a login token', async (users) => {
      const user = await users.findOne(
        { _id: rcUserId },
        { projection: { 'services.resume.loginTokens': 1 } },
      );
      const entries = (user?.services?.resume?.loginTokens ?? []).filter(
        (entry) => entry.hashedToken === hashedToken,
      );
      if (entries.length > 0) {
        await users.updateOne(
          { _id: rcUserId },
          { $pullAll: { 'services.resume.loginTokens': entries } },
        );
      }
    });
  }
}
