import type { LoginClient } from './login-client.js';

/**
 * A person used the bridge's logout button (a CSRF-checked form post), with or without a live
 * session. The session's own end is announced separately, as `session.ended`.
 */
export class LoggedOutEvent {
  static readonly eventName = 'auth.logged-out';

  constructor(
    /** Undefined when the browser had no live session. */
    readonly userId: string | undefined,
    readonly client: LoginClient,
  ) {}
}
