import type { GroupTarget, WantedTarget } from './group-plan.js';

export type { GroupTarget, WantedTarget } from './group-plan.js';

/** One person's groups, as an identity source reported them at sign-in or re-check. */
export interface GroupSyncRequest {
  readonly bridgeUserId: string;
  readonly rocketChatUserId: string;
  /** Directory group DNs, OpenID Connect `groups` claim values, or a local user's groups. */
  readonly groups: readonly string[];
  /** `ldap`, `oidc` (or `oidc:<provider>`), `local`: rules may be limited to sources. */
  readonly source: string;
  /** Read Rocket.Chat even when nothing changed since the last complete apply. */
  readonly force?: boolean;
}

/** A deprovisioned person: everything the bridge granted goes. */
export interface GroupWithdrawRequest {
  readonly bridgeUserId: string;
  readonly rocketChatUserId: string;
}

export interface GroupSyncFailure {
  readonly target: GroupTarget;
  readonly action: 'grant' | 'withdraw';
  /** Readable, without secrets: what failed and what to do about it. */
  readonly error: string;
}

export interface GroupSyncOutcome {
  /**
   * `unchanged`: nothing to do (no Rocket.Chat call); `applied`: done; `partial`: some changes
   * failed and are retried at the next apply; `deferred`: another apply for this person was
   * running and takes this one over; `failed`: nothing could be done (Rocket.Chat or MongoDB
   * unavailable, account gone), retried at the next apply.
   */
  readonly status: 'unchanged' | 'applied' | 'partial' | 'deferred' | 'failed';
  readonly granted: readonly GroupTarget[];
  readonly withdrawn: readonly GroupTarget[];
  readonly failed: readonly GroupSyncFailure[];
  /** Why the whole apply failed. */
  readonly error?: string;
}

/** What the rules make of some groups, without any I/O (`rc-bridge users test-login`). */
export interface GroupEvaluation {
  readonly matchedRules: readonly string[];
  readonly targets: readonly WantedTarget[];
}

/** What an apply would change now (Rocket.Chat is read, nothing is written). */
export interface GroupSyncPlan extends GroupEvaluation {
  readonly grant: readonly WantedTarget[];
  readonly withdraw: readonly GroupTarget[];
  /** Wanted and already held without the bridge: left alone. */
  readonly preexisting: readonly WantedTarget[];
  readonly keep: readonly GroupTarget[];
  /** Changes that failed at the last apply and will be retried. */
  readonly pendingFailures: readonly GroupSyncFailure[];
}
