/**
 * Why a session ended. `logout`: the user asked; `expired`: idle or absolute timeout (found on read
 * or by the sweep); `replaced`: a new login in the same browser; `user-disabled`: the user was
 * disabled or deleted (by an operator, another module, or found so when the session was read);
 * `password-changed`: the user's password was set after the session began; `provider-logout`: the
 * OpenID provider it was signed in through ended the person's session there (back-channel logout);
 * `deprovisioned`: the user's identity source no longer vouches for them (gone from the directory,
 * disabled there, out of the required group).
 */
export type SessionEndReason =
  | 'logout'
  | 'expired'
  | 'replaced'
  | 'user-disabled'
  | 'password-changed'
  | 'provider-logout'
  | 'deprovisioned';

/**
 * Emitted exactly once for every ended session, whatever ended it, after its record was deleted.
 * Listeners (the Rocket.Chat module revokes that user's login token) should be `{ async: true }`
 * and log their own failures: the emitter suppresses listener errors.
 */
export class SessionEndedEvent {
  static readonly eventName = 'session.ended';

  constructor(
    readonly userId: string,
    /** The session record's id, never its token. */
    readonly sessionId: string,
    readonly reason: SessionEndReason,
    readonly endedAt: Date,
  ) {}
}
