import type { OidcLoginFailure } from '../../identity/index.js';
import type { LoginTarget } from '../login/login.service.js';
import type { SignInRefusal } from '../sign-in/index.js';

/** The login page that answers a failed sign-in: its status, message key and the message's values. */
export interface FailurePage {
  readonly status: number;
  /** A locale key (locales/*.json). */
  readonly error: string;
  readonly values: Readonly<Record<string, string>>;
}

/**
 * What the person reads for each way an OpenID sign-in fails, and with which status. A failure of
 * the provider is not the bridge's: the page is a 4xx (a provider outage must not make the bridge
 * look broken), the form below it still works, and the log line names the cause.
 */
const OIDC_PAGES: Record<OidcLoginFailure, { status: number; error: string }> =
  {
    'unknown-provider': { status: 404, error: 'oidc.error.unknownProvider' },
    'provider-unavailable': { status: 400, error: 'oidc.error.unavailable' },
    'discovery-invalid': { status: 400, error: 'oidc.error.setup' },
    'client-rejected': { status: 400, error: 'oidc.error.setup' },
    'token-request-failed': { status: 400, error: 'oidc.error.setup' },
    'clock-skew': { status: 400, error: 'oidc.error.setup' },
    'state-unknown': { status: 400, error: 'oidc.error.expired' },
    'state-expired': { status: 400, error: 'oidc.error.expired' },
    'code-rejected': { status: 400, error: 'oidc.error.expired' },
    'browser-mismatch': { status: 400, error: 'oidc.error.otherBrowser' },
    'provider-refused': { status: 401, error: 'oidc.error.refused' },
    'nonce-mismatch': { status: 400, error: 'oidc.error.unverified' },
    'id-token-invalid': { status: 400, error: 'oidc.error.unverified' },
    'userinfo-invalid': { status: 400, error: 'oidc.error.unverified' },
    'claims-invalid': { status: 400, error: 'oidc.error.claims' },
  };

const REFUSAL_PAGES: Record<SignInRefusal, string> = {
  disabled: 'signIn.error.disabled',
  'username-taken': 'signIn.error.usernameTaken',
  'invalid-username': 'signIn.error.invalidUsername',
  'email-ambiguous': 'signIn.error.emailAmbiguous',
};

export function oidcFailurePage(
  reason: OidcLoginFailure,
  provider: string,
): FailurePage {
  return { ...OIDC_PAGES[reason], values: { provider } };
}

/** A person the source vouched for, whom the bridge still refuses (403). */
export function refusalPage(
  reason: SignInRefusal,
  provider: string,
  username: string | undefined,
): FailurePage {
  return {
    status: 403,
    error: REFUSAL_PAGES[reason],
    values: { provider, username: username ?? '' },
  };
}

/**
 * A sign-in through an identity source outside the bridge ended without a session: answered with
 * the login page (OidcLoginFilter, the login page itself for a trusted header). Already announced
 * for the audit trail and logged where it was thrown.
 */
export class ExternalSignInFailedError extends Error {
  constructor(
    readonly page: FailurePage,
    readonly reason: string,
    /** Where the login page goes on to, when known here (else the login flow's). */
    readonly target?: LoginTarget,
  ) {
    super(`Sign-in failed (${reason})`);
    this.name = 'ExternalSignInFailedError';
  }
}
