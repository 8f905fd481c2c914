/**
 * Why a person an identity source vouched for still gets no session. The message is fit for the
 * login page and the log (never a secret); `reason` goes to the audit trail.
 */
export type SignInRefusal =
  'disabled' | 'invalid-username' | 'username-taken' | 'email-ambiguous';

export class SignInRefusedError extends Error {
  constructor(
    readonly reason: SignInRefusal,
    message: string,
  ) {
    super(message);
    this.name = 'SignInRefusedError';
  }
}
