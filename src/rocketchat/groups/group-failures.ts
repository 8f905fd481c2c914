import {
  RocketChatAuthError,
  RocketChatError,
  RocketChatRequestError,
} from '../client/rocketchat.errors.js';
import type { GroupTarget } from './group-plan.js';

/** What the bridge's Rocket.Chat account needs for each route (Rocket.Chat's defaults in brackets). */
const PERMISSIONS: Record<string, string> = {
  'users.info':
    'view-other-user-channels and view-full-other-user-info [admin]',
  'roles.list': 'a valid login',
  'roles.addUserToRole':
    'access-permissions [admin] (and assign-admin-role for admin)',
  'roles.removeUserFromRole': 'access-permissions [admin]',
  'channels.invite': 'add-user-to-any-c-room [admin]',
  'channels.kick': 'remove-user [admin, owner, moderator]',
  'groups.invite':
    'add-user-to-any-p-room [no role by default], or membership of the private group',
  'groups.kick':
    'remove-user with kick-user-from-any-p-room [no role by default], or membership of the private group',
  'teams.addMembers': 'add-team-member or edit-team-member [admin]',
  'teams.removeMember': 'edit-team-member [admin]',
};

const PERMISSION_ERRORS = new Set([
  'error-not-allowed',
  'error-action-not-allowed',
  'error-unauthorized',
  'unauthorized',
]);

export function permissionHint(endpoint: string): string {
  return `the bridge's Rocket.Chat account lacks a permission for ${endpoint}: it needs ${PERMISSIONS[endpoint] ?? 'more rights'}`;
}

/** A change that failed, in words an administrator can act on (never a token). */
export function describeFailure(
  error: unknown,
  target: GroupTarget,
  action: 'grant' | 'withdraw',
): string {
  if (!(error instanceof RocketChatError)) {
    return error instanceof Error ? error.message : String(error);
  }
  if (error instanceof RocketChatAuthError) {
    // A 401 here is Rocket.Chat 7's "unauthorized" for a missing permission (a refused
    // login was retried with new credentials before it got here).
    return `${permissionHint(error.endpoint)} (${error.status})`;
  }
  if (!(error instanceof RocketChatRequestError)) {
    return error.message;
  }
  const code = error.errorType ?? '';
  if (PERMISSION_ERRORS.has(code)) {
    return permissionHint(error.endpoint);
  }
  switch (code) {
    case 'error-room-not-found':
      return action === 'grant'
        ? `Rocket.Chat has no ${target.kind === 'channel' ? 'public channel' : 'private group'} named "${target.name}" (check the name, and whether it is ${target.kind === 'channel' ? 'private (privateGroups)' : 'public (channels)'})`
        : permissionHint(error.endpoint);
    case 'error-room-archived':
      return `the room "${target.name}" is archived`;
    case 'team-does-not-exist':
      return `Rocket.Chat has no team named "${target.name}"`;
    case 'error-you-are-last-owner':
    case 'last-owner-can-not-be-removed':
      return `the person is the last owner of "${target.name}" and cannot be removed`;
    default:
      return error.message;
  }
}

/** Errors that mean "already done" for an idempotent change. */
export function alreadyDone(
  error: unknown,
  action: 'grant' | 'withdraw',
): boolean {
  if (!(error instanceof RocketChatRequestError)) {
    return false;
  }
  const code = error.errorType ?? error.reason ?? '';
  return action === 'grant'
    ? code === 'error-user-already-in-role'
    : [
        'error-user-not-in-role',
        'error-user-not-in-room',
        'member-does-not-exist',
      ].includes(code);
}
