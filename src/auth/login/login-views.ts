import { Injectable } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import {
  InjectConfig,
  type AppConfig,
  type OidcConfig,
  type RocketChatConfig,
} from '../../config/index.js';
import { LoginFlowService, type LoginFlow } from '../../security/index.js';
import { PageResponder } from '../../web/index.js';
import { providerButtons } from '../oidc/provider-buttons.js';
import { LOGIN_FORM_LIMITS } from './login-form.js';
import { DEFAULT_NEXT, loginUrl, withPopupFlag } from './next-target.js';

export type ErrorPage =
  'csrf' | 'unavailable' | 'badRequest' | 'tooManyRequests' | 'internal';

/**
 * The pages of the login flow and the redirect that ends it, sent on the reply (the HTTP edge of
 * the login controllers and their filter); templates get only what they need.
 */
@Injectable()
export class LoginViews {
  constructor(
    @InjectConfig('app') private readonly app: AppConfig,
    @InjectConfig('rocketchat') private readonly rocketchat: RocketChatConfig,
    @InjectConfig('oidc') private readonly oidc: OidcConfig,
    private readonly pages: PageResponder,
    private readonly flows: LoginFlowService,
  ) {}

  form(
    request: FastifyRequest,
    reply: FastifyReply,
    flow: LoginFlow,
    options: {
      status?: number;
      error?: string;
      /** Values of the error message's placeholders ({provider}, {username}). */
      errorValues?: Readonly<Record<string, string>>;
      username?: string;
    } = {},
  ): FastifyReply {
    const plain = options.error === undefined && options.username === undefined;
    const framed = request.headers['sec-fetch-dest'] === 'iframe';
    // One button per OpenID provider; how it opens depends on where the page is.
    const providers = providerButtons(this.oidc.providers, {
      next: flow.next,
      popup: flow.popup,
      framed,
      origin: this.app.publicOrigin,
    });
    // The POST ignores this `next` for the redirect; it only rebuilds a login link when the
    // login-flow cookie does not come back (cookies blocked).
    const formAction =
      flow.next === DEFAULT_NEXT
        ? '/login'
        : `/login?${new URLSearchParams({ next: flow.next }).toString()}`;
    return this.pages.send(
      request,
      reply,
      'login',
      {
        pageTitle: 'login.title',
        formAction,
        username: options.username,
        error: options.error,
        errorValues: options.errorValues,
        limits: LOGIN_FORM_LIMITS,
        providers,
        providerPopups: providers.some((p) => p.mode === 'popup'),
      },
      {
        status: options.status,
        volatile: { csrfToken: this.flows.csrfToken(flow) },
        // The plain form is the busiest page: rendered once per language, target and place (framed,
        // login window: the provider buttons differ), the token filled in. Never a form that shows
        // what someone typed.
        cacheKey: plain
          ? `${formAction}\u0000${framed ? 'f' : ''}${flow.popup ? 'p' : ''}`
          : undefined,
      },
    );
  }

  continueAs(
    request: FastifyRequest,
    reply: FastifyReply,
    flow: LoginFlow,
    displayName: string,
  ): FastifyReply {
    return this.pages.send(
      request,
      reply,
      'continue',
      { pageTitle: 'continue.title', displayName },
      { volatile: { csrfToken: this.flows.csrfToken(flow) } },
    );
  }

  /** "Signed in as … · Open Rocket.Chat · Log out", for a visit of the bridge itself (GET /). */
  signedIn(
    request: FastifyRequest,
    reply: FastifyReply,
    flow: LoginFlow,
    displayName: string,
  ): FastifyReply {
    return this.pages.send(
      request,
      reply,
      'signed-in',
      {
        pageTitle: 'signedIn.title',
        displayName,
        rocketChatUrl: this.rocketchat.url,
      },
      { volatile: { csrfToken: this.flows.csrfToken(flow) } },
    );
  }

  /**
   * `providerLogout`: the OpenID provider's end-session URL for the session that ended. Top level,
   * the page goes there at once (a script: the form-action policy would stop a redirect of the
   * logout post); in a frame, which the provider would refuse, it offers it in a new window.
   */
  loggedOut(
    request: FastifyRequest,
    reply: FastifyReply,
    flow: LoginFlow | undefined,
    providerLogout?: { readonly url: string; readonly name: string },
  ): FastifyReply {
    const framed = request.headers['sec-fetch-dest'] === 'iframe';
    return this.pages.send(request, reply, 'logged-out', {
      pageTitle: 'loggedOut.title',
      loginUrl: loginUrl(flow?.next ?? DEFAULT_NEXT, flow?.popup ?? false),
      providerLogout,
      providerLogoutNow: providerLogout !== undefined && !framed,
    });
  }

  cookiesBlocked(
    request: FastifyRequest,
    reply: FastifyReply,
    next: string,
  ): FastifyReply {
    return this.pages.send(
      request,
      reply,
      'cookies-blocked',
      { pageTitle: 'cookiesBlocked.title', popupUrl: loginUrl(next, true) },
      { status: 403 },
    );
  }

  error(
    request: FastifyRequest,
    reply: FastifyReply,
    status: number,
    page: ErrorPage,
    next: string = DEFAULT_NEXT,
  ): FastifyReply {
    const restart = page === 'csrf' || page === 'badRequest';
    return this.pages.send(
      request,
      reply,
      'error',
      {
        pageTitle: 'error.title',
        heading: `error.${page}.heading`,
        message: `error.${page}.body`,
        actionUrl: restart ? loginUrl(next) : undefined,
        actionLabel: 'common.backToLogin',
      },
      { status },
    );
  }

  /** 303 to the flow's target on the bridge (absolute, built from PUBLIC_URL's origin). */
  redirect(
    reply: FastifyReply,
    target: { next: string; popup: boolean },
  ): FastifyReply {
    const origin = this.app.publicOrigin;
    const path = target.popup
      ? withPopupFlag(target.next, origin)
      : target.next;
    return reply
      .status(303)
      .header('cache-control', 'no-store')
      .header('location', `${origin}${path}`)
      .send();
  }
}
