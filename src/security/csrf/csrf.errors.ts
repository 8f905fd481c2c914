export type CsrfFailure =
  'cross-site' | 'missing-cookie' | 'expired-or-invalid' | 'bad-token';

/** A state-changing form post failed the CSRF checks (403). The reason is for logs only. */
export class CsrfRejectedError extends Error {
  constructor(readonly reason: CsrfFailure) {
    super(`Form post refused by the CSRF checks (${reason})`);
    this.name = 'CsrfRejectedError';
  }
}

/**
 * The form came back with a CSRF token but without the cookie it was issued with: the browser
 * keeps no cookie for the bridge here (a cross-site frame with third-party cookies blocked).
 * Answered with a way out (a top-level login window), never a loop.
 */
export class CookiesBlockedError extends Error {
  constructor() {
    super('The login-flow cookie did not come back');
    this.name = 'CookiesBlockedError';
  }
}
