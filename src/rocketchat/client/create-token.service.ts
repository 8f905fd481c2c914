import { Injectable, Logger } from '@nestjs/common';
import { isIssue40598 } from './issue-40598.js';
import { RocketChatApi } from './rocketchat-api.service.js';

/** Wait before the second retry, should Rocket.Chat's unawaited insert still be on its way. */
const SECOND_RETRY_DELAY_MS = 250;

/**
 * Removes the stray token of bug #40598: every login token of the user but `token` (never a
 * personal access token) issued from `since` on. Throws when it could not.
 */
export type StrayTokenCleanup = (
  userId: string,
  token: string,
  since: Date,
) => Promise<void>;

/**
 * `users.createToken`, coping with Rocket.Chat bug #40598 (docs/rocketchat.md): when it refuses
 * a user who has no login token yet, Rocket.Chat has stored the token nonetheless. Asking again
 * then succeeds; the unusable first token is removed by `cleanup` (default: the REST call
 * `users.logoutOtherClients` authenticated as the user with the new token; at the refusal the
 * user had no other login token, so that removes exactly the stray). Calls for one user run one
 * at a time in this process, so no cleanup can catch a token minted concurrently for another of
 * that person's sessions.
 */
@Injectable()
export class CreateTokens {
  private readonly logger = new Logger(CreateTokens.name);
  private readonly queues = new Map<string, Promise<unknown>>();
  private seen = false;

  constructor(private readonly api: RocketChatApi) {}

  /** Whether Rocket.Chat answered with bug #40598 since this process started. */
  get issue40598Seen(): boolean {
    return this.seen;
  }

  /** A resume token for the user (7.x body `{userId}`, 8.x and later `{userId, secret}`). */
  create(
    userId: string,
    secret: string | undefined,
    cleanup: StrayTokenCleanup = (id, token) =>
      this.api.logoutOtherClients({ userId: id, token }),
  ): Promise<string> {
    const previous = this.queues.get(userId) ?? Promise.resolve();
    const turn = previous
      .catch(() => undefined)
      .then(() => this.attempt(userId, secret, cleanup));
    this.queues.set(userId, turn);
    const done = () => {
      if (this.queues.get(userId) === turn) {
        this.queues.delete(userId);
      }
    };
    turn.then(done, done);
    return turn;
  }

  private async attempt(
    userId: string,
    secret: string | undefined,
    cleanup: StrayTokenCleanup,
  ): Promise<string> {
    const since = new Date();
    try {
      return await this.api.createToken(userId, secret);
    } catch (error) {
      if (!isIssue40598(error)) {
        throw error;
      }
    }
    this.reportOnce();
    let token: string;
    try {
      token = await this.api.createToken(userId, secret);
    } catch (error) {
      if (!isIssue40598(error)) {
        throw error;
      }
      await new Promise((resolve) =>
        setTimeout(resolve, SECOND_RETRY_DELAY_MS),
      );
      token = await this.api.createToken(userId, secret);
    }
    try {
      await cleanup(userId, token, since);
    } catch (error) {
      this.logger.warn(
        `Rocket.Chat user ${userId} keeps one unusable login token from the refused users.createToken ` +
          `(removing it failed: ${error instanceof Error ? error.message : 'error'}); nobody has it, and ` +
          'it expires with Accounts_LoginExpiration',
      );
    }
    return token;
  }

  private reportOnce(): void {
    if (this.seen) {
      return;
    }
    this.seen = true;
    this.logger.warn(
      'Rocket.Chat has bug #40598: users.createToken fails for users without a login token. The bridge ' +
        'asks again and removes the stray token (with MONGO_DB from the database, else with ' +
        'users.logoutOtherClients); upgrading Rocket.Chat (8.5 or later, 9.x) removes the extra calls',
    );
  }
}
