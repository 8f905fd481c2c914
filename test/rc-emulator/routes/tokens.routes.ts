import type { RouteContext, RouteDefinition } from '../core/context.js';
import { hashLoginToken, randomSecret } from '../core/crypto.js';
import {
  failure,
  MeteorError,
  success,
  type ApiResult,
} from '../core/errors.js';
import {
  isPersonalAccessToken,
  loginTokensOf,
  type PersonalAccessToken,
  type UserDoc,
} from '../core/users.store.js';
import { bool, obj, str } from '../core/validation.js';

/** `getUserFromParams`: `userId`, else `username`, else `user`. */
async function userFromParams(ctx: RouteContext): Promise<UserDoc> {
  const p = ctx.body;
  const trimmed = (v: unknown) => (typeof v === 'string' ? v.trim() : '');
  let user: UserDoc | null;
  if (trimmed(p.userId)) {
    user = await ctx.core.users.findById(p.userId as string);
  } else if (trimmed(p.username)) {
    user = await ctx.core.users.findByUsername(p.username as string);
  } else if (trimmed(p.user)) {
    user = await ctx.core.users.findByUsername(p.user as string);
  } else {
    throw new MeteorError(
      'error-user-param-not-provided',
      'The required "userId" or "username" param was not provided',
    );
  }
  if (!user) {
    throw new MeteorError(
      'error-invalid-user',
      'The required "userId" or "username" param provided does not match any users',
    );
  }
  return user;
}

/**
 * `users.createToken`, gated per protocol doc §5.4. 7.x: env `CREATE_TOKENS_FOR_USERS` is
 * `true`/`yes` and (for another user) `user-generate-access-token`. 8.x and 9.x: body `secret`
 * equals env `CREATE_TOKENS_FOR_USERS_SECRET` (unset = always refused), then the same permission
 * (`server/meteor-methods/auth/createToken.ts` @d7c37a60, PR #40768). Refusals are
 * `error-not-authorized` (400; 403 with `errorType: 'error-forbidden'` from 9.0, release.ts).
 * The new resume token counts against the cap. With bug #40598 (release.ts) a user without a
 * non-PAT resume token gets 400 "Cannot read properties of undefined (reading 'tokens')" (a plain
 * TypeError, so no `errorType`), and the token is stored anyway: nobody ever receives it.
 */
async function createToken(ctx: RouteContext): Promise<ApiResult> {
  const { core } = ctx;
  const caller = ctx.user as UserDoc;
  const target = await userFromParams(ctx);
  const otherUser = target._id !== caller._id;
  const mayForOthers = core.state.hasPermission(
    caller.roles,
    'user-generate-access-token',
  );
  if (ctx.version.major < 8) {
    const flag = String(core.state.env.CREATE_TOKENS_FOR_USERS);
    if (!['yes', 'true'].includes(flag) || (otherUser && !mayForOthers)) {
      throw new MeteorError('error-not-authorized', 'Not authorized', {
        method: 'createToken',
      });
    }
  } else {
    const secret = core.state.env.CREATE_TOKENS_FOR_USERS_SECRET;
    if (!secret || ctx.body.secret !== secret || (otherUser && !mayForOthers)) {
      throw new MeteorError('error-not-authorized', 'Not authorized');
    }
  }
  // The aggregation of ensureLoginTokensLimit runs before the unawaited insert lands.
  const raced =
    core.state.issue40598() &&
    !loginTokensOf(target).some((token) => !isPersonalAccessToken(token));
  const authToken = await core.accounts.issueResumeToken(target._id);
  if (raced) {
    throw new TypeError(
      "Cannot read properties of undefined (reading 'tokens')",
    );
  }
  return success({ data: { userId: target._id, authToken } });
}

function canUsePats(ctx: RouteContext, method: string): void {
  if (
    !ctx.core.state.hasPermission(
      ctx.user?.roles,
      'create-personal-access-tokens',
    )
  ) {
    throw new MeteorError('not-authorized', 'Not Authorized', { method });
  }
}

function findPat(user: UserDoc, name: string): PersonalAccessToken | undefined {
  return loginTokensOf(user)
    .filter(isPersonalAccessToken)
    .find((token) => token.name === name);
}

async function addPat(
  ctx: RouteContext,
  name: string,
  bypassTwoFactor: boolean,
): Promise<string> {
  const token = randomSecret();
  await ctx.core.users.pushToken(ctx.userId as string, {
    hashedToken: hashLoginToken(token),
    type: 'personalAccessToken',
    createdAt: new Date(),
    lastTokenPart: token.slice(-6),
    name,
    bypassTwoFactor,
  });
  return token;
}

