import type { RouteContext, RouteDefinition } from '../core/context.js';
import {
  failure,
  forbidden,
  success,
  unauthorized,
  type ApiResult,
} from '../core/errors.js';
import { infoView } from '../core/user-views.js';
import type { UserDoc } from '../core/users.store.js';
import { obj, str, type Schema } from '../core/validation.js';
import { usersCreateRoute } from './users-create.routes.js';
import { usersUpdateRoutes } from './users-update.routes.js';
import type { EmulatedVersion } from '../core/version.js';

/** `users.logout`: `userId || caller`, so an empty id logs out the caller (PATs included). */
async function logoutUser(ctx: RouteContext): Promise<ApiResult> {
  const userId =
    (ctx.body.userId as string | undefined) || (ctx.userId as string);
  const caller = ctx.user as UserDoc;
  if (
    userId !== caller._id &&
    !ctx.core.state.hasPermission(caller.roles, 'logout-other-user')
  ) {
    return ctx.version.major < 8
      ? unauthorized()
      : forbidden(undefined, ctx.version);
  }
  // 7.x/8.x `Users.unsetLoginTokens` returns an UpdateResult (always truthy): unknown ids succeed.
  await ctx.core.users.clearTokens(userId);
  return success({ message: `User ${userId} has been logged out!` });
}

function infoQuerySchema(version: EmulatedVersion): Schema {
  const terms = [
    'userId',
    'username',
    'importId',
    ...(version.major >= 8 ? ['email', 'freeSwitchExtension'] : []),
  ];
  // includeUserRooms is in 7.x too (users.ts users.info, the addRoute form without `email`).
  const extras: Record<string, Schema> = {
    fields: str(),
    includeUserRooms: str(),
  };
  return {
    type: 'object',
    oneOf: terms.map((term) => obj({ [term]: str(), ...extras }, [term])),
  };
}

async function info(ctx: RouteContext): Promise<ApiResult> {
  const { core } = ctx;
  const q = ctx.query;
  const caller = ctx.user as UserDoc;
  const canSeeAll = core.state.hasPermission(
    caller.roles,
    'view-full-other-user-info',
  );
  let user: UserDoc | null = null;
  if (typeof q.userId === 'string' && q.userId) {
    user = await core.users.findById(q.userId);
  } else if (typeof q.username === 'string' && q.username) {
    user = await core.users.findByUsername(q.username);
  } else if (typeof q.importId === 'string' && q.importId) {
    user = await core.users.collection.findOne({ importIds: q.importId });
  } else if (ctx.version.major >= 8 && typeof q.email === 'string' && q.email) {
    const found = await core.users.findByEmail(q.email);
    user = found && (canSeeAll || found._id === caller._id) ? found : null;
  } else {
    return failure('Invalid search query.');
  }
  if (!user) {
    return failure('User not found.');
  }
  const view = infoView(user, canSeeAll || user._id === caller._id);
  if (
    q.includeUserRooms === 'true' &&
    (user._id === caller._id ||
      core.state.hasPermission(caller.roles, 'view-other-user-channels'))
  ) {
    view.rooms = await userRooms(core, user._id);
  }
  return success({ user: view });
}

/** The subscriptions users.info adds for `includeUserRooms=true`, projected and sorted as there. */
async function userRooms(
  core: RouteContext['core'],
  userId: string,
): Promise<Record<string, unknown>[]> {
  return (await core.rooms.subscriptionsOf(userId)).map((sub) => ({
    _id: sub._id,
    rid: sub.rid,
    name: sub.name,
    t: sub.t,
    unread: sub.unread,
    ...(sub.roles ? { roles: sub.roles } : {}),
  }));
}

export const usersRoutes: RouteDefinition[] = [
  {
    key: 'users.info',
    method: 'GET',
    authRequired: true,
    query: infoQuerySchema,
    handler: info,
  },
  usersCreateRoute,
  ...usersUpdateRoutes,
  {
    key: 'users.logout',
    method: 'POST',
    authRequired: true,
    body: obj({ userId: str() }),
    handler: logoutUser,
  },
];
