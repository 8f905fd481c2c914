import type { RouteContext, RouteDefinition } from '../core/context.js';
import {
  failure,
  MeteorError,
  success,
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
import { withoutServices } from '../core/user-views.js';
import type { UserDoc } from '../core/users.store.js';
import { bool, obj, str, type Schema } from '../core/validation.js';
import type { EmulatedVersion } from '../core/version.js';

const METHOD = { method: 'insertOrUpdateUser' };
export const anyObject: Schema = { type: 'object', additionalProperties: true };

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

export const usersCreateRoute: RouteDefinition = {
  key: 'users.create',
  method: 'POST',
  authRequired: true,
  // Not in released 8.x (`server/api/v1/users.ts` @b0e30e75); open PR #41388 adds it
  // (@00e428ca), hence an emulator option.
  twoFactorRequired: (_v, state) => state.quirks.twoFactorOnUserCreation,
  body: createSchema,
  handler: create,
};
