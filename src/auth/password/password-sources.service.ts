import { Injectable } from '@nestjs/common';
import {
  InjectConfig,
  type LdapConfig,
  type PasswordSource,
} from '../../config/index.js';
import { LDAP_SOURCE } from '../../identity/index.js';
import {
  CredentialsService,
  LOCAL_SOURCE,
  UsersRepository,
  type AuthenticatedUser,
} from '../../users/index.js';
import { PasswordCheckIncompleteError } from '../protection/login-protection.errors.js';
import {
  DirectoryCheckFailedError,
  DirectorySignIn,
} from './directory-sign-in.service.js';

/**
 * The directory did not answer, and no other source signed the person in. The form says so
 * (503, readable); local users still sign in.
 */
export class DirectoryUnavailableError extends PasswordCheckIncompleteError {
  constructor(
    readonly reason: 'unavailable' | 'misconfigured',
    countsAsFailure: boolean,
  ) {
    super('Directory sign-in is unavailable', countsAsFailure);
    this.name = 'DirectoryUnavailableError';
  }
}

/**
 * The login form's password check over every configured source, in LOGIN_PASSWORD_SOURCES
 * order (`local,ldap` by default with a directory, `local` without): the first that accepts
 * signs the person in. LoginProtection wraps it exactly as it wraps a local check (lockout,
 * address budget, concurrency cap, audit, equal timing), so a directory failure counts and
 * answers like a local one. A user tied to the directory is signed in by the directory only:
 * a local password left from before the link does not count.
 */
@Injectable()
export class PasswordSources {
  readonly order: readonly PasswordSource[];

  constructor(
    @InjectConfig('ldap') config: LdapConfig,
    private readonly credentials: CredentialsService,
    private readonly users: UsersRepository,
    private readonly directory: DirectorySignIn,
  ) {
    this.order = config.enabled ? config.policy.passwordSources : ['local'];
  }

  /**
   * The user, or null for wrong credentials. Throws DirectoryUnavailableError when the directory
   * could not answer and no source accepted (counted as a failure when a local user's password
   * was checked and wrong on the way).
   */
  async verify(
    username: string,
    password: string,
  ): Promise<AuthenticatedUser | null> {
    let failed: DirectoryCheckFailedError | undefined;
    let localChecked = false;
    for (const source of this.order) {
      if (source === 'local') {
        const user = await this.credentials.verify(username, password);
        if (user && user.source !== LDAP_SOURCE.kind) {
          return user;
        }
        localChecked = true;
        continue;
      }
      try {
        const user = await this.directory.signIn(username, password);
        if (user) {
          return user;
        }
      } catch (error) {
        if (!(error instanceof DirectoryCheckFailedError)) {
          throw error;
        }
        failed = error;
      }
    }
    if (failed) {
      throw new DirectoryUnavailableError(
        failed.reason,
        localChecked && (await this.hasLocalPassword(username)),
      );
    }
    return null;
  }

  /** Whether anybody has this name: a bridge user, or a person in the directory. */
  async isUser(username: string): Promise<boolean> {
    return (
      (await this.credentials.isUser(username)) ||
      (this.order.includes('ldap') && (await this.directory.knows(username)))
    );
  }

  /** One check against nobody, costing what `verify` costs (a local hash, a directory check). */
  async spendCheck(password: string): Promise<void> {
    for (const source of this.order) {
      if (source === 'local') {
        await this.credentials.spendCheck(password);
      } else {
        await this.directory.spendCheck(password);
      }
    }
  }

  /** Whether the local check just made was a real one (a local user with a password). */
  private async hasLocalPassword(username: string): Promise<boolean> {
    try {
      const user = await this.users.findByUsername(username);
      return user?.source === LOCAL_SOURCE && user.hasPassword;
    } catch {
      // Unknown: counting is the safe side.
      return true;
    }
  }
}
