/** Unknown user, wrong password, disabled account: one error, one message, one status. */
export class InvalidCredentialsError extends Error {
  constructor() {
    super('Invalid credentials');
    this.name = 'InvalidCredentialsError';
  }
}

/**
 * Logging in to this account is paused (too many failures). Nothing raises it yet: the brute-force
 * protection will, and the login page already shows it (429, with Retry-After when known).
 */
export class AccountLockedError extends Error {
  constructor(readonly retryAfterSeconds?: number) {
    super('Account temporarily locked');
    this.name = 'AccountLockedError';
  }
}

export type LoginFormProblem = 'missing' | 'too-long' | 'malformed';

/** The form's fields are absent, empty, too long or not plain strings (400, before any lookup). */
export class InvalidLoginFormError extends Error {
  constructor(readonly problem: LoginFormProblem) {
    super(`Invalid login form (${problem})`);
    this.name = 'InvalidLoginFormError';
  }
}
