import { Injectable } from '@nestjs/common';
import { InjectConfig, type AuthConfig } from '../../config/index.js';
import { Clock } from '../../common/index.js';
import { ThrottleStore } from '../../throttle/index.js';

/**
 * Whose failures an attempt counts against: the account (clients without a device cookie for it),
 * or the device cookie it presented (`key` is the cookie's nonce; `account` the name it is for).
 */
export type LockSubject =
  | { readonly kind: 'account'; readonly key: string }
  | { readonly kind: 'device'; readonly key: string; readonly account: string };

/** May this attempt be checked? Decided before any hashing. */
export type AccountAdmission =
  | {
      readonly admitted: true;
      /** Attempts counted now, this one included (0: lockout is off). */
      readonly counted: number;
    }
  | { readonly admitted: false };

export interface ImposedLock {
  readonly until: Date;
  readonly level: number;
}

/** Consecutive locks within this time escalate (Keycloak forgets failures after 12 h). */
const LOCK_ESCALATION_MEMORY_MS = 24 * 3600 * 1000;

const counterId = (s: LockSubject) =>
  s.kind === 'account' ? `a|${s.key}` : `d|${s.key}`;
const lockId = (account: string) => `h|${account}`;
/** An account's counter and lock history (what `rc-bridge locks clear <username>` removes). */
export const accountRecordIds = (account: string): string[] => [
  `a|${account}`,
  lockId(account),
];

/**
 * Per-account lockout (Authelia's "regulation", Keycloak's brute-force detection) and, the same
 * way, per device cookie (OWASP's device cookies), keyed by the normalised username so `Alice`
 * and `ALICE` share one count, with state in MongoDB for every replica. Each attempt is counted
 * *before* its password is checked (a reservation), so parallel attempts cannot slip past the
 * limit; a success resets the count. LOCKOUT_MAX_FAILURES within LOCKOUT_WINDOW lock for
 * LOCKOUT_DURATION: an account's lock doubles for each further lock within a day up to
 * LOCKOUT_MAX_DURATION. A lock is the full counter kept until the lock ends, so attempts while
 * locked are refused uncounted (they do not extend it). A name that belongs to no user is never
 * locked: at the limit its count is reset, so guesses at unknown names leave nothing that would
 * block a user created later.
 */
@Injectable()
export class AccountLockout {
  constructor(
    @InjectConfig('auth') private readonly config: AuthConfig,
    private readonly store: ThrottleStore,
    private readonly clock: Clock,
  ) {}

  async admit(subject: LockSubject): Promise<AccountAdmission> {
    const lockout = this.config.protection.lockout;
    if (!lockout) {
      return { admitted: true, counted: 0 };
    }
    const window = await this.store.hit(
      counterId(subject),
      {
        kind: subject.kind,
        subject: subject.kind === 'account' ? subject.key : subject.account,
        limit: lockout.maxFailures,
      },
      this.clock.now() + lockout.windowMs,
      lockout.maxFailures,
    );
    return window
      ? { admitted: true, counted: window.count }
      : { admitted: false };
  }

  /**
   * After a successful check: the count starts again. An account's success (without a device
   * cookie) also forgets its earlier locks; a device cookie's success leaves the account's count
   * alone, so a person's routine logins never refill an attacker's budget.
   */
  async succeeded(subject: LockSubject): Promise<void> {
    if (this.config.protection.lockout) {
      await this.store.remove(
        subject.kind === 'account'
          ? accountRecordIds(subject.key)
          : [counterId(subject)],
      );
    }
  }

  /**
   * After a failed check. At the limit it locks (an account's lock is returned), or, for a name
   * no user has (`userExists` says), the count is reset instead.
   */
  async failed(
    subject: LockSubject,
    admission: AccountAdmission,
    userExists: () => Promise<boolean>,
  ): Promise<ImposedLock | undefined> {
    const lockout = this.config.protection.lockout;
    if (
      !lockout ||
      !admission.admitted ||
      admission.counted < lockout.maxFailures
    ) {
      return undefined;
    }
    const now = this.clock.now();
    if (subject.kind === 'device') {
      await this.store.holdUntil(
        counterId(subject),
        new Date(now + lockout.durationMs),
      );
      return undefined;
    }
    if (!(await userExists())) {
      await this.store.remove([counterId(subject)]);
      return undefined;
    }
    const last = await this.store.readLock(lockId(subject.key));
    const level =
      last?.lastLockAt !== undefined &&
      now - last.lastLockAt.getTime() < LOCK_ESCALATION_MEMORY_MS
        ? (last.lockLevel ?? 0) + 1
        : 1;
    const until = new Date(
      now +
        Math.min(
          lockout.durationMs * 2 ** Math.min(level - 1, 20),
          lockout.maxDurationMs,
        ),
    );
    await this.store.holdUntil(counterId(subject), until);
    await this.store.writeLock(
      lockId(subject.key),
      { kind: 'lock', subject: subject.key },
      { lockedUntil: until, lockLevel: level, lastLockAt: new Date(now) },
      new Date(Math.max(until.getTime(), now + LOCK_ESCALATION_MEMORY_MS)),
    );
    return { until, level };
  }
}
