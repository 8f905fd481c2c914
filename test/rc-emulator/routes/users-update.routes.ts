import type { RouteContext, RouteDefinition } from '../core/context.js';
import { hashPassword } from '../core/crypto.js';
import {
  failure,
  MeteorError,
  success,
  unauthorized,
  type ApiResult,
} from '../core/errors.js';
import { assertPasswordPolicy } from '../core/password-policy.js';
import {
  emailTaken,
  fieldUnavailable,
  setActiveStatus,
  usernameTaken,
  validateRolesAndUsername,
} from '../core/user-admin.js';
import { withoutServices } from '../core/user-views.js';
import type { UserDoc } from '../core/users.store.js';
import { bool, obj, str } from '../core/validation.js';
import { anyObject } from './users-create.routes.js';

const METHOD = { method: 'insertOrUpdateUser' };

const updateDataSchema = obj({
  email: str(),
  name: str(),
  password: str(),
  username: str(),
  bio: str({ nullable: true }),
  nickname: str({ nullable: true }),
  statusText: str({ nullable: true }),
  active: bool(),
  roles: { type: 'array', items: str() },
  joinDefaultChannels: bool(),
  requirePasswordChange: bool(),
  sendWelcomeEmail: bool(),
  verified: bool(),
  customFields: anyObject,
  status: str({ nullable: true }),
  settings: anyObject,
});
const updateSchema = obj(
  { userId: str(), data: updateDataSchema, confirmRelinquish: bool() },
  ['userId', 'data'],
);

async function update(ctx: RouteContext): Promise<ApiResult> {
  const { core } = ctx;
  const caller = ctx.user as UserDoc;
  const userId = ctx.body.userId as string;
  const data = ctx.body.data as Record<string, unknown>;
  const target = await core.users.findById(userId);
  if (!target) {
    return failure('User not found');
  }
  if (data.verified && userId === caller._id) {
    throw new MeteorError(
      'error-action-not-allowed',
      'Editing email verification is not allowed',
      {
        ...METHOD,
        action: 'Editing_user',
      },
    );
  }
  if (
    userId !== caller._id &&
    !core.state.hasPermission(caller.roles, 'edit-other-user-info')
  ) {
    throw new MeteorError(
      'error-action-not-allowed',
      'Editing user is not allowed',
      {
        ...METHOD,
        action: 'Editing_user',
      },
    );
  }
  validateRolesAndUsername(core, caller, data);
  const set: Record<string, unknown> = {};
  if (typeof data.username === 'string' && data.username !== target.username) {
    if (await usernameTaken(core, data.username, userId)) {
      throw new MeteorError(
        'error-could-not-save-identity',
        'Could not save user identity',
        {
          method: 'saveUser',
        },
      );
    }
    set.username = data.username;
  }
  if (typeof data.name === 'string') {
    set.name = data.name;
  }
  if (typeof data.email === 'string' && data.email) {
    if (await emailTaken(core, data.email, userId)) {
      throw fieldUnavailable(data.email);
    }
    set.emails = [
      { address: data.email.toLowerCase(), verified: data.verified === true },
    ];
  } else if (typeof data.verified === 'boolean' && target.emails?.length) {
    set['emails.0.verified'] = data.verified;
  }
  const password =
    typeof data.password === 'string' ? data.password.trim() : '';
  if (
    password &&
    core.state.hasPermission(caller.roles, 'edit-other-user-password')
  ) {
    assertPasswordPolicy(
      core.state,
      password,
      core.settingsPolicy.passwordPolicyErrorStyle(),
    );
    set['services.password.bcrypt'] = await hashPassword(password);
  }
  for (const field of [
    'bio',
    'nickname',
    'statusText',
    'roles',
    'requirePasswordChange',
    'customFields',
  ] as const) {
    if (data[field] !== undefined) {
      set[field] = data[field];
    }
  }
  if (data.settings) {
    set.settings = {
      preferences: (data.settings as Record<string, unknown>).preferences,
    };
  }
  await core.users.set(userId, set);
  if (typeof data.active === 'boolean') {
    await setActiveStatus(core, caller, userId, data.active);
  }
  const fresh = await core.users.findById(userId);
  return fresh
    ? success({ user: withoutServices(fresh) })
    : failure('User not found');
}

const setActiveSchema = obj(
  {
    userId: str(),
    activeStatus: { type: 'boolean' },
    confirmRelinquish: bool(),
  },
  ['userId', 'activeStatus'],
);

async function setActive(ctx: RouteContext): Promise<ApiResult> {
  const caller = ctx.user as UserDoc;
  const { state } = ctx.core;
  if (
    ctx.version.major < 8 &&
    !state.hasPermission(caller.roles, 'edit-other-user-active-status') &&
    !state.hasPermission(caller.roles, 'manage-moderation-actions')
  ) {
    return unauthorized();
  }
  const userId = ctx.body.userId as string;
  await setActiveStatus(
    ctx.core,
    null,
    userId,
    ctx.body.activeStatus as boolean,
    ctx.body.confirmRelinquish === true,
  );
  const user = await ctx.core.users.findById(userId);
  return user
    ? success({ user: { _id: user._id, active: user.active } })
    : failure('User not found');
}

export const usersUpdateRoutes: RouteDefinition[] = [
  {
    key: 'users.update',
    method: 'POST',
    authRequired: true,
    twoFactorRequired: true,
    body: updateSchema,
    handler: update,
  },
  {
    key: 'users.setActiveStatus',
    method: 'POST',
    authRequired: true,
    body: setActiveSchema,
    permissions: (v) =>
      v.major >= 8
        ? {
            list: [
              'edit-other-user-active-status',
              'manage-moderation-actions',
            ],
            operation: 'hasAny',
          }
        : undefined,
    handler: setActive,
  },
];
