import { Injectable, Logger } from '@nestjs/common';
import { RocketChatDatabase } from './rocketchat-database.service.js';
import { RevocationQueueRepository } from './revocation-queue.repository.js';
import type { RevocationDocument } from './revocation.schema.js';
import { SessionTokensRepository } from './session-tokens.repository.js';

/**
 * When `users.createToken` fails without a usable answer (a timeout, a lost connection, a 5xx or
 * a garbled body), Rocket.Chat may still have issued the token: nobody received it, so nobody can
 * use it, but it stays valid and takes one of the user's 50 token slots. REST cannot find it (only
 * its holder can log it out); Rocket.Chat's database can (MONGO_DB). Once Rocket.Chat has surely
 * finished with the call, this removes the user's resume tokens issued in the call's time window
 * that the bridge does not know. A login the user made elsewhere in that same minute would go too;
 * that is the price of never leaving an orphaned token behind.
 */
@Injectable()
export class UnknownMints {
  private readonly logger = new Logger(UnknownMints.name);

  constructor(
    private readonly database: RocketChatDatabase,
    private readonly tokens: SessionTokensRepository,
    private readonly queue: RevocationQueueRepository,
  ) {}

  /** Removes the tokens of an unknown-mint job; returns how many there were. */
  async clean(job: RevocationDocument): Promise<number> {
    if (!job.windowStart || !job.windowEnd) {
      throw new Error('incomplete unknown-mint job');
    }
    const from = job.windowStart.getTime();
    const to = job.windowEnd.getTime();
    const known = new Set([
      ...(await this.tokens.hashedTokensOf(job.rcUserId)),
      ...(await this.queue.tokenHashesOf(job.rcUserId)),
    ]);
    const removed = await this.database.withUsers(
      'removing a login token the bridge never received',
      async (users) => {
        const user = await users.findOne(
          { _id: job.rcUserId },
          { projection: { 'services.resume.loginTokens': 1 } },
        );
        const strays = (user?.services?.resume?.loginTokens ?? []).filter(
          (entry) => {
            const when =
              entry.when instanceof Date ? entry.when.getTime() : Number.NaN;
            return (
              entry.type !== 'personalAccessToken' &&
              typeof entry.hashedToken === 'string' &&
              !known.has(entry.hashedToken) &&
              when >= from &&
              when <= to
            );
          },
        );
        if (strays.length > 0) {
          await users.updateOne(
            { _id: job.rcUserId },
            { $pullAll: { 'services.resume.loginTokens': strays } },
          );
        }
        return strays.length;
      },
    );
    if (removed > 0) {
      this.logger.warn(
        `Removed ${removed} login token(s) of Rocket.Chat user ${job.rcUserId} that Rocket.Chat issued ` +
          'for an unanswered users.createToken',
      );
    }
    return removed;
  }
}
