import type { LdapRefusal } from '../../identity/index.js';

/**
 * How a directory password check ended, for the audit trail only (the form answers every refusal
 * like a wrong password): `succeeded`; the directory's refusal (`wrong-password`, `not-in-group`…);
 * `unavailable` (no server answered) or `misconfigured` (the settings do not work with it);
 * `refused-by-bridge` (the directory vouched, but the bridge would not sign the person in: a
 * disabled bridge user, a name another user holds).
 */
export type DirectoryLoginOutcome =
  | 'succeeded'
  | LdapRefusal
  | 'unavailable'
  | 'misconfigured'
  | 'refused-by-bridge';

/** Emitted for every directory check of the login form; never carries the password. */
export class DirectoryLoginEvent {
  static readonly eventName = 'auth.directory-login';

  constructor(
    readonly outcome: DirectoryLoginOutcome,
    /** As typed. */
    readonly username: string,
    /** The person's entry, when one was found. */
    readonly dn?: string,
    /** The bridge user, when the directory vouched for the person. */
    readonly userId?: string,
    /** Why the bridge refused, or what failed (never a secret). */
    readonly detail?: string,
  ) {}
}
