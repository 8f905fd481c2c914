import type { JsonObject } from './rocketchat-response.js';

/** A Rocket.Chat account as `users.info` / `users.create` describe it to an admin. */
export interface RocketChatUser {
  readonly id: string;
  readonly username: string;
  readonly name: string | undefined;
  readonly emails: readonly { address: string; verified: boolean }[];
  readonly active: boolean;
  /** Undefined when the answer did not include them (the caller lacks view-full-other-user-info). */
  readonly roles: readonly string[] | undefined;
  /** `user`, `bot`, `app`... */
  readonly type: string | undefined;
  readonly createdAt: Date | undefined;
}

/** Parses the `user` object of an answer; undefined when it is not a usable user. */
export function toRocketChatUser(value: unknown): RocketChatUser | undefined {
  if (typeof value !== 'object' || value === null) {
    return undefined;
  }
  const user = value as JsonObject;
  if (typeof user._id !== 'string' || user._id === '') {
    return undefined;
  }
  const emails = Array.isArray(user.emails)
    ? user.emails.flatMap((entry: unknown) => {
        const e = entry as { address?: unknown; verified?: unknown } | null;
        return typeof e?.address === 'string'
          ? [{ address: e.address, verified: e.verified === true }]
          : [];
      })
    : [];
  const createdAt =
    typeof user.createdAt === 'string' ? new Date(user.createdAt) : undefined;
  return {
    id: user._id,
    username: typeof user.username === 'string' ? user.username : '',
    name: typeof user.name === 'string' ? user.name : undefined,
    emails,
    active: user.active !== false,
    roles: Array.isArray(user.roles)
      ? user.roles.filter((r): r is string => typeof r === 'string')
      : undefined,
    type: typeof user.type === 'string' ? user.type : undefined,
    createdAt:
      createdAt && !Number.isNaN(createdAt.getTime()) ? createdAt : undefined,
  };
}

/** Accounts the bridge never links to nor mints tokens for, on whatever policy. */
export function isPrivileged(user: RocketChatUser): boolean {
  return (
    user.roles === undefined ||
    user.roles.includes('admin') ||
    user.roles.includes('bot') ||
    user.roles.includes('app') ||
    (user.type !== undefined && user.type !== 'user')
  );
}
