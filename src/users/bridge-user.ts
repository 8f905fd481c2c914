/** A bridge user as the rest of the service sees it: never with its password hash. */
export interface BridgeUser {
  readonly id: string;
  readonly username: string;
  readonly usernameNormalized: string;
  readonly email: string | undefined;
  readonly displayName: string | undefined;
  readonly active: boolean;
  /** Whether a password is set (users without one cannot log in). */
  readonly hasPassword: boolean;
  readonly createdAt: Date;
  readonly updatedAt: Date;
  readonly lastLoginAt: Date | undefined;
  readonly passwordChangedAt: Date | undefined;
  /**
   * Where the person signs in: 'local' (a bridge password), 'ldap', 'oidc:<provider id>' or
   * 'header' (a trusted forward-auth proxy). Only local users have passwords of their own.
   */
  readonly source: string;
  /** The person's stable id at that source (unset for local users). */
  readonly externalId: string | undefined;
  /** Groups, as the source last gave them (or as `rc-bridge users groups` set them). */
  readonly groups: readonly string[];
}

/** What `UsersRepository.create` needs; fields already validated (see user-fields.ts). */
export interface NewUser {
  readonly username: string;
  readonly usernameNormalized: string;
  readonly email?: string;
  readonly displayName?: string;
  readonly active: boolean;
  readonly passwordHash: string;
}

/** A user written by an import, keeping its history from the source system. */
export interface ImportedUser extends NewUser {
  readonly importedId: string | undefined;
  readonly createdAt: Date;
  readonly lastLoginAt: Date | undefined;
}

/** A person first seen through an identity source (OpenID Connect, LDAP, a trusted header). */
export interface NewExternalUser {
  readonly username: string;
  readonly usernameNormalized: string;
  readonly email?: string;
  readonly displayName?: string;
  readonly source: string;
  readonly externalId: string;
  readonly groups: readonly string[];
}

/** What a sign-in through an identity source refreshes: the source stays the source of truth. */
export interface SourceProfile {
  readonly email: string | undefined;
  readonly displayName: string | undefined;
  readonly groups: readonly string[];
}
