import type { EmulatorCore } from './context.js';
import { MeteorError } from './errors.js';
import type { RoomDoc } from './rooms.store.js';
import type { UserDoc } from './users.store.js';

/**
 * Default roles of the permissions the room, role and team routes check
 * (apps/meteor/app/authorization/server/functions/upsertPermissions.ts @2638a63c; the kick-any
 * permissions came with removeUserFromRoom.ts @02dbedfb). Nobody may add to or kick from any
 * private group by default.
 */
export const ROOM_PERMISSIONS: Record<string, string[]> = {
  'access-permissions': ['admin'],
  'add-user-to-joined-room': ['admin', 'owner', 'moderator'],
  'add-user-to-any-c-room': ['admin'],
  'add-user-to-any-p-room': [],
  'remove-user': ['admin', 'owner', 'moderator'],
  'kick-user-from-any-c-room': ['admin'],
  'kick-user-from-any-p-room': [],
  'add-team-member': ['admin', 'owner', 'moderator'],
  'edit-team-member': ['admin', 'owner', 'moderator'],
  'view-all-teams': ['admin'],
};

/**
 * `hasPermission(userId, permission, scope)`: the user's global roles, plus its room roles
 * (subscription `roles`) when a room is the scope.
 */
export async function hasPermissionInRoom(
  core: EmulatorCore,
  user: UserDoc,
  permission: string,
  rid?: string,
): Promise<boolean> {
  const roles = [...(user.roles ?? [])];
  if (rid !== undefined) {
    const sub = await core.rooms.findSubscription(rid, user._id);
    roles.push(...(sub?.roles ?? []));
  }
  return core.state.hasPermission(roles, permission);
}

/**
 * `getUserFromParams`: `userId`, else `username` or `user` (case-insensitive)
 * (apps/meteor/app/api/server/helpers/getUserFromParams.ts).
 */
export async function userFromParams(
  core: EmulatorCore,
  params: Record<string, unknown>,
): Promise<UserDoc> {
  const text = (key: string): string | undefined => {
    const value = params[key];
    return typeof value === 'string' && value.trim() ? value : undefined;
  };
  const userId = text('userId');
  const username = text('username') ?? text('user');
  let user: UserDoc | null;
  if (userId !== undefined) {
    user = await core.users.findById(userId);
  } else if (username !== undefined) {
    user = await core.users.findByUsername(username);
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
 * `addUsersToRoomMethod` for one user (apps/meteor/app/lib/server/methods/addUsersToRoom.ts
 * @0ff77641): a member may add with add-user-to-joined-room, anyone else needs
 * add-user-to-any-c-room / add-user-to-any-p-room; an existing member is left as is.
 */
export async function addToRoom(
  core: EmulatorCore,
  caller: UserDoc,
  room: RoomDoc,
  user: UserDoc,
): Promise<void> {
  const inRoom =
    (await core.rooms.findSubscription(room._id, caller._id)) !== null;
  const allowed =
    (inRoom &&
      (await hasPermissionInRoom(
        core,
        caller,
        'add-user-to-joined-room',
        room._id,
      ))) ||
    core.state.hasPermission(
      caller.roles,
      room.t === 'c' ? 'add-user-to-any-c-room' : 'add-user-to-any-p-room',
    );
  if (!allowed) {
    throw new MeteorError('error-not-allowed', 'Not allowed', {
      method: 'addUsersToRoom',
    });
  }
  await core.rooms.subscribe(room, user, caller);
}

/**
 * `removeUserFromRoomMethod` (apps/meteor/server/methods/removeUserFromRoom.ts @02dbedfb):
 * `remove-user` in the room; without kick-user-from-any-<c|p>-room the caller must be able to
 * access the room (a member, for a private group) and the user must be in it; the last owner
 * stays. With kick-any, a user who is not in the room is "removed" without error.
 */
export async function removeFromRoom(
  core: EmulatorCore,
  caller: UserDoc,
  room: RoomDoc,
  user: UserDoc,
): Promise<void> {
  if (!(await hasPermissionInRoom(core, caller, 'remove-user', room._id))) {
    throw new MeteorError('error-not-allowed', 'Not allowed', {
      method: 'removeUserFromRoom',
    });
  }
  const canKickAny = core.state.hasPermission(
    caller.roles,
    room.t === 'c' ? 'kick-user-from-any-c-room' : 'kick-user-from-any-p-room',
  );
  const callerSub = await core.rooms.findSubscription(room._id, caller._id);
  const canAccess =
    room.t === 'c'
      ? core.state.hasPermission(caller.roles, 'view-c-room') || !!callerSub
      : !!callerSub;
  if (!canKickAny && !canAccess) {
    throw new MeteorError(
      'error-room-not-found',
      'The required "roomId" or "roomName" param provided does not match any group',
    );
  }
  const sub = await core.rooms.findSubscription(room._id, user._id);
  if (!canKickAny && !sub) {
    throw new MeteorError(
      'error-user-not-in-room',
      'User is not in this room',
      {
        method: 'removeUserFromRoom',
      },
    );
  }
  if (sub?.roles?.includes('owner')) {
    const owners = (await core.rooms.membersOf(room._id)).filter((s) =>
      s.roles?.includes('owner'),
    );
    if (owners.length === 1) {
      throw new MeteorError(
        'error-you-are-last-owner',
        'You are the last owner. Please set new owner before leaving the room.',
        { method: 'removeUserFromRoom' },
      );
    }
  }
  await core.rooms.unsubscribe(room, user._id);
}
