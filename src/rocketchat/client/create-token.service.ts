import { Injectable, Logger } from '@nestjs/common';
import { isIssue40598 } from './issue-40598.js';
import { RocketChatApi } from './rocketchat-api.service.js';

/** Wait before the second retry, should Rocket.Chat's unawaited insert still be on its way. */
const SECOND_RETRY_DELAY_MS = 250;

/**
 * `users.createToken`, coping with Rocket.Chat bug #40598 (docs/rocketchat.md): when it refuses
 * a user who has no login token yet, Rocket.Chat has stored the token nonetheless. Asking again
 * then succeeds; the unusable first token is removed with `users.logoutOtherClients`
 * authenticated as the user with the new one (at the refusal the user had no other login
 * token, so that removes exactly the stray). Calls for one user run one at a time in this
 * process, so that removal cannot catch a token minted concurrently for another session.
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
  create(userId: string, secret: string | undefined): Promise<string> {
    const previous = this.queues.get(userId) ?? Promise.resolve();
    const turn = previous
      .catch(() => undefined)
      .then(() => this.attempt(userId, secret));
    this.queues.set(userId, turn);
    const cleanup = () => {
      if (this.queues.get(userId) === turn) {
        this.queues.delete(userId);
      }
    };
    turn.then(cleanup, cleanup);
    return turn;
  }

  private async attempt(
    userId: string,
    secret: string | undefined,
  ): Promise<string> {
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
      await this.api.logoutOtherClients({ userId, token });
    } catch (error) {
      this.logger.warn(
        `Rocket.Chat user ${userId} keeps one unusable login token from the refused users.createToken ` +
          `(users.logoutOtherClients failed: ${error instanceof Error ? error.message : 'error'}); ` +
          'nobody has it, and it expires with Accounts_LoginExpiration',
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
        'asks again and removes the stray token (users.logoutOtherClients); upgrading Rocket.Chat ' +
        '(8.5 or later, 9.x) removes the extra calls',
    );
  }
}
