/**
 * Unknown user, wrong password, disabled account, locked account: one error, one message, one
 * status. (A lock is never shown as such: an attacker must not learn that guessing worked.)
 */
export class InvalidCredentialsError extends Error {
  constructor() {
    super('Invalid credentials');
    this.name = 'InvalidCredentialsError';
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
