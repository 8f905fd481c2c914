import { performance } from 'node:perf_hooks';
import { Injectable } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { DurationSamples, sleep } from '../../common/index.js';
import { type AuthConfig, InjectConfig } from '../../config/index.js';
import { addressKey } from '../../security/index.js';
import { type AuthenticatedUser, parseUsername } from '../../users/index.js';
import { AccountLockedEvent } from '../events/account-locked.event.js';
import {
  LoginAttemptedEvent,
  type LoginOutcome,
} from '../events/login-attempted.event.js';
import type { LoginClient } from '../events/login-client.js';
import { AccountLockout, type LockSubject } from './account-lockout.service.js';
import { AddressFailures } from './address-failures.service.js';
import { DeviceTokens } from './device-tokens.js';
import {
  LoginBusyError,
  PasswordCheckIncompleteError,
  TooManyLoginAttemptsError,
} from './login-protection.errors.js';
import { PasswordSources } from '../password/password-sources.service.js';
import { PasswordCheckGate } from './password-check-gate.js';

/**
 * The one way the login form checks a password: `PasswordSources.verify` (the bridge's own
 * users and the directory, in LOGIN_PASSWORD_SOURCES order) wrapped in its protections, each
 * decided before any hashing or directory bind, the same for every source. An attempt that
 * presents a valid device cookie for the account it tries (proof of an earlier login in that
 * browser, see DeviceTokens) is judged by that cookie's own failures only; any other attempt by,
 * in order, the client address's failure budget (429, TooManyLoginAttemptsError) and the
 * account's lockout. Then a place among the concurrent password checks (503, LoginBusyError),
 * and the check. A locked account or device answers null, like a wrong password, after a delay
 * drawn from recent failed checks: the lock shows neither in the answer nor in its timing. A
 * directory that could not answer (PasswordCheckIncompleteError) is counted like a wrong password
 * when a real local check failed on the way, then rethrown for its own message. Every outcome is
 * announced (LoginAttemptedEvent, AccountLockedEvent) for the audit trail and the login metric.
 */
@Injectable()
export class LoginProtection {
  private readonly gate: PasswordCheckGate;
  private readonly timing = new DurationSamples();

  constructor(
    @InjectConfig('auth') config: AuthConfig,
    private readonly credentials: PasswordSources,
    private readonly lockout: AccountLockout,
    private readonly addresses: AddressFailures,
    private readonly devices: DeviceTokens,
    private readonly events: EventEmitter2,
  ) {
    const { concurrency, queue } = config.protection.passwordChecks;
    this.gate = new PasswordCheckGate(concurrency, queue);
  }

  /**
   * The user, or null for wrong credentials and locked accounts alike. `deviceCookie` is the
   * raw value of the browser's device cookie (DeviceCookie.read), if it sent one; after a
   * success the caller renews it (DeviceCookie.issue).
   */
  async verify(
    username: string,
    password: string,
    client: LoginClient,
    deviceCookie?: string,
  ): Promise<AuthenticatedUser | null> {
    const parsed = parseUsername(username);
    const name = parsed.ok ? parsed.value.display : username;
    // The form refuses names that cannot exist; should one get here, it shares one harmless key.
    const key = parsed.ok ? parsed.value.key : '\u0000invalid';
    const address = addressKey(client.ip);
    const device = parsed.ok
      ? this.devices.verify(deviceCookie, key)
      : undefined;
    const subject: LockSubject = device
      ? { kind: 'device', key: device, account: key }
      : { kind: 'account', key };

    const wait = device ? undefined : await this.addresses.refusal(address);
    if (wait !== undefined) {
      this.announce('throttled', name, client, undefined, wait);
      throw new TooManyLoginAttemptsError(wait);
    }

    const started = performance.now();
    let outcome;
    try {
      outcome = await this.gate.run(async () => {
        const admission = await this.lockout.admit(subject);
        if (!admission.admitted) {
          return { admission, user: null };
        }
        try {
          return {
            admission,
            user: await this.credentials.verify(username, password),
          };
        } catch (error) {
          // Counted like a wrong password, then answered with its own message.
          if (
            error instanceof PasswordCheckIncompleteError &&
            error.countsAsFailure
          ) {
            return { admission, user: null, incomplete: error };
          }
          throw error;
        }
      });
    } catch (error) {
      if (error instanceof LoginBusyError) {
        this.announce('busy', name, client);
      }
      throw error;
    }
    const { admission, user, incomplete } = outcome;

    if (user) {
      await this.lockout.succeeded(subject);
      await this.addresses.succeeded(address, key);
      this.announce('succeeded', name, client, user);
      return user;
    }

    if (admission.admitted) {
      // An incomplete check's duration says nothing about a failed one.
      if (!incomplete) {
        this.timing.record(performance.now() - started);
      }
    } else {
      await this.equalize(password, performance.now() - started);
    }
    if (!device) {
      await this.addresses.failed(address, key);
    }
    const lock = await this.lockout.failed(subject, admission, async () =>
      parsed.ok ? this.credentials.isUser(username) : false,
    );
    this.announce(admission.admitted ? 'failed' : 'locked', name, client);
    if (lock) {
      this.events.emit(
        AccountLockedEvent.eventName,
        new AccountLockedEvent(name, lock.until, lock.level, client),
      );
    }
    if (incomplete) {
      throw incomplete;
    }
    return null;
  }

  private announce(
    outcome: LoginOutcome,
    username: string,
    client: LoginClient,
    user?: AuthenticatedUser,
    retryAfterSeconds?: number,
  ): void {
    this.events.emit(
      LoginAttemptedEvent.eventName,
      new LoginAttemptedEvent(
        outcome,
        username,
        client,
        user && { id: user.id, username: user.username },
        retryAfterSeconds,
      ),
    );
  }

  /** Waits as long as a failed check would have taken (a real dummy check before any sample). */
  private async equalize(password: string, elapsedMs: number): Promise<void> {
    const target = this.timing.pick();
    if (target === undefined) {
      await this.gate.run(() => this.credentials.spendCheck(password));
      return;
    }
    if (target > elapsedMs) {
      await sleep(target - elapsedMs);
    }
  }
}
