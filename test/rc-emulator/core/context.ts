import type { IncomingHttpHeaders } from 'node:http';
import type { Accounts } from './accounts.js';
import type { CallLog } from './call-log.js';
import type { ApiResult } from './errors.js';
import type { FaultRegistry } from './faults.js';
import type { PasswordPolicyErrorStyle } from './password-policy.js';
import type { RateLimiter } from './rate-limiter.js';
import type { RoleCatalog } from './role-catalog.js';
import type { RoomsStore } from './rooms.store.js';
import type { EmulatorState } from './state.js';
import type { TwoFactor, TwoFactorOptions } from './two-factor.js';
import type { UserDoc, UsersStore } from './users.store.js';
import type { Schema } from './validation.js';
import type { EmulatedVersion } from './version.js';

export type WebClientGeneration = 'meteor' | 'react' | 'modern';

/** Everything routes need; one per running emulator. */
export interface EmulatorCore {
  readonly state: EmulatorState;
  readonly users: UsersStore;
  /** Rooms, subscriptions and teams (control-rooms.ts, rooms/teams routes). */
  readonly rooms: RoomsStore;
  readonly roleCatalog: RoleCatalog;
  readonly accounts: Accounts;
  readonly twoFactor: TwoFactor;
  readonly rateLimiter: RateLimiter;
  readonly calls: CallLog;
  readonly faults: FaultRegistry;
  readonly settingsPolicy: {
    passwordPolicyErrorStyle: () => PasswordPolicyErrorStyle;
  };
  readonly web: { generation: WebClientGeneration; pollMs: number };
  /** `http://host:port` of the emulator. */
  origin(): string;
}

export interface RouteContext {
  readonly core: EmulatorCore;
  readonly version: EmulatedVersion;
  readonly user: UserDoc | null;
  readonly userId: string | null;
  /** Hashed `X-Auth-Token` of an authenticated call. */
  readonly hashedToken: string | null;
  readonly body: Record<string, unknown>;
  readonly query: Record<string, unknown>;
  readonly params: Record<string, string>;
  readonly headers: IncomingHttpHeaders;
  readonly ip: string;
}

/** A value, or one computed from the version (and the server state, for `ReleaseQuirks`). */
type PerVersion<T> =
  T | ((version: EmulatedVersion, state: EmulatorState) => T);

export interface RouteDefinition {
  /** Route key, as after `/api/v1/` (`users.info`, `settings/:_id`) or after `/api/` for `info`. */
  readonly key: string;
  readonly method: 'GET' | 'POST';
  /** `v1` routes live under `/api/v1/` and are rate limited; `default` under `/api/`. */
  readonly base?: 'v1' | 'default';
  readonly authRequired: boolean;
  /** Resolve the caller from headers on a route that does not require auth (`/api/info`). */
  readonly optionalAuth?: boolean;
  readonly twoFactorRequired?: PerVersion<boolean>;
  readonly twoFactorOptions?: TwoFactorOptions;
  readonly body?: PerVersion<Schema | undefined>;
  readonly query?: PerVersion<Schema | undefined>;
  readonly permissions?: PerVersion<
    | { readonly list: string[]; readonly operation: 'hasAll' | 'hasAny' }
    | undefined
  >;
  handler(ctx: RouteContext): Promise<ApiResult> | ApiResult;
}

export function resolvePerVersion<T>(
  value: PerVersion<T>,
  version: EmulatedVersion,
  state: EmulatorState,
): T {
  return typeof value === 'function'
    ? (value as (version: EmulatedVersion, state: EmulatorState) => T)(
        version,
        state,
      )
    : value;
}
