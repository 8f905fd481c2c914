import {
  RocketChatAuthError,
  type RocketChatApi,
  type RocketChatAuth,
} from '../../rocketchat/index.js';
import { fail, ok, warn, type CheckResult } from '../doctor-check.js';
import { describeError } from './describe-error.js';

const ID = 'rocketchat.two-factor-bypass';
const TITLE = 'Two-factor bypass';
const HOW =
  "log in to Rocket.Chat as the bridge's account, My Account > Personal Access Tokens, add one with " +
  '"Ignore Two Factor Authentication" ticked, and set ROCKETCHAT_USER_ID and ROCKETCHAT_AUTH_TOKEN to it';

/**
 * The bridge's token is a personal access token with `bypassTwoFactor`: users.update always
 * wants a second factor, users.create and users.createToken too with PR #41388. Rocket.Chat lists
 * the caller's own personal access tokens (`users.getPersonalAccessTokens`, with their last six
 * characters and `bypassTwoFactor`), so the bridge's can be found among them.
 */
export async function twoFactorBypassCheck(
  api: RocketChatApi,
  auth: RocketChatAuth,
): Promise<CheckResult> {
  let tokens;
  try {
    tokens = await api.personalAccessTokens(auth);
  } catch (error) {
    if (error instanceof RocketChatAuthError && error.status === 403) {
      return warn(
        ID,
        TITLE,
        "not checked: Rocket.Chat lists personal access tokens only to holders of create-personal-access-tokens, which the bridge's account lacks",
        `grant create-personal-access-tokens to one of its roles, or make sure by hand that its token ignores two-factor authentication (${HOW})`,
      );
    }
    return warn(
      ID,
      TITLE,
      `not checked: ${describeError(error)}`,
      'see the lines above',
    );
  }
  const mine = tokens.filter((t) => auth.token.endsWith(t.lastTokenPart));
  if (mine.length === 0) {
    return fail(
      ID,
      TITLE,
      "the bridge's token is not one of its account's personal access tokens (a login token?), so it cannot bypass two-factor authentication: users.update answers totp-required",
      HOW,
    );
  }
  const bypassing = mine.find((t) => t.bypassTwoFactor);
  if (!bypassing) {
    return fail(
      ID,
      TITLE,
      `the bridge's personal access token "${mine[0].name}" does not ignore two-factor authentication: users.update (and, with Rocket.Chat PR #41388, users.create and users.createToken) answer totp-required`,
      HOW,
    );
  }
  return ok(
    ID,
    TITLE,
    `the bridge's personal access token "${bypassing.name}" ignores two-factor authentication`,
  );
}
