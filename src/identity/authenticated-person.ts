/**
 * What every identity source (local passwords, OpenID Connect, LDAP, a trusted forward-auth header)
 * hands to the sign-in decision: the same shape whatever the source, so sessions, Rocket.Chat
 * provisioning, lockout, audit and group mappings never look at where a person came from.
 */
export type IdentitySourceKind = 'local' | 'oidc' | 'ldap' | 'header';

export interface AuthenticatedPerson {
  /** The kind of source and its configured id ('local', 'ldap', or an OpenID provider's id). */
  readonly source: { readonly kind: IdentitySourceKind; readonly id: string };
  /**
   * Stable id of the person at that source, never reassigned: `sub` (with the issuer kept in
   * `source`), the directory entry's entryUUID / objectGUID, the bridge user's own id.
   */
  readonly externalId: string;
  /** The login name as the source gives it (the bridge normalises it like any user name). */
  readonly username: string;
  readonly email?: string;
  /** True only when the source vouches for the address (OIDC `email_verified`, a directory). */
  readonly emailVerified: boolean;
  readonly displayName?: string;
  /** Group names as the source gives them (directory group DNs or names, the `groups` claim). */
  readonly groups: readonly string[];
}
