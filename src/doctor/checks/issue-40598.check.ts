import type { RocketChatVersion } from '../../config/index.js';
import { issue40598Status } from '../../rocketchat/index.js';
import {
  ok,
  warn,
  type CheckResult,
  type CheckStatus,
} from '../doctor-check.js';

const ID = 'rocketchat.issue-40598';
const TITLE = 'createToken #40598';

const WHAT_THE_BRIDGE_DOES =
  'users.createToken fails for a person who has no Rocket.Chat login token yet (first sign-in, or every token revoked); the bridge asks again and removes the unusable token Rocket.Chat stored for the refused call with users.logoutOtherClients';
const FIX =
  'nothing is needed; upgrading Rocket.Chat (8.5 or later, or 9.x) removes the extra calls. ' +
  'users.logoutOtherClients is rate-limited per address (10 a minute by default): beyond that a stray ' +
  'token stays until Accounts_LoginExpiration';

/**
 * Rocket.Chat bug #40598 (docs/rocketchat.md): seen just now by the createToken line, or known
 * from the release. Informational: the bridge copes either way.
 */
export function issue40598Check(
  version: RocketChatVersion,
  seen: boolean,
  createTokenStatus: CheckStatus,
): CheckResult {
  const release = `Rocket.Chat ${version.major}.${version.minor}`;
  if (seen) {
    return warn(
      ID,
      TITLE,
      `${release} has bug #40598 (just seen: the test call for the bridge's account was refused once): ${WHAT_THE_BRIDGE_DOES}`,
      FIX,
    );
  }
  const status = issue40598Status(version);
  if (status === 'fixed') {
    return ok(ID, TITLE, `${release} does not have bug #40598`);
  }
  const known =
    status === 'affected'
      ? `${release} has bug #40598`
      : `${release} has bug #40598 before ${version.minor === 0 ? '8.0.8' : `8.${version.minor}.7`} (/api/info does not tell the patch level)`;
  return warn(
    ID,
    TITLE,
    `${known}${createTokenStatus === 'ok' ? " (not seen now: the bridge's account has a login token)" : ''}: ${WHAT_THE_BRIDGE_DOES}`,
    FIX,
  );
}
