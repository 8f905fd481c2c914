import { atLeast, type EmulatedVersion } from './version.js';

/**
 * Release-dependent behaviour that is not a plain "7.x or 8.x" switch, each with where it was
 * read in `RocketChat/Rocket.Chat` (file @commit) or its release notes.
 */
export interface ReleaseQuirks {
  /**
   * #40598: `users.createToken` for a user without any non-PAT resume token answers 400
   * "Cannot read properties of undefined (reading 'tokens')" (and still stores the token).
   * `undefined` = by version (see `hasIssue40598`).
   */
  issue40598?: boolean;
  /** Open PR #41388: `users.create` and `users.createToken` require 2FA. Off by default. */
  twoFactorOnUserCreation: boolean;
}

/**
 * ApiClass `applyBreakingChanges = shouldBreakInVersion('9.0.0')`
 * (`apps/meteor/server/api/ApiClass.ts` @0358e0dc): from 9.0 `forbidden()` says `forbidden`, the
 * 401 of `authRequired` routes drops `status`/`message` (`v1/middlewares/authenticationHono.ts`
 * @bec8300d) and a refused `POST /api/v1/login` answers only `{success: false, error:
 * 'unauthorized'}`.
 */
export function breaking9(version: EmulatedVersion): boolean {
  return version.major >= 9;
}

/**
 * #40598, read in the source: Meteor 3's `Accounts._insertLoginToken` is async
 * (`meteor/meteor` `packages/accounts-base/accounts_server.js`, Meteor 3), and `generateAccessToken`
 * does not await it before `User.ensureLoginTokensLimit` (7.x
 * `apps/meteor/app/lib/server/methods/createToken.ts` after PR #32216; 8.x
 * `apps/meteor/server/meteor-methods/auth/createToken.ts`, secret-only form used by
 * `server/api/v1/users.ts` @b0e30e75), whose `const [{ tokens }] =
 * await Users.findAllResumeTokensByUserId(uid)` (`server/services/user/service.ts` @1cd5c499)
 * throws when the aggregation finds no non-PAT token yet. 6.x (Fibers) was not affected; the
 * version of `createToken.ts` that awaits the insert (@d7c37a60) is the one that also adds the
 * caller check of PR #40768 (backported to 8.0.8, 8.2.7, 8.3.7), so that is taken as the fix;
 * 8.1.x and 8.4.x are assumed unfixed. 9.x has the awaiting version.
 */
export function hasIssue40598(version: EmulatedVersion): boolean {
  if (version.major === 7) {
    return true;
  }
  if (version.major !== 8) {
    return false;
  }
  const fixedIn: Record<number, number> = { 0: 8, 2: 7, 3: 7 };
  const patch = fixedIn[version.minor];
  if (patch !== undefined) {
    return version.patch < patch;
  }
  return !atLeast(version, 8, 5);
}

/**
 * 9.0.0-rc.3 release notes (#43214): refusals the API error switch maps answer 403 `{success:
 * false, error: <message>, errorType: 'error-forbidden'}`; `error-not-allowed`, `not-allowed`,
 * `not-authorized`, `not_authorized`, `no-permission` now included (400 before). That
 * `error-not-authorized` (the `users.createToken` refusal) and `error-unauthorized` are mapped
 * the same way is inferred (#41590, "return 403 for authorization failures").
 */
export const REFUSALS_9 = new Set([
  'unauthorized',
  'error-unauthorized',
  'forbidden',
  'error-forbidden',
  'error-not-authorized',
  'error-not-allowed',
  'not-allowed',
  'not-authorized',
  'not_authorized',
  'no-permission',
]);
