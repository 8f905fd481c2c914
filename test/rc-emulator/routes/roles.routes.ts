import type { RouteContext, RouteDefinition } from '../core/context.js';
import {
  failure,
  MeteorError,
  success,
  type ApiResult,
} from '../core/errors.js';
import { userFromParams } from '../core/room-access.js';
import type { UserDoc } from '../core/users.store.js';
import { str, type Schema } from '../core/validation.js';

/*
 * apps/meteor/app/api/server/v1/roles.ts @02256ead (7.x/8.x: roles are given by id only since
 * 7.0; removeUserFromRole has permissionsRequired access-permissions, so 403), the permission
 * checks of addUserToRole in apps/meteor/app/authorization/server/methods/addUserToRole.ts
 * @050a131b (access-permissions, assign-admin-role for admin, answered as 400
 * error-action-not-allowed), body schemas from rest-typings v1/roles.ts. A scoped (`roomId`)
 * role is kept in the user's subscription of that room, a global one in `users.roles`.
 */

const addSchema: Schema = {
  type: 'object',
  properties: {
    username: str(),
    roleId: str(),
    roomId: str({ nullable: true }),
  },
  required: ['username'],
  additionalProperties: false,
};

const removeSchema: Schema = {
  type: 'object',
  properties: {
    username: str(),
    roleId: str(),
    scope: str({ nullable: true }),
  },
  required: ['username'],
  additionalProperties: false,
};

async function holdsRole(
  ctx: RouteContext,
  user: UserDoc,
  roleId: string,
  scope: string | undefined,
): Promise<boolean> {
  if (!scope) {
    return (user.roles ?? []).includes(roleId);
  }
  const sub = await ctx.core.rooms.findSubscription(scope, user._id);
  return (sub?.roles ?? []).includes(roleId);
}

async function setRole(
  ctx: RouteContext,
  user: UserDoc,
  roleId: string,
  scope: string | undefined,
  add: boolean,
): Promise<void> {
  // An equal-element $pull (FerretDB v1 ignores only $pull with a condition).
  const update: Record<string, unknown> = add
    ? { $addToSet: { roles: roleId } }
    : { $pull: { roles: roleId } };
  if (scope) {
    await ctx.core.rooms.subscriptions.updateOne(
      { rid: scope, 'u._id': user._id },
      update,
    );
  } else {
    await ctx.core.users.collection.updateOne({ _id: user._id }, update);
  }
}

async function addUserToRole(ctx: RouteContext): Promise<ApiResult> {
  const caller = ctx.user as UserDoc;
  const user = await userFromParams(ctx.core, ctx.body);
  const roleId = ctx.body.roleId as string | undefined;
  const roomId = (ctx.body.roomId as string | null | undefined) ?? undefined;
  if (!roleId) {
    return failure('error-invalid-role-properties');
  }
  const role = ctx.core.roleCatalog.findById(roleId);
  if (!role) {
    return failure('error-role-not-found', 'Role not found');
  }
  if (await holdsRole(ctx, user, role._id, roomId)) {
    throw new MeteorError('error-user-already-in-role', 'User already in role');
  }
  const method = { method: 'authorization:addUserToRole' };
  if (!ctx.core.state.hasPermission(caller.roles, 'access-permissions')) {
    throw new MeteorError(
      'error-action-not-allowed',
      'Accessing permissions is not allowed',
      { ...method, action: 'Accessing_permissions' },
    );
  }
  if (
    role._id === 'admin' &&
    !ctx.core.state.hasPermission(caller.roles, 'assign-admin-role')
  ) {
    throw new MeteorError(
      'error-action-not-allowed',
      'Assigning admin is not allowed',
      { ...method, action: 'Assign_admin' },
    );
  }
  if (roomId && !(await ctx.core.rooms.findSubscription(roomId, user._id))) {
    throw new MeteorError(
      'error-invalid-user',
      'User is not part of given room',
      method,
    );
  }
  await setRole(ctx, user, role._id, roomId, true);
  return success({ role });
}

async function removeUserFromRole(ctx: RouteContext): Promise<ApiResult> {
  const roleId = ctx.body.roleId as string | undefined;
  const scope = (ctx.body.scope as string | null | undefined) ?? undefined;
  if (!roleId) {
    return failure('error-invalid-role-properties');
  }
  // Users.findOneByUsername: the exact user name.
  const user = await ctx.core.users.collection.findOne({
    username: String(ctx.body.username),
  });
  if (!user) {
    throw new MeteorError(
      'error-invalid-user',
      'There is no user with this username',
    );
  }
  const role = ctx.core.roleCatalog.findById(roleId);
  if (!role) {
    throw new MeteorError('error-invalid-roleId', 'This role does not exist');
  }
  if (!(await holdsRole(ctx, user, role._id, scope))) {
    throw new MeteorError('error-user-not-in-role', 'User is not in this role');
  }
  if (role._id === 'admin') {
    const admins = await ctx.core.users.collection.countDocuments({
      roles: 'admin',
    });
    if (admins === 1) {
      throw new MeteorError(
        'error-admin-required',
        'You need to have at least one admin',
      );
    }
  }
  await setRole(ctx, user, role._id, scope, false);
  return success({ role });
}

export const rolesRoutes: RouteDefinition[] = [
  {
    key: 'roles.list',
    method: 'GET',
    authRequired: true,
    handler: (ctx) => success({ roles: ctx.core.roleCatalog.list() }),
  },
  {
    key: 'roles.addUserToRole',
    method: 'POST',
    authRequired: true,
    body: addSchema,
    handler: addUserToRole,
  },
  {
    key: 'roles.removeUserFromRole',
    method: 'POST',
    authRequired: true,
    body: removeSchema,
    permissions: { list: ['access-permissions'], operation: 'hasAll' },
    handler: removeUserFromRole,
  },
];
