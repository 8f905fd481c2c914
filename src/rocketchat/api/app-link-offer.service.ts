import { Injectable, Logger } from '@nestjs/common';
import { InjectConfig, type RocketChatConfig } from '../../config/index.js';
import type { Session } from '../../session/index.js';
import type { RequestClient } from '../events/request-client.js';
import { TokenLifecycle } from '../tokens/token-lifecycle.service.js';
import { appDeepLink } from './mobile-app.js';

/**
 * "Open in the Rocket.Chat app" on the top-level post-login page of a phone or tablet: a
 * `rocketchat://auth` link with a resume token of the session's app record (TokenLifecycle.forApp:
 * the app is a second device with a token of its own, minted once per session and ended with
 * it). Never for a framed page or a login window: PostLoginPage asks only at top level, and only
 * for a phone or tablet (isAppDevice).
 */
@Injectable()
export class AppLinkOffer {
  private readonly logger = new Logger(AppLinkOffer.name);

  constructor(
    @InjectConfig('rocketchat') private readonly config: RocketChatConfig,
    private readonly tokens: TokenLifecycle,
  ) {}

  /** The link, or undefined: no resume token, or getting one failed. */
  async linkFor(
    session: Session,
    client?: RequestClient,
  ): Promise<string | undefined> {
    try {
      const handOut = await this.tokens.forApp(session, client);
      return handOut
        ? appDeepLink(this.config.url, handOut.token, handOut.rcUserId)
        : undefined;
    } catch (error) {
      // The link is an extra: without it the page sends the person on to Rocket.Chat as before.
      this.logger.warn(
        `No "Open in the Rocket.Chat app" link for session ${session.id}: ${(error as Error).message}`,
      );
      return undefined;
    }
  }
}
