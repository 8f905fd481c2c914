import type { RouteContext, RouteDefinition } from '../core/context.js';
import { hashPassword } from '../core/crypto.js';
import {
  failure,
  forbidden,
  MeteorError,
  success,
  unauthorized,
  type ApiResult,
} from '../core/errors.js';
import { assertPasswordPolicy } from '../core/password-policy.js';
import {
  emailTaken,
  fieldUnavailable,
  insertUser,
  randomPassword,
  requiredField,
  setActiveStatus,
  usernameTaken,
  validateRolesAndUsername,
} from '../core/user-admin.js';
import { infoView, withoutServices } from '../core/user-views.js';
import type { UserDoc } from '../core/users.store.js';
import { bool, obj, str, type Schema } from '../core/validation.js';
import type { EmulatedVersion } from '../core/version.js';

const METHOD = { method: 'insertOrUpdateUser' };
const anyObject: Schema = { type: 'object', additionalProperties: true };

const createSchema = (version: EmulatedVersion): Schema =>
  obj(
    {
      email: str(),
      name: str(),
      password: str(),
      username: str(),
      active: bool(),
      bio: str({ nullable: true }),
      nickname: str({ nullable: true }),
      statusText: str({ nullable: true }),
      roles: { type: 'array', items: str() },
      joinDefaultChannels: bool(),
      requirePasswordChange: bool(),
      setRandomPassword: bool(),
      sendWelcomeEmail: bool(),
      verified: bool(),
      customFields: anyObject,
      settings: anyObject,
      fields: str({ nullable: true }),
      ...(version.major >= 8
        ? {
            freeSwitchExtension: str({ nullable: true }),
            phones: { type: 'array', nullable: true, items: anyObject },
          }
        : {}),
    },
    ['email', 'name', 'password', 'username'],
  );

async function create(ctx: RouteContext): Promise<ApiResult> {
  const { core } = ctx;
  const caller = ctx.user as UserDoc;
  const data = ctx.body;
  if (!core.state.hasPermission(caller.roles, 'create-user')) {
    throw new MeteorError(
      'error-action-not-allowed',
      'Adding user is not allowed',
      {
        ...METHOD,
        action: 'Adding_user',
      },
    );
  }
  validateRolesAndUsername(core, caller, data);
  const name = typeof data.name === 'string' ? data.name : '';
  const username = typeof data.username === 'string' ? data.username : '';
  const email = typeof data.email === 'string' ? data.email : '';
  if (core.state.bool('Accounts_RequireNameForSignUp') && !name.trim()) {
    throw requiredField('Name');
  }
  if (!username.trim()) {
    throw requiredField('Username');
  }
  let password = typeof data.password === 'string' ? data.password : '';
  if (!password && !data.setRandomPassword) {
    throw requiredField('Password');
  }
  if (await usernameTaken(core, username)) {
    throw fieldUnavailable(username);
  }
  if (email && (await emailTaken(core, email))) {
    throw fieldUnavailable(email);
  }
  let requirePasswordChange = data.requirePasswordChange === true;
  if (data.setRandomPassword) {
    password = randomPassword();
    requirePasswordChange = true;
  }
  assertPasswordPolicy(
    core.state,
    password,
    core.settingsPolicy.passwordPolicyErrorStyle(),
  );
  const user = await insertUser(core, {
    username,
    email: email || undefined,
    name,
    password,
    roles: Array.isArray(data.roles) ? data.roles.map(String) : undefined,
    verified: data.verified === true,
    requirePasswordChange,
    settings: data.settings as Record<string, unknown> | undefined,
    customFields: data.customFields as Record<string, unknown> | undefined,
    bio: data.bio as string | undefined,
    nickname: data.nickname as string | undefined,
    statusText: data.statusText as string | undefined,
  });
  if (typeof data.active === 'boolean') {
    await setActiveStatus(core, caller, user._id, data.active);
  }
  const fresh = await core.users.findById(user._id);
  return fresh
    ? success({ user: withoutServices(fresh) })
    : failure('User not found');
}

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
  );
  const user = await ctx.core.users.findById(userId);
  return user
    ? success({ user: { _id: user._id, active: user.active } })
    : failure('User not found');
}

/** `users.logout`: `userId || caller`, so an empty id logs out the caller (PATs included). */
async function logoutUser(ctx: RouteContext): Promise<ApiResult> {
  const userId =
    (ctx.body.userId as string | undefined) || (ctx.userId as string);
  const caller = ctx.user as UserDoc;
  if (
    userId !== caller._id &&
    !ctx.core.state.hasPermission(caller.roles, 'logout-other-user')
  ) {
    return ctx.version.major < 8 ? unauthorized() : forbidden();
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
  const extras: Record<string, Schema> =
    version.major >= 8
      ? { fields: str(), includeUserRooms: str() }
      : { fields: str() };
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
  return success({
    user: infoView(user, canSeeAll || user._id === caller._id),
  });
}

export const usersRoutes: RouteDefinition[] = [
  {
    key: 'users.info',
    method: 'GET',
    authRequired: true,
    query: infoQuerySchema,
    handler: info,
  },
  {
    key: 'users.create',
    method: 'POST',
    authRequired: true,
    twoFactorRequired: (v) => v.major >= 8,
    body: createSchema,
    handler: create,
  },
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
  {
    key: 'users.logout',
    method: 'POST',
    authRequired: true,
    body: obj({ userId: str() }),
    handler: logoutUser,
  },
];
