import type { UserDoc } from './users.store.js';

function pick(user: UserDoc, fields: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const field of fields) {
    if (user[field] !== undefined) {
      out[field] = user[field];
    }
  }
  return out;
}

// `getDefaultUserFields()`: what `/me` and `login`'s `data.me` expose.
const ME_FIELDS = [
  '_id',
  'name',
  'username',
  'nickname',
  'emails',
  'status',
  'statusDefault',
  'statusText',
  'statusConnection',
  'bio',
  'utcOffset',
  'language',
  'settings',
  'active',
  'customFields',
  'requirePasswordChange',
  'roles',
  'type',
  '_updatedAt',
];

/** Rocket.Chat's `getUserInfo(me)`. */
export function meView(user: UserDoc, origin: string): Record<string, unknown> {
  const verified = (user.emails ?? []).find((e) => e.verified);
  const services: Record<string, unknown> = {
    password: { exists: typeof user.services?.password?.bcrypt === 'string' },
  };
  if (user.services?.totp?.enabled) {
    services.totp = { enabled: true };
  }
  if (user.services?.email2fa?.enabled) {
    services.email2fa = { enabled: true };
  }
  const preferences =
    (user.settings?.preferences as Record<string, unknown> | undefined) ?? {};
  return {
    ...pick(user, ME_FIELDS),
    email: verified?.address,
    settings: { profile: {}, preferences },
    avatarUrl: `${origin}/avatar/${encodeURIComponent(user.username ?? '')}`,
    isOAuthUser: false,
    services,
  };
}

// `getFullUserData` default and full field sets (users.info).
const DEFAULT_FIELDS = [
  '_id',
  'name',
  'username',
  'nickname',
  'status',
  'utcOffset',
  'type',
  'active',
  'bio',
  'reason',
  'statusText',
  'avatarETag',
  'customFields',
  '_updatedAt',
];
const FULL_FIELDS = [
  'emails',
  'phone',
  'statusConnection',
  'createdAt',
  'lastLogin',
  'requirePasswordChange',
  'requirePasswordChangeReason',
  'roles',
  'importIds',
  'freeSwitchExtension',
];

export function infoView(
  user: UserDoc,
  full: boolean,
): Record<string, unknown> {
  return pick(
    user,
    full ? [...DEFAULT_FIELDS, ...FULL_FIELDS] : DEFAULT_FIELDS,
  );
}

/** users.create / users.update answers for a privileged caller: everything but `services`. */
export function withoutServices(user: UserDoc): Record<string, unknown> {
  const { services: _services, inviteToken: _invite, ...rest } = user;
  return rest;
}
