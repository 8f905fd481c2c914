/**
 * Too many failed logins from this client address: 429 with Retry-After, before any password is
 * checked. Observable on purpose (it concerns the address, not an account); a locked account is
 * never reported this way, it gets the wrong-credentials answer.
 */
export class TooManyLoginAttemptsError extends Error {
  constructor(readonly retryAfterSeconds: number) {
    super('Too many failed logins from this address');
    this.name = 'TooManyLoginAttemptsError';
  }
}

/** Every password-check slot and queue place is taken: 503 with a short Retry-After. */
export class LoginBusyError extends Error {
  readonly retryAfterSeconds = 2;

  constructor() {
    super('Too many password checks at once');
    this.name = 'LoginBusyError';
  }
}

/**
 * The password check could not be finished (an identity source did not answer), so the form must
 * say so instead of "wrong credentials". `countsAsFailure`: a real check failed on the way (a
 * local user's password), so the attempt counts against the address and the account like any
 * failed login: an outage must not open a window for unlimited guessing.
 */
export class PasswordCheckIncompleteError extends Error {
  constructor(
    message: string,
    readonly countsAsFailure: boolean,
  ) {
    super(message);
    this.name = 'PasswordCheckIncompleteError';
  }
}
