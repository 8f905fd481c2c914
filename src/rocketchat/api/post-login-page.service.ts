import { Injectable, Logger } from '@nestjs/common';
import {
  type AppConfig,
  InjectConfig,
  type RocketChatConfig,
} from '../../config/index.js';
import { SessionService, type Session } from '../../session/index.js';
import type { RequestClient } from '../events/request-client.js';
import { RocketChatAccountRefusedError } from '../provisioning/provisioning.errors.js';
import { hashLoginToken } from '../tokens/login-token.js';
import { TokenLifecycle } from '../tokens/token-lifecycle.service.js';
import { AppLinkOffer } from './app-link-offer.service.js';
import { LOGIN_REFUSED_PATH } from './login-refused.controller.js';

export const POST_LOGIN_PATH = '/rocketchat/redirect';

export interface PostLoginMode {
  /** A top-level login window opened by the login frame (`popup=1`). */
  readonly popup: boolean;
  /** Rocket.Chat's desktop app (`client=electron`). */
  readonly electron: boolean;
}

/** What the page needs to know of the request, taken from it at the HTTP edge. */
export interface PostLoginVisit {
  readonly mode: PostLoginMode;
  /** `Sec-Fetch-Dest`: `document` at top level, `iframe` in a frame. */
  readonly fetchDest: string | undefined;
  /** A phone or tablet, to be offered the Rocket.Chat app (isAppDevice). */
  readonly appDevice: boolean;
  /** The mobile app's own login WebView (isMobileAppWebView). */
  readonly mobileAppWebView: boolean;
  readonly client: RequestClient;
}

/** The answer, for the controller to send: a 303 to `location`, or a rendered page. */
export type PostLoginAnswer =
  | { readonly kind: 'redirect'; readonly location: string }
  | {
      readonly kind: 'page';
      readonly page: 'rocketchat-redirect' | 'error';
      readonly context: Record<string, unknown>;
      readonly status?: number;
    };

/**
 * The end of the login flow (`/rocketchat/redirect`, the `next` of the Iframe URL). Framed by
 * Rocket.Chat (the web client, and the mobile apps' WebView running it), it posts
 * `{event: 'login-with-token', loginToken}` to `window.parent`; in a login window opened by the
 * frame, to `window.opener.parent`; always with the configured Rocket.Chat origin as
 * targetOrigin, never `*`. Opened top-level, it sends the browser to Rocket.Chat, which then
 * calls the API URL (as django-rocketchat-auth's redirect did), except in the desktop app; on a
 * phone or tablet it offers "Open in the Rocket.Chat app" instead (AppLinkOffer). The token is
 * the session's current one, minted only when it has none (TokenLifecycle); when Rocket.Chat
 * answers `login-error`, the page reports it (LoginRefusedController). The mobile app's login
 * WebView always gets the token posted, even with ROCKETCHAT_POST_LOGIN_MESSAGE=try-iframe-login:
 * the app's own API-URL request carries none of the WebView's cookies. Takes the session and a
 * PostLoginVisit and returns a PostLoginAnswer; PostLoginController does the HTTP.
 */
@Injectable()
export class PostLoginPage {
  private readonly logger = new Logger(PostLoginPage.name);

  constructor(
    @InjectConfig('rocketchat') private readonly config: RocketChatConfig,
    @InjectConfig('app') private readonly app: AppConfig,
    private readonly sessions: SessionService,
    private readonly tokens: TokenLifecycle,
    private readonly appLinks: AppLinkOffer,
  ) {}

  async answer(
    session: Session | null,
    visit: PostLoginVisit,
  ): Promise<PostLoginAnswer> {
    const { mode } = visit;
    if (!session || session.interactionRequired) {
      // Log in first, or confirm the account ("Continue as ..."), then come back here.
      return see(this.loginUrl(mode));
    }
    const topLevel = !mode.popup && visit.fetchDest === 'document';
    let appLink: string | undefined;
    if (topLevel && !mode.electron) {
      appLink = visit.appDevice
        ? await this.appLinks.linkFor(session, visit.client)
        : undefined;
      if (appLink === undefined) {
        return see(this.config.url);
      }
    }
    let message: Record<string, string> | undefined;
    let tokenRef: string | undefined;
    if (topLevel) {
      message = undefined;
    } else if (
      this.config.tokens.postLoginMessage === 'try-iframe-login' &&
      !mode.popup &&
      !visit.mobileAppWebView
    ) {
      message = { event: 'try-iframe-login' };
    } else {
      let handOut;
      try {
        handOut = await this.tokens.forPage(
          session,
          visit.fetchDest === 'iframe',
          visit.client,
        );
      } catch (error) {
        if (!(error instanceof RocketChatAccountRefusedError)) {
          throw error;
        }
        // Not straight back here from the login page: it offers "Continue as" and "Log out".
        await this.sessions.setInteractionRequired(session.id, true);
        return this.refused(error, mode);
      }
      if (handOut.kind === 'none') {
        // The session ended meanwhile (say, the user was disabled).
        return see(this.loginUrl(mode));
      }
      message = { event: 'login-with-token', [handOut.field]: handOut.token };
      tokenRef = hashLoginToken(handOut.token);
    }
    // The shared page CSP (PageResponder): the hand-over script runs with the page's cspNonce.
    return {
      kind: 'page',
      page: 'rocketchat-redirect',
      context: {
        pageTitle: 'rocketchat.redirect.title',
        handoff: scriptJson({
          message,
          targetOrigin: this.config.origin,
          rocketChatUrl: this.config.url,
          popup: mode.popup,
          electron: mode.electron,
          // Where the page reports Rocket.Chat's login-error for this token (see TokenRetirement).
          refusedUrl: tokenRef === undefined ? undefined : LOGIN_REFUSED_PATH,
          tokenRef,
        }),
        returnOnly: message === undefined,
        electron: mode.electron,
        rocketChatUrl: this.config.url,
        retryUrl: this.loginUrl(mode),
        appLink,
      },
    };
  }

  private refused(
    error: RocketChatAccountRefusedError,
    mode: PostLoginMode,
  ): PostLoginAnswer {
    this.logger.warn(
      `No Rocket.Chat login (${error.reason}): ${error.message}`,
    );
    return {
      kind: 'page',
      page: 'error',
      context: {
        pageTitle: 'rocketchat.refused.title',
        heading: 'rocketchat.refused.heading',
        message: `rocketchat.refused.${error.reason}`,
        actionUrl: this.loginUrl(mode),
        actionLabel: 'common.backToLogin',
      },
      status: 403,
    };
  }

  /** The login page, coming back here afterwards with the same mode. */
  loginUrl(mode: PostLoginMode): string {
    const next = new URL(POST_LOGIN_PATH, this.app.publicOrigin);
    if (mode.electron) {
      next.searchParams.set('client', 'electron');
    }
    const params = new URLSearchParams();
    if (mode.electron) {
      params.set('next', `${next.pathname}${next.search}`);
    }
    if (mode.popup) {
      params.set('popup', '1');
    }
    const query = params.toString();
    return query ? `/login?${query}` : '/login';
  }
}

function see(location: string): PostLoginAnswer {
  return { kind: 'redirect', location };
}

/**
 * JSON that is safe inside a `<script>` element: `<`, `>` and `&` (which could end the element
 * or start a comment) and the JavaScript line separators are escaped.
 */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(
    /[<>&\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}
