import type { EmulatorCore } from './context.js';
import { hashPassword, randomId, randomSecret } from './crypto.js';
import { MeteorError } from './errors.js';
import type { UserDoc } from './users.store.js';
import { relinquishOrRefuse } from './room-ownership.js';

/** lodash `escape`, used in Rocket.Chat's "x is already in use :(" messages. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) =>
    c === '&'
      ? '&amp;'
      : c === '<'
        ? '&lt;'
        : c === '>'
          ? '&gt;'
          : c === '"'
            ? '&quot;'
            : '&#39;',
  );
}

const METHOD = { method: 'insertOrUpdateUser' };

export interface NewUserData {
  username: string;
  email?: string;
  name?: string;
  /** Clear password; omitted = no password service (e.g. some bots). */
  password?: string;
  roles?: string[];
  type?: 'user' | 'bot' | 'app';
  active?: boolean;
  verified?: boolean;
  requirePasswordChange?: boolean;
  settings?: Record<string, unknown>;
  customFields?: Record<string, unknown>;
  bio?: string;
  nickname?: string;
  statusText?: string;
  _id?: string;
  createdAt?: Date;
}

/** Builds and inserts a user document the way `Accounts.createUser` + Rocket.Chat hooks do. */
export async function insertUser(
  core: EmulatorCore,
  data: NewUserData,
): Promise<UserDoc> {
  const now = new Date();
  const createdAt = data.createdAt ?? now;
  const services: NonNullable<UserDoc['services']> = {
    resume: { loginTokens: [] },
  };
  if (data.password !== undefined) {
    services.password = { bcrypt: await hashPassword(data.password) };
  }
  // Accounts_TwoFactorAuthentication_By_Email_Auto_Opt_In (protocol doc §4.2).
  if (
    core.state.bool('Accounts_TwoFactorAuthentication_By_Email_Auto_Opt_In')
  ) {
    services.email2fa = { enabled: true, changedAt: now };
  }
  const user: UserDoc = {
    _id: data._id ?? randomId(),
    createdAt,
    _updatedAt: now,
    username: data.username,
    type: data.type ?? 'user',
    status: 'offline',
    statusConnection: 'offline',
    active: data.active ?? true,
    roles: data.roles && data.roles.length > 0 ? [...data.roles] : ['user'],
    name: data.name,
    requirePasswordChange: data.requirePasswordChange ?? false,
    settings: data.settings ?? {},
    services,
  };
  if (data.email) {
    user.emails = [
      { address: data.email.toLowerCase(), verified: data.verified === true },
    ];
  }
  for (const field of [
    'customFields',
    'bio',
    'nickname',
    'statusText',
  ] as const) {
    if (data[field] !== undefined) {
      (user as Record<string, unknown>)[field] = data[field];
    }
  }
  await core.users.insert(user);
  return user;
}

export async function usernameTaken(
  core: EmulatorCore,
  username: string,
  exceptId?: string,
) {
  const existing = await core.users.findByUsername(username);
  return !!existing && existing._id !== exceptId;
}

export async function emailTaken(
  core: EmulatorCore,
  email: string,
  exceptId?: string,
) {
  const existing = await core.users.findByEmail(email);
  return !!existing && existing._id !== exceptId;
}

/** The checks of `validateUserData` shared by create and update (roles, username format). */
export function validateRolesAndUsername(
  core: EmulatorCore,
  caller: UserDoc,
  data: { roles?: unknown; username?: unknown },
): void {
  const { state } = core;
  if (Array.isArray(data.roles)) {
    if (data.roles.some((role) => !state.roles.has(String(role)))) {
      throw new MeteorError(
        'error-action-not-allowed',
        'The field Roles consist invalid role id',
        {
          ...METHOD,
          action: 'Assign_role',
        },
      );
    }
    if (
      data.roles.includes('admin') &&
      !state.hasPermission(caller.roles, 'assign-admin-role')
    ) {
      throw new MeteorError(
        'error-action-not-allowed',
        'Assigning admin is not allowed',
        {
          ...METHOD,
          action: 'Assign_admin',
        },
      );
    }
  }
  if (typeof data.username === 'string' && data.username) {
    let pattern: RegExp;
    try {
      pattern = new RegExp(`^${state.text('UTF8_User_Names_Validation')}$`);
    } catch {
      pattern = /^[0-9a-zA-Z-_.]+$/;
    }
    if (!pattern.test(data.username)) {
      throw new MeteorError(
        'error-input-is-not-a-valid-field',
        `${escapeHtml(data.username)} is not a valid username`,
        { ...METHOD, input: data.username, field: 'Username' },
      );
    }
  }
}

export function requiredField(field: string): MeteorError {
  return new MeteorError(
    'error-the-field-is-required',
    `The field ${field} is required`,
    {
      ...METHOD,
      field,
    },
  );
}

export function fieldUnavailable(value: string): MeteorError {
  return new MeteorError(
    'error-field-unavailable',
    `${escapeHtml(value)} is already in use :(`,
    {
      ...METHOD,
      field: value,
    },
  );
}

/**
 * `setUserActiveStatus`: the caller needs `edit-other-user-active-status`; deactivating clears
 * every login token (PATs included); the last active admin cannot be deactivated; the last
 * owner of a room only with `confirmRelinquish` (room-ownership.ts).
 */
export async function setActiveStatus(
  core: EmulatorCore,
  caller: UserDoc | null,
  userId: string,
  active: boolean,
  confirmRelinquish = false,
): Promise<boolean> {
  if (
    caller &&
    !core.state.hasPermission(caller.roles, 'edit-other-user-active-status')
  ) {
    throw new MeteorError('error-not-allowed', 'Not allowed', {
      method: 'setUserActiveStatus',
    });
  }
  const user = await core.users.findById(userId);
  if (!user) {
    return false;
  }
  if (
    !active &&
    user.active === true &&
    (user.roles ?? []).includes('admin') &&
    (await core.users.countActiveInRole('admin')) === 1
  ) {
    throw new MeteorError(
      'error-action-not-allowed',
      'Leaving the app without active admins is not allowed',
      { method: 'setUserActiveStatus', action: 'Remove_last_admin' },
    );
  }
  if (!active && user.username) {
    await relinquishOrRefuse(core, userId, confirmRelinquish);
  }
  await core.users.set(userId, { active });
  if (!active) {
    await core.users.clearTokens(userId);
  }
  return true;
}

export function randomPassword(): string {
  // Satisfies the strictest default policy: 14+ chars, all classes, no triple repeats.
  let password: string;
  do {
    password = `Aa1!${randomSecret(20)}`;
  } while (/(.)\1\1/.test(password));
  return password;
}
