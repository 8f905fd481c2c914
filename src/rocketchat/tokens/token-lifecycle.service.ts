import { Injectable, Logger } from '@nestjs/common';
import { AuditService, type AuditRequest } from '../../audit/index.js';
import { InjectConfig, type RocketChatConfig } from '../../config/index.js';
import { MetricsService } from '../../observability/index.js';
import { Clock } from '../../common/index.js';
import { SessionService, type Session } from '../../session/index.js';
import { withCallBudget } from '../client/call-budget.js';
import { RETRY_BUDGET } from '../client/rocketchat-http.service.js';
import { RocketChatUnavailableError } from '../client/rocketchat.errors.js';
import {
  RevocationService,
  sessionTokenContext,
} from './revocation.service.js';
import {
  SessionTokensRepository,
  type StoredSessionToken,
} from './session-tokens.repository.js';
import { TokenCipher, TokenDecryptionError } from './token-cipher.js';
import { NONE, TokenMinter, type HandOut } from './token-minter.service.js';
import { TokenStrategies } from './token-strategies.service.js';

export type { HandOut } from './token-minter.service.js';

/** How long a request waits for a concurrent request of the same session to finish minting. */
const WAIT_FOR_MINT_MS = 10_000;

/**
 * One Rocket.Chat token per bridge login, handed out by the API URL and the post-login page.
 *
 * Rocket.Chat's web client calls the API URL only when it holds no token: on its first visit in
 * this browser, or after its token was removed (logout in Rocket.Chat, expiry, revocation). So a
 * session's token is handed out once; a repeated API URL call within
 * ROCKETCHAT_TOKEN_REDELIVERY_WINDOW (some versions call twice at start-up) gets the same token;
 * any other call means Rocket.Chat dropped it: the token is revoked, the answer is 401, and the session is flagged so the login
 * page asks ("Continue as ...") instead of logging the person straight back in (issue #28006).
 * The token is never checked over REST with the user's own token: Rocket.Chat rate-limits those
 * calls per client IP, and every call of the bridge comes from one IP. The window is judged by the
 * application's Clock (tests move it); waiting for a concurrent mint is real time.
 */
@Injectable()
export class TokenLifecycle {
  private readonly logger = new Logger(TokenLifecycle.name);

  constructor(
    @InjectConfig('rocketchat') private readonly config: RocketChatConfig,
    private readonly store: SessionTokensRepository,
    private readonly strategies: TokenStrategies,
    private readonly cipher: TokenCipher,
    private readonly minter: TokenMinter,
    private readonly revocations: RevocationService,
    private readonly sessions: SessionService,
    private readonly metrics: MetricsService,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  /**
   * For the API URL: the session's token once, again only within the re-delivery window. All its
   * Rocket.Chat calls together take at most 1.5 × ROCKETCHAT_TIMEOUT.
   */
  forApiUrl(session: Session, request?: AuditRequest): Promise<HandOut> {
    return withCallBudget(this.callBudgetMs, () =>
      this.apiUrlHandOut(session, request),
    );
  }

  /**
   * For the post-login page (the person just logged in or chose "Continue as"): always a fresh
   * token. Rocket.Chat shows its login iframe only when it holds no valid token, so a token this
   * session still has is dead to it: that one is revoked. `framed`: the page is in Rocket.Chat's
   * frame (Sec-Fetch-Dest), so Rocket.Chat will not ask the API URL for this token. Bounded like
   * the API URL.
   */
  forPage(
    session: Session,
    framed: boolean,
    request?: AuditRequest,
  ): Promise<HandOut> {
    return withCallBudget(this.callBudgetMs, () =>
      this.pageHandOut(session, framed, request),
    );
  }

  private get callBudgetMs(): number {
    return this.config.http.timeoutMs * RETRY_BUDGET;
  }

  private async apiUrlHandOut(
    session: Session,
    request: AuditRequest | undefined,
  ): Promise<HandOut> {
    const deadline = Date.now() + WAIT_FOR_MINT_MS;
    for (;;) {
      const state = await this.store.find(session.id);
      if (state.kind === 'issued') {
        // A token the framed post-login page posted never comes back through here legitimately.
        if (
          state.token.deliveredTo !== 'frame' &&
          this.withinWindow(state.token)
        ) {
          const again = await this.redeliver(state.token, request);
          if (again) {
            return again;
          }
          continue;
        }
        await this.dropped(session, state.token);
        return NONE;
      }
      if (state.kind === 'minting') {
        await this.waitForMint(deadline);
        continue;
      }
      if (session.interactionRequired) {
        // Rocket.Chat dropped this session's token before: the login page asks first.
        return NONE;
      }
      const result = await this.minter.mint(session, 'api', request);
      if (result !== 'busy') {
        return result;
      }
      await this.waitForMint(deadline);
    }
  }

  private async pageHandOut(
    session: Session,
    framed: boolean,
    request: AuditRequest | undefined,
  ): Promise<HandOut> {
    const deadline = Date.now() + WAIT_FOR_MINT_MS;
    for (;;) {
      const state = await this.store.find(session.id);
      if (state.kind === 'issued') {
        const taken = await this.store.take(
          session.id,
          state.token.hashedToken,
        );
        if (taken) {
          await this.revocations.revokeToken(taken, 'replaced');
        }
        continue;
      }
      if (state.kind === 'minting') {
        await this.waitForMint(deadline);
        continue;
      }
      const result = await this.minter.mint(
        session,
        framed ? 'frame' : 'page',
        request,
      );
      if (result !== 'busy') {
        return result;
      }
      await this.waitForMint(deadline);
    }
  }

  private withinWindow(token: StoredSessionToken): boolean {
    return (
      this.clock.now() - token.deliveredAt.getTime() <
      this.config.tokens.redeliveryWindowMs
    );
  }

  /** The stored token again; undefined when it cannot be decrypted (then it is forgotten). */
  private async redeliver(
    token: StoredSessionToken,
    request: AuditRequest | undefined,
  ): Promise<HandOut | undefined> {
    let clear: string;
    try {
      clear = this.cipher.decrypt(
        token.sealedToken,
        sessionTokenContext(token.sessionId),
      );
    } catch (error) {
      if (!(error instanceof TokenDecryptionError)) {
        throw error;
      }
      this.logger.error(
        `The Rocket.Chat token of session ${token.sessionId} cannot be decrypted (TOKEN_ENCRYPTION_KEY ` +
          'changed without TOKEN_ENCRYPTION_KEY_PREVIOUS); issuing a new one',
      );
      await this.store.take(token.sessionId, token.hashedToken);
      return undefined;
    }
    this.metrics.tokenEvent('reused');
    void this.audit.record(
      {
        kind: 'token.reused',
        userId: token.bridgeUserId,
        rocketChatUserId: token.rcUserId,
        detail: token.strategy,
      },
      request,
    );
    return {
      kind: 'token',
      field: this.strategies.get(token.strategy).responseField,
      token: clear,
    };
  }

  /** Rocket.Chat asked again long after the hand-out: it lost the token. */
  private async dropped(
    session: Session,
    token: StoredSessionToken,
  ): Promise<void> {
    const taken = await this.store.take(session.id, token.hashedToken);
    if (!taken) {
      return;
    }
    this.logger.log(
      `Rocket.Chat asked again for session ${session.id}: its token was dropped (logout, expiry or revocation); revoking it`,
    );
    await this.revocations.revokeToken(taken, 'dropped-by-rocketchat');
    await this.sessions.setInteractionRequired(session.id, true);
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
