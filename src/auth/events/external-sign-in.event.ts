import type { LoginClient } from './login-client.js';

/** Which identity source outside the bridge's own passwords a sign-in came through. */
export type ExternalSource = 'oidc' | 'header';

/**
 * A sign-in through an OpenID provider or a trusted proxy header ended: with a session
 * (`succeeded`) or without one (`failed`: the provider, the callback or the sign-in decision
 * refused). The audit trail listens. Never carries a token, a code or a claim beyond the user name.
 */
export class ExternalSignInEvent {
  static readonly eventName = 'auth.external-sign-in';

  constructor(
    readonly source: ExternalSource,
    /** The OpenID provider's id, or the trusted header's name. */
    readonly provider: string,
    readonly outcome: 'succeeded' | 'failed',
    readonly client: LoginClient,
    readonly detail: {
      readonly user?: { readonly id: string; readonly username: string };
      /** Why it failed: an OidcLoginFailure or a SignInRefusal. */
      readonly reason?: string;
      readonly username?: string;
      /** The provider's OAuth error code, when it answered `error=`. */
      readonly error?: string;
    },
  ) {}
}

/** A provider's back-channel logout token was handled: sessions ended, or refused (400). */
export class BackchannelLogoutEvent {
  static readonly eventName = 'auth.backchannel-logout';

  constructor(
    readonly client: LoginClient,
    readonly outcome:
      | {
          readonly accepted: true;
          readonly provider: string;
          readonly sessions: number;
        }
      | { readonly accepted: false; readonly reason: string },
  ) {}
}
