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
