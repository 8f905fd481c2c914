import { Injectable, Logger } from '@nestjs/common';
import { describeMongoError } from '../database/index.js';
import { PasswordHasher } from './passwords/password-hasher.service.js';
import { withinPasswordLimit } from './passwords/password-policy.js';
import type { BridgeUser } from './bridge-user.js';
import { UsersRepository, type LoginRecord } from './users.repository.js';
import { UserStoreUnavailableError } from './users.errors.js';

export interface AuthenticatedUser {
  readonly id: string;
  readonly username: string;
  readonly email: string | undefined;
  readonly displayName: string | undefined;
  /** Where the user signs in ('local', 'ldap', 'oidc:<id>'…): see BridgeUser.source. */
  readonly source: string;
}

/** Raw usernames longer than this are refused without a lookup (the rule allows 150 characters). */
const MAX_USERNAME_INPUT = 1024;

/**
 * The credential check behind the login form (and passport-local). Nothing else: no sessions, no
 * lockout (a later layer wraps `verify`, checking before any hashing).
 */
@Injectable()
export class CredentialsService {
  private readonly logger = new Logger(CredentialsService.name);

  constructor(
    private readonly users: UsersRepository,
    private readonly hasher: PasswordHasher,
  ) {}

  /**
   * The active user whose password matches, or null - same answer and similar timing for unknown,
   * wrong-password, disabled and password-less users: each costs exactly one hash computation (a
   * dummy argon2id hash stands in for a missing or unusable one). Input that is not a string or
   * is over the length limits is refused at once, before any lookup: that reveals nothing about
   * any user. On success the login time is recorded and a hash below policy (an imported Django
   * hash, or argon2 with lower costs) is replaced. Throws UserStoreUnavailableError (never returns
   * null) when MongoDB fails, so callers can answer 503.
   */
  async verify(
    username: string,
    password: string,
  ): Promise<AuthenticatedUser | null> {
    if (
      typeof username !== 'string' ||
      typeof password !== 'string' ||
      username.length > MAX_USERNAME_INPUT ||
      !withinPasswordLimit(password)
    ) {
      return null;
    }
    let record: LoginRecord | null;
    try {
      record = await this.users.findForLogin(username);
    } catch (error) {
      throw new UserStoreUnavailableError({ cause: error });
    }
    const check = await this.hasher.verify(record?.passwordHash, password);
    if (!record || !check.ok || !record.user.active) {
      return null;
    }
    await this.afterSuccess(record, password, check.needsRehash);
    return toAuthenticated(record.user);
  }

  /** Whether a user (active or not) has this username: MongoDB errors propagate. */
  async isUser(username: string): Promise<boolean> {
    return (await this.users.findByUsername(username)) !== null;
  }

  /**
   * One password check against no user: it costs what `verify` costs, for answers that must take
   * as long as a real check (a locked account's, before any real check was timed).
   */
  async spendCheck(password: string): Promise<void> {
    await this.hasher.verify(undefined, password);
  }

  /**
   * Best effort: the user proved their password, so a failed write here must not turn the login
   * into an error (a MongoDB outage surfaces when the session is created anyway).
   */
  private async afterSuccess(
    record: LoginRecord,
    password: string,
    needsRehash: boolean,
  ): Promise<void> {
    const { user, passwordHash } = record;
    try {
      await this.users.touchLastLogin(user.id);
      if (needsRehash && passwordHash !== undefined) {
        const fresh = await this.hasher.hash(password);
        if (
          await this.users.replacePasswordHash(user.id, passwordHash, fresh)
        ) {
          this.logger.log(`Upgraded the password hash of user ${user.id}`);
        }
      }
    } catch (error) {
      this.logger.warn(
        `Could not record the login of user ${user.id}: ${describeMongoError(error)}`,
      );
    }
  }
}

export function toAuthenticated(user: BridgeUser): AuthenticatedUser {
  return {
    id: user.id,
    username: user.username,
    email: user.email,
    displayName: user.displayName,
    source: user.source,
  };
}
