import { Injectable } from '@nestjs/common';
import { InjectConfig, type AuthConfig } from '../../config/index.js';
import { Clock } from '../../common/index.js';
import {
  WindowCounter,
  LOCK_ESCALATION_MEMORY_MS,
  ThrottleSubjects,
  type AccountState,
} from '../../throttle/index.js';

/** May this attempt be checked? Decided before any hashing. */
export type AccountAdmission =
  | {
      readonly admitted: true;
      /** Attempts counted now, this one included (0: lockout is off). */
      readonly counted: number;
    }
  | { readonly admitted: false; readonly reason: 'locked' | 'limit' };

export interface ImposedLock {
  readonly until: Date;
  readonly level: number;
}

/**
 * Per-account lockout (Authelia's "regulation", Keycloak's brute-force detection), keyed by the
 * normalised username so `Alice` and `ALICE` share one count, with state in MongoDB for every
 * replica. Each attempt is counted *before* its password is checked (a reservation), so parallel
 * attempts cannot slip past the limit; a success resets the count. LOCKOUT_MAX_FAILURES within
 * LOCKOUT_WINDOW lock the account for LOCKOUT_DURATION, doubling for each further lock within a
 * day up to LOCKOUT_MAX_DURATION. Attempts while locked are refused uncounted (they do not extend
 * the lock). A name that belongs to no user is never locked: at the limit its count is reset, so
 * guesses at unknown names leave nothing that would block a user created later.
 */
@Injectable()
export class AccountLockout {
  constructor(
    @InjectConfig('auth') private readonly config: AuthConfig,
    private readonly subjects: ThrottleSubjects,
    private readonly counter: WindowCounter,
    private readonly clock: Clock,
  ) {}

  get enabled(): boolean {
    return this.config.protection.lockout !== undefined;
  }

  async admit(key: string): Promise<AccountAdmission> {
    const lockout = this.config.protection.lockout;
    if (!lockout) {
      return { admitted: true, counted: 0 };
    }
    const state = await this.subjects.account(key);
    if (
      state.lockedUntil !== undefined &&
      state.lockedUntil > this.clock.now()
    ) {
      return { admitted: false, reason: 'locked' };
    }
    const claim = await this.counter.claim(this.counterFor(key, state));
    return claim.ok
      ? { admitted: true, counted: claim.counted }
      : { admitted: false, reason: 'limit' };
  }

  /** After a successful check: the count starts again (and earlier locks are forgotten). */
  async succeeded(key: string): Promise<void> {
    const lockout = this.config.protection.lockout;
    if (lockout) {
      await this.subjects.resetAccount(key, lockout.windowMs);
    }
  }

  /**
   * After a failed check. At the limit the account is locked (returned), or, for a name no user
   * has (`userExists` says), the count is reset instead.
   */
  async failed(
    key: string,
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
    if (!(await userExists())) {
      await this.subjects.resetAccount(key, lockout.windowMs);
      return undefined;
    }
    const state = await this.subjects.account(key);
    const now = this.clock.now();
    if (state.lockedUntil !== undefined && state.lockedUntil > now) {
      return undefined; // a parallel failure locked it already
    }
    const level =
      state.lastLockAt !== undefined &&
      now - state.lastLockAt < LOCK_ESCALATION_MEMORY_MS
        ? state.lockLevel + 1
        : 1;
    const duration = Math.min(
      lockout.durationMs * 2 ** Math.min(level - 1, 20),
      lockout.maxDurationMs,
    );
    const until = now + duration;
    await this.subjects.lockAccount(key, until, level, lockout.windowMs);
    return { until: new Date(until), level };
  }

  private counterFor(key: string, state: AccountState) {
    const lockout = this.config.protection.lockout!;
    return {
      key: `a|${key}|${state.generation}`,
      limit: lockout.maxFailures,
      windowMs: lockout.windowMs,
    };
  }
}
