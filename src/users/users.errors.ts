/** A field given for a user breaks its rule (see user-fields.ts); the message is fit for an admin. */
export class InvalidUserFieldError extends Error {
  constructor(
    readonly field: 'username' | 'email' | 'name' | 'groups',
    readonly problem: string,
  ) {
    super(`The ${field} ${problem}`);
    this.name = 'InvalidUserFieldError';
  }
}

/** The user's groups come from its identity source (the directory, a provider), not from the CLI. */
export class GroupsFromSourceError extends Error {
  constructor(
    readonly username: string,
    readonly source: string,
  ) {
    super(
      `${username} signs in through ${source}, which sets its groups at every sign-in: change them there`,
    );
    this.name = 'GroupsFromSourceError';
  }
}

export class PasswordPolicyError extends Error {
  constructor(readonly problem: string) {
    super(`The password ${problem}`);
    this.name = 'PasswordPolicyError';
  }
}

/** Another user already has this username, compared case-insensitively. */
export class UsernameTakenError extends Error {
  constructor(readonly username: string) {
    super(`A user named ${JSON.stringify(username)} already exists`);
    this.name = 'UsernameTakenError';
  }
}

export class UserNotFoundError extends Error {
  constructor(readonly username: string) {
    super(`No user named ${JSON.stringify(username)}`);
    this.name = 'UserNotFoundError';
  }
}

/**
 * The user store (MongoDB) could not answer. Credential checks throw it instead of answering
 * "no such user", so a login fails closed (503) during an outage; `cause` holds the driver error.
 */
export class UserStoreUnavailableError extends Error {
  constructor(options?: { cause?: unknown }) {
    super('The user store (MongoDB) is unavailable', options);
    this.name = 'UserStoreUnavailableError';
  }
}
