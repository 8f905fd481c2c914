import { Injectable, Logger } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { InjectConfig, type LdapConfig } from '../../config/index.js';
import {
  LdapAuthenticator,
  LdapConfigurationError,
  LdapUnavailableError,
  type LdapLoginResult,
} from '../../identity/index.js';
import {
  toAuthenticated,
  UsersRepository,
  type AuthenticatedUser,
} from '../../users/index.js';
import {
  DirectoryLoginEvent,
  type DirectoryLoginOutcome,
} from '../events/directory-login.event.js';
import { PersonSignIn } from '../sign-in/person-sign-in.service.js';
import { SignInRefusedError } from '../sign-in/sign-in.errors.js';

/** Outage warnings are repeated at most this often (every failed sign-in would log one). */
const WARNING_INTERVAL_MS = 30_000;

/** The directory could not check the password (unreachable, or settings that do not work with it). */
export class DirectoryCheckFailedError extends Error {
  constructor(readonly reason: 'unavailable' | 'misconfigured') {
    super(`The directory could not check the password (${reason})`);
    this.name = 'DirectoryCheckFailedError';
  }
}

/**
 * The login form's directory source: the name and password checked against LDAP, and a person
 * the directory vouched for turned into their bridge user (PersonSignIn: found by stable id,
 * created just in time, linked to a local user of the same name only with LDAP_LINK_BY_USERNAME,
 * refreshed from the directory). Every refusal is null, like a wrong password (the reason is
 * announced for the audit trail); a disabled bridge user too. A directory that cannot answer
 * throws DirectoryCheckFailedError; a name another bridge user holds throws SignInRefusedError.
 */
@Injectable()
export class DirectorySignIn {
  private readonly logger = new Logger(DirectorySignIn.name);
  private lastWarning = 0;

  constructor(
    @InjectConfig('ldap') private readonly config: LdapConfig,
    private readonly ldap: LdapAuthenticator,
    private readonly people: PersonSignIn,
    private readonly users: UsersRepository,
    private readonly events: EventEmitter2,
  ) {}

  async signIn(
    username: string,
    password: string,
  ): Promise<AuthenticatedUser | null> {
    if (!this.config.enabled) {
      return null;
    }
    let result: LdapLoginResult;
    try {
      result = await this.ldap.login(username, password);
    } catch (error) {
      throw this.failed(username, error);
    }
    if (!result.ok) {
      this.announce(result.refusal, username, result.dn);
      return null;
    }
    try {
      const user = await this.people.resolve(result.person, {
        byUsername: this.config.policy.linkByUsername,
        byEmail: false,
      });
      this.announce('succeeded', username, result.dn, user.id);
      await this.users.touchLastLogin(user.id).catch((error: unknown) => {
        // The person proved their password: a failed write must not turn it into an error.
        this.logger.warn(
          `Could not record the login of user ${user.id}: ${(error as Error).name}`,
        );
      });
      return toAuthenticated(user);
    } catch (error) {
      if (!(error instanceof SignInRefusedError)) {
        throw error;
      }
      this.announce(
        'refused-by-bridge',
        username,
        result.dn,
        undefined,
        error.reason,
      );
      this.logger.warn(
        `The directory vouched for ${result.dn}, but the bridge refused the sign-in: ${error.message}`,
      );
      if (error.reason === 'disabled') {
        // A disabled bridge user gets what a disabled local user gets: "wrong credentials".
        return null;
      }
      throw error;
    }
  }

  /**
   * Whether the directory knows this name (for the lockout: names nobody has are never locked).
   * A directory that does not answer knows nobody.
   */
  async knows(username: string): Promise<boolean> {
    if (!this.config.enabled) {
      return false;
    }
    try {
      return (await this.ldap.lookup({ username })).status !== 'gone';
    } catch {
      return false;
    }
  }

  /** A check of a name nobody has: what a refused directory sign-in costs, announced nowhere. */
  async spendCheck(password: string): Promise<void> {
    if (this.config.enabled) {
      await this.ldap
        .login('rc-bridge-no-such-person', password)
        .catch(() => undefined);
    }
  }

  private failed(username: string, error: unknown): unknown {
    const reason =
      error instanceof LdapUnavailableError
        ? 'unavailable'
        : error instanceof LdapConfigurationError
          ? 'misconfigured'
          : undefined;
    if (reason === undefined) {
      return error;
    }
    const detail = (error as LdapUnavailableError).detail;
    this.announce(reason, username, undefined, undefined, detail);
    const now = Date.now();
    if (reason === 'misconfigured') {
      this.logger.error(`Directory sign-in does not work: ${detail}`);
    } else if (now - this.lastWarning >= WARNING_INTERVAL_MS) {
      this.lastWarning = now;
      this.logger.warn(
        `Directory sign-in is unavailable (${detail}); local users can still sign in`,
      );
    }
    return new DirectoryCheckFailedError(reason);
  }

  private announce(
    outcome: DirectoryLoginOutcome,
    username: string,
    dn?: string,
    userId?: string,
    detail?: string,
  ): void {
    this.events.emit(
      DirectoryLoginEvent.eventName,
      new DirectoryLoginEvent(outcome, username, dn, userId, detail),
    );
  }
}
