import type { LoginClient } from './login-client.js';

/**
 * How a password check ended: `succeeded`; `failed` (wrong credentials); `locked` (the account is
 * locked, answered as wrong credentials); `throttled` (the client address is over its failure
 * budget, 429); `busy` (every password-check slot was taken, 503).
 */
export type LoginOutcome =
  'succeeded' | 'failed' | 'locked' | 'throttled' | 'busy';

/**
 * Emitted once for every login form submission that reached the password check's protections,
 * whatever the outcome; the audit trail and the login metric listen. Never carries the password.
 */
export class LoginAttemptedEvent {
  static readonly eventName = 'auth.login-attempted';

  constructor(
    readonly outcome: LoginOutcome,
    /** As typed (the display form when it is a valid username). */
    readonly username: string,
    readonly client: LoginClient,
    /** Set when the outcome is `succeeded`. */
    readonly user?: { readonly id: string; readonly username: string },
    /** Set when the outcome is `throttled`. */
    readonly retryAfterSeconds?: number,
  ) {}
}
