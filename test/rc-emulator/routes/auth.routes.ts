import { MatchError } from '../core/accounts.js';
import type { RouteContext, RouteDefinition } from '../core/context.js';
import { MeteorError, success, type ApiResult } from '../core/errors.js';
import { breaking9 } from '../core/release.js';
import { meView } from '../core/user-views.js';

/** REST `login`'s `loginCompatibility`: `{user|username|email, password, code}` -> Meteor args. */
function loginArguments(ctx: RouteContext): Record<string, unknown> {
  const body = ctx.body;
  const { user, username, email, password, code: bodyCode } = body;
  if (password === undefined || password === null) {
    return body;
  }
  const allowed = ['user', 'username', 'email', 'password', 'code'];
  if (Object.keys(body).some((key) => !allowed.includes(key))) {
    return body;
  }
  const header = ctx.headers['x-2fa-code'];
  const code = bodyCode || (Array.isArray(header) ? header[0] : header);
  let selector: Record<string, unknown> | undefined;
  if (typeof user === 'string') {
    selector = user.includes('@') ? { email: user } : { username: user };
  } else if (username) {
    selector = { username };
  } else if (email) {
    selector = { email };
  }
  if (!selector) {
    return body;
  }
  const auth = { user: selector, password };
  return code ? { totp: { code, login: auth } } : auth;
}

async function login(ctx: RouteContext): Promise<ApiResult> {
  try {
    const result = await ctx.core.accounts.login(loginArguments(ctx));
    return success({
      status: 'success',
      data: {
        userId: result.user._id,
        authToken: result.token,
        me: meView(result.user, ctx.core.origin()),
      },
    });
  } catch (error) {
    if (error instanceof MatchError || !(error instanceof MeteorError)) {
      return {
        statusCode: 500,
        body: { success: false, error: 'Internal server error' },
      };
    }
    if (breaking9(ctx.version)) {
      // From 9.0 a refused login says nothing more, not even totp-required (ApiClass.ts
      // @0358e0dc: the details are added only `if (!applyBreakingChanges)`).
      return {
        statusCode: 401,
        body: { success: false, error: 'unauthorized' },
      };
    }
    const notFound = error.reason === 'User not found';
    const body: Record<string, unknown> = {
      success: false,
      status: 'error',
      error: notFound ? 'Unauthorized' : error.error,
      message: notFound ? 'Unauthorized' : (error.reason ?? error.message),
    };
    if (error.details !== undefined && !notFound) {
      body.details = error.details;
    }
    return { statusCode: 401, body };
  }
}

async function logout(ctx: RouteContext): Promise<ApiResult> {
  // Removes only the calling token (`$pull` by its hash).
  await ctx.core.users.removeHashedToken(
    ctx.userId as string,
    ctx.hashedToken as string,
  );
  return success({
    status: 'success',
    data: { message: "You've been logged out!" },
  });
}

async function me(ctx: RouteContext): Promise<ApiResult> {
  const user = await ctx.core.users.findById(ctx.userId as string);
  return success(
    meView(
      user ?? (ctx.user as NonNullable<typeof ctx.user>),
      ctx.core.origin(),
    ),
  );
}

function serverInfo(ctx: RouteContext): Record<string, unknown> {
  const { version } = ctx;
  return {
    version: version.full,
    build: {
      date: '2026-01-01T00:00:00.000Z',
      nodeVersion: process.version,
      arch: process.arch,
      platform: process.platform,
      osRelease: 'rc-emulator',
      cpus: 2,
    },
    commit: {
      hash: '0000000000000000000000000000000000000000',
      branch: 'rc-emulator',
      tag: version.full,
      subject: 'Rocket.Chat emulator',
    },
    marketplaceApiVersion: '1.50.0',
  };
}

const MINIMUM_CLIENT_VERSIONS = { desktop: '3.9.6', mobile: '4.39.0' };

/**
 * `GET /api/info`: anonymous callers see only `major.minor`; 7.x gives `get-server-info` holders
 * the full `info` object, 8.x and 9.x give `view-statistics` holders the full version and
 * `info` (`server/api/lib/getServerInfo.ts` @50f0ec2a: no change in 9.x for what the bridge
 * reads; workspace URLs and the supported-versions token are not emulated).
 */
function info(ctx: RouteContext): ApiResult {
  const roles = ctx.user?.roles;
  const { state } = ctx.core;
  if (ctx.version.major < 8) {
    if (ctx.user && state.hasPermission(roles, 'get-server-info')) {
      return success({
        info: serverInfo(ctx),
        minimumClientVersions: MINIMUM_CLIENT_VERSIONS,
      });
    }
    return success({ version: ctx.version.short });
  }
  if (ctx.user && state.hasPermission(roles, 'view-statistics')) {
    return success({
      version: ctx.version.full,
      info: serverInfo(ctx),
      minimumClientVersions: MINIMUM_CLIENT_VERSIONS,
    });
  }
  return success({
    version: ctx.version.short,
    minimumClientVersions: MINIMUM_CLIENT_VERSIONS,
  });
}

export const authRoutes: RouteDefinition[] = [
  { key: 'login', method: 'POST', authRequired: false, handler: login },
  { key: 'logout', method: 'POST', authRequired: true, handler: logout },
  { key: 'logout', method: 'GET', authRequired: true, handler: logout },
  { key: 'me', method: 'GET', authRequired: true, handler: me },
  {
    key: 'info',
    method: 'GET',
    base: 'default',
    authRequired: false,
    optionalAuth: true,
    handler: info,
  },
];
