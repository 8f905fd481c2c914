import type { RouteContext, RouteDefinition } from '../core/context.js';
import { hashLoginToken } from '../core/crypto.js';
import { MeteorError, success, type ApiResult } from '../core/errors.js';
import { isPersonalAccessToken, loginTokensOf } from '../core/users.store.js';

/**
 * `POST /api/v1/users.logoutOtherClients` (`server/api/v1/users.ts` @00e428ca and @b0e30e75):
 * the caller's own account only; removes every login token that has a `when` (resume tokens,
 * never PATs) except the `X-Auth-Token` of the call (`Users.removeNonPATLoginTokensExcept`), and
 * answers `{token, tokenExpires}` with that same token.
 */
async function logoutOtherClients(ctx: RouteContext): Promise<ApiResult> {
  const header = ctx.headers['x-auth-token'];
  const token = Array.isArray(header) ? header[0] : header;
  if (!token) {
    throw new MeteorError(
      'error-parameter-required',
      'x-auth-token is required',
    );
  }
  const hashed = hashLoginToken(token);
  const userId = ctx.userId as string;
  await ctx.core.users.removeTokens(
    userId,
    (entry) => !isPersonalAccessToken(entry) && entry.hashedToken !== hashed,
  );
  const user = await ctx.core.users.findById(userId);
  const own = user
    ? loginTokensOf(user).find((entry) => entry.hashedToken === hashed)
    : undefined;
  const tokenExpires =
    own && !isPersonalAccessToken(own)
      ? ctx.core.accounts.tokenExpires(own.when).toISOString()
      : '';
  return success({ token, tokenExpires });
}

export const sessionsRoutes: RouteDefinition[] = [
  {
    key: 'users.logoutOtherClients',
    method: 'POST',
    authRequired: true,
    handler: logoutOtherClients,
  },
];