/** `tokenName` as Rocket.Chat would use it (falsy = missing). */
function tokenNameOf(ctx: RouteContext): string {
  const { tokenName } = ctx.body;
  if (typeof tokenName === 'number') {
    return String(tokenName);
  }
  return typeof tokenName === 'string' ? tokenName : '';
}

async function generatePat(ctx: RouteContext): Promise<ApiResult> {
  const tokenName = tokenNameOf(ctx);
  const { bypassTwoFactor } = ctx.body;
  if (!tokenName) {
    return failure("The 'tokenName' param is required");
  }
  const method = 'personalAccessTokens:generateToken';
  canUsePats(ctx, method);
  const user = await ctx.core.users.findById(ctx.userId as string);
  if (user && findPat(user, tokenName)) {
    throw new MeteorError(
      'error-token-already-exists',
      'A token with this name already exists',
      {
        method,
      },
    );
  }
  return success({
    token: await addPat(ctx, tokenName, bypassTwoFactor === true),
  });
}

async function regeneratePat(ctx: RouteContext): Promise<ApiResult> {
  const tokenName = tokenNameOf(ctx);
  if (!tokenName) {
    return failure("The 'tokenName' param is required");
  }
  const method = 'personalAccessTokens:regenerateToken';
  canUsePats(ctx, method);
  const user = await ctx.core.users.findById(ctx.userId as string);
  const existing = user ? findPat(user, tokenName) : undefined;
  if (!existing) {
    throw new MeteorError(
      'error-token-does-not-exists',
      'Token does not exist',
      { method },
    );
  }
  await ctx.core.users.removeHashedToken(
    ctx.userId as string,
    existing.hashedToken,
  );
  return success({
    token: await addPat(ctx, existing.name, existing.bypassTwoFactor === true),
  });
}

async function listPats(ctx: RouteContext): Promise<ApiResult> {
  if (ctx.version.major < 8) {
    canUsePats(ctx, 'users.getPersonalAccessTokens');
  }
  const user = await ctx.core.users.findById(ctx.userId as string);
  const tokens = (user ? loginTokensOf(user) : [])
    .filter(isPersonalAccessToken)
    .map((t) => ({
      name: t.name,
      createdAt: new Date(t.createdAt).toISOString(),
      lastTokenPart: t.lastTokenPart,
      bypassTwoFactor: Boolean(t.bypassTwoFactor),
    }));
  return success({ tokens });
}

async function removePat(ctx: RouteContext): Promise<ApiResult> {
  const tokenName = tokenNameOf(ctx);
  if (!tokenName) {
    return failure("The 'tokenName' param is required");
  }
  const method = 'personalAccessTokens:removeToken';
  canUsePats(ctx, method);
  const user = await ctx.core.users.findById(ctx.userId as string);
  const existing = user ? findPat(user, tokenName) : undefined;
  if (!existing) {
    throw new MeteorError(
      'error-token-does-not-exists',
      'Token does not exist',
      { method },
    );
  }
  await ctx.core.users.removeHashedToken(
    ctx.userId as string,
    existing.hashedToken,
  );
  return success();
}

const v8 =
  <T>(schema: T) =>
  (version: { major: number }) =>
    version.major >= 8 ? schema : undefined;

export const tokenRoutes: RouteDefinition[] = [
  {
    key: 'users.createToken',
    method: 'POST',
    authRequired: true,
    // Not in released 8.x (`server/api/v1/users.ts` @b0e30e75); open PR #41388 adds it (the
    // snapshot @00e428ca has it), hence an emulator option.
    twoFactorRequired: (_v, state) => state.quirks.twoFactorOnUserCreation,
    body: v8(
      obj({ userId: str({ minLength: 1 }), secret: str({ minLength: 1 }) }, [
        'userId',
        'secret',
      ]),
    ),
    handler: createToken,
  },
  {
    key: 'users.generatePersonalAccessToken',
    method: 'POST',
    authRequired: true,
    twoFactorRequired: true,
    body: v8(obj({ tokenName: str(), bypassTwoFactor: bool() }, ['tokenName'])),
    handler: generatePat,
  },
  {
    key: 'users.regeneratePersonalAccessToken',
    method: 'POST',
    authRequired: true,
    twoFactorRequired: true,
    body: v8(obj({ tokenName: str() }, ['tokenName'])),
    handler: regeneratePat,
  },
  {
    key: 'users.getPersonalAccessTokens',
    method: 'GET',
    authRequired: true,
    permissions: (v) =>
      v.major >= 8
        ? { list: ['create-personal-access-tokens'], operation: 'hasAll' }
        : undefined,
    handler: listPats,
  },
  {
    key: 'users.removePersonalAccessToken',
    method: 'POST',
    authRequired: true,
    twoFactorRequired: true,
    body: v8(obj({ tokenName: str() }, ['tokenName'])),
    handler: removePat,
  },
];
