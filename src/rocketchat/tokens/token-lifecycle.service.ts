import {
  Injectable,
  Logger,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { InjectConfig, type RocketChatConfig } from '../../config/index.js';
import type { Session } from '../../session/index.js';
import type { RequestClient } from '../events/request-client.js';
import { withCallBudget } from '../client/call-budget.js';
import { RETRY_BUDGET } from '../client/rocketchat-http.service.js';
import { RocketChatUnavailableError } from '../client/rocketchat.errors.js';
import {
  SessionTokensRepository,
  type StoredSessionToken,
} from './session-tokens.repository.js';
import { NONE, TokenMinter, type HandOut } from './token-minter.service.js';
import { TokenRedelivery } from './token-redelivery.service.js';
import { TokenRetirement } from './token-retirement.service.js';
import { appTokenRecordId } from './token-records.js';

export type { HandOut } from './token-minter.service.js';

/** A resume token for the Rocket.Chat app, with the account it logs in. */
export interface AppHandOut {
  readonly token: string;
  readonly rcUserId: string;
}

/** How long a request waits for a concurrent request of the same session to finish minting. */
const WAIT_FOR_MINT_MS = 10_000;

/**
 * One Rocket.Chat token per bridge login (session), handed out by the API URL and the post-login
 * page: the session's current token again for as long as the bridge has no evidence that it is
 * dead, a new one only when the session has none.
 *
 * Rocket.Chat's web client from 7.8 on asks the API URL on every page load and in every new tab,
 * while it still holds a valid token, so a call is no evidence that it lost its token; a time
 * window cannot tell the two apart either. What is evidence: the bridge's own revocations (every
 * end of the session, see SessionEnd), the logout endpoint (`Custom_Script_On_Logout`, which ends
 * the session), a refusal Rocket.Chat reports to the framed post-login page (TokenRetirement), and
 * "Continue as": the login page, shown in Rocket.Chat's frame (which it shows only without a
 * working token), asks first, and confirming replaces the token. A re-delivery decrypts the stored
 * token and calls nothing in Rocket.Chat. Waiting for a concurrent mint is real time.
 */
@Injectable()
export class TokenLifecycle implements OnApplicationBootstrap {
  private readonly logger = new Logger(TokenLifecycle.name);

  constructor(
    @InjectConfig('rocketchat') private readonly config: RocketChatConfig,
    private readonly store: SessionTokensRepository,
    private readonly redelivery: TokenRedelivery,
    private readonly minter: TokenMinter,
    private readonly retirement: TokenRetirement,
  ) {}

  onApplicationBootstrap(): void {
    if (this.config.tokens.redeliveryWindowIgnored) {
      this.logger.warn(
        'ROCKETCHAT_TOKEN_REDELIVERY_WINDOW is deprecated and ignored: a session keeps its Rocket.Chat ' +
          'token until something shows it is dead (Rocket.Chat 7.8+ asks on every page load). Remove it.',
      );
    }
  }

  /**
   * For the API URL: the session's token, minted only when it has none and the login page need not
   * ask first. All its Rocket.Chat calls together take at most 1.5 × ROCKETCHAT_TIMEOUT.
   */
  forApiUrl(session: Session, client?: RequestClient): Promise<HandOut> {
    return withCallBudget(this.callBudgetMs, () =>
      this.handOut(session, 'api', client),
    );
  }

  /**
   * For the post-login page (the person just logged in, or chose "Continue as"): the same rule as
   * the API URL. `framed`: the page is in Rocket.Chat's frame (Sec-Fetch-Dest), recorded with the
   * token. Bounded like the API URL.
   */
  forPage(
    session: Session,
    framed: boolean,
    client?: RequestClient,
  ): Promise<HandOut> {
    return withCallBudget(this.callBudgetMs, () =>
      this.handOut(session, framed ? 'frame' : 'page', client),
    );
  }

  /**
   * For "Open in the Rocket.Chat app": the token of the session's app record, a second device
   * with a token of its own (minted once per session, then handed out again; ended with the
   * session like the browser's). Undefined when the strategy gives no resume token (the apps only
   * resume) or the session may have none. Bounded like the API URL.
   */
  async forApp(
    session: Session,
    client?: RequestClient,
  ): Promise<AppHandOut | undefined> {
    if (this.config.tokens.strategy === 'legacy-iframe-token') {
      // One iframe token per user: a second would replace the browser's.
      return undefined;
    }
    const handOut = await withCallBudget(this.callBudgetMs, () =>
      this.handOut(session, 'app', client),
    );
    if (handOut.kind === 'none' || handOut.field !== 'loginToken') {
      return undefined;
    }
    const state = await this.store.find(appTokenRecordId(session.id));
    return state.kind === 'issued'
      ? { token: handOut.token, rcUserId: state.token.rcUserId }
      : undefined;
  }

  private get callBudgetMs(): number {
    return this.config.http.timeoutMs * RETRY_BUDGET;
  }

  private async handOut(
    session: Session,
    to: StoredSessionToken['deliveredTo'],
    client: RequestClient | undefined,
  ): Promise<HandOut> {
    if (to !== 'app') {
      await this.retirement.renewIfConfirmed(session);
    }
    const recordId = to === 'app' ? appTokenRecordId(session.id) : session.id;
    const deadline = Date.now() + WAIT_FOR_MINT_MS;
    for (;;) {
      const state = await this.store.find(recordId);
      if (state.kind === 'issued') {
        const again = await this.redelivery.redeliver(state.token, client);
        if (again) {
          return again;
        }
        continue;
      }
      if (state.kind === 'minting') {
        await this.waitForMint(deadline);
        continue;
      }
      if (to === 'api' && session.interactionRequired) {
        // Rocket.Chat refused this session's token: the login page asks first.
        return NONE;
      }
      const result = await this.minter.mint(session, to, client);
      if (result !== 'busy') {
        return result;
      }
      await this.waitForMint(deadline);
    }
  }

  private async waitForMint(deadline: number): Promise<void> {
    if (Date.now() > deadline) {
      throw new RocketChatUnavailableError(
        'users.createToken',
        'timeout',
        'another request of this session is still getting its token',
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
