import { hashLoginToken } from './login-token.js';
import type { RocketChatDatabase } from './rocketchat-database.service.js';

/** Rocket.Chat's clock may run a little apart from the bridge's. */
const SKEW_MS = 60_000;

/**
 * Bug #40598's stray token, removed from Rocket.Chat's database (MONGO_DB; not rate limited like
 * `users.logoutOtherClients`): the user's login tokens other than `token` and personal access
 * tokens, issued from `since` on. Read, then `$pullAll` of the exact elements (FerretDB ignores a
 * `$pull` by condition).
 */
export async function removeStrayTokens(
  database: RocketChatDatabase,
  userId: string,
  token: string,
  since: Date,
): Promise<void> {
  const keep = hashLoginToken(token);
  const from = since.getTime() - SKEW_MS;
  await database.withUsers(
    'removing the token of a refused users.createToken',
    async (users) => {
      const user = await users.findOne(
        { _id: userId },
        { projection: { 'services.resume.loginTokens': 1 } },
      );
      const strays = (user?.services?.resume?.loginTokens ?? []).filter(
        (entry) =>
          entry.type !== 'personalAccessToken' &&
          entry.hashedToken !== keep &&
          entry.when instanceof Date &&
          entry.when.getTime() >= from,
      );
      if (strays.length > 0) {
        await users.updateOne(
          { _id: userId },
          { $pullAll: { 'services.resume.loginTokens': strays } },
        );
      }
    },
  );
}
