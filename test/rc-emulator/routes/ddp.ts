import { MatchError } from '../core/accounts.js';
import type { EmulatorCore } from '../core/context.js';
import { hashLoginToken } from '../core/crypto.js';
import { MeteorError } from '../core/errors.js';
import { loginTokensOf } from '../core/users.store.js';

/**
 * Stand-ins for the DDP methods the web client uses (Meteor `login`, `logout`, and the server
 * closing a connection whose token disappeared). Answers are in-band like DDP: HTTP 200 with
 * `{result}` or `{error}`. Not rate limited; REST rate limits do not apply to DDP.
 */
export type DdpAnswer =
  { result: unknown } | { error: Record<string, unknown> };

function ddpError(error: unknown): DdpAnswer {
  if (error instanceof MeteorError) {
    return {
      error: {
        isClientSafe: true,
        error: error.error,
        reason: error.reason,
        message: error.message,
        details: error.details,
        errorType: 'Meteor.Error',
      },
    };
  }
  if (error instanceof MatchError) {
    return ddpError(new MeteorError(400, 'Match failed'));
  }
  return ddpError(new MeteorError(500, 'Internal server error'));
}

export async function ddpLogin(
  core: EmulatorCore,
  args: unknown,
): Promise<DdpAnswer> {
  try {
    const login = await core.accounts.login(args);
    return {
      result: {
        id: login.user._id,
        token: login.token,
        tokenExpires: login.tokenExpires.toISOString(),
        type: login.type,
        // What Meteor's user publication would give the client.
        user: {
          _id: login.user._id,
          username: login.user.username,
          name: login.user.name,
        },
      },
    };
  } catch (error) {
    return ddpError(error);
  }
}

export async function ddpLogout(
  core: EmulatorCore,
  body: Record<string, unknown>,
): Promise<DdpAnswer> {
  if (typeof body.token === 'string') {
    const hashed = hashLoginToken(body.token);
    const user = await core.users.findByHashedToken(hashed);
    if (user) {
      await core.users.removeHashedToken(user._id, hashed);
    }
  }
  return { result: null };
}

/** Whether the connection's token still exists (Meteor closes it when the token is removed or expired). */
export async function ddpCheck(
  core: EmulatorCore,
  body: Record<string, unknown>,
): Promise<DdpAnswer> {
  if (typeof body.token !== 'string') {
    return ddpError(new MatchError());
  }
  const hashed = hashLoginToken(body.token);
  // The client knows its user id (`Meteor.userId`): an indexed lookup instead of a scan.
  const user =
    typeof body.userId === 'string'
      ? await core.users.findByIdAndHashedToken(body.userId, hashed)
      : await core.users.findByHashedToken(hashed);
  if (!user) {
    return { result: { valid: false, reason: 'removed' } };
  }
  const entry = loginTokensOf(user).find((t) => t.hashedToken === hashed);
  if (
    entry &&
    'when' in entry &&
    core.accounts.tokenExpires(entry.when).getTime() <= Date.now()
  ) {
    return { result: { valid: false, reason: 'expired' } };
  }
  return { result: { valid: true, userId: user._id } };
}
