import type { RouteContext, RouteDefinition } from '../core/context.js';
import {
  failure,
  MeteorError,
  success,
  type ApiResult,
} from '../core/errors.js';
import {
  addToRoom,
  removeFromRoom,
  userFromParams,
} from '../core/room-access.js';
import type { RoomDoc } from '../core/rooms.store.js';
import type { UserDoc } from '../core/users.store.js';

/*
 * channels.invite / channels.kick: apps/meteor/app/api/server/v1/channels.ts @062f17bf
 * (findChannelByIdOrName, getUserListFromParams); groups.invite / groups.kick:
 * apps/meteor/server/api/v1/groups.ts @575c1631 (the group is found by id or name without an
 * access check; the permission checks are in addUsersToRoom / removeUserFromRoom, see
 * core/room-access.ts). Both are plain `addRoute`s: no schema, checks in the action.
 */

/** A body parameter as the string Rocket.Chat's lookups would use ('' when absent or not text). */
function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

/** `findChannelByIdOrName`: `roomId` if given, else `roomName`; a public channel, not archived. */
async function findChannel(ctx: RouteContext): Promise<RoomDoc> {
  let room: RoomDoc | null = null;
  if ('roomId' in ctx.body) {
    room = await ctx.core.rooms.findRoom(text(ctx.body.roomId));
  } else if ('roomName' in ctx.body) {
    room = await ctx.core.rooms.findRoomByName(text(ctx.body.roomName));
  }
  if (!room || room.t !== 'c') {
    throw new MeteorError(
      'error-room-not-found',
      'The required "roomId" or "roomName" param provided does not match any channel',
    );
  }
  if (room.archived) {
    throw new MeteorError(
      'error-room-archived',
      `The channel, ${room.name}, is archived`,
    );
  }
  return room;
}

/**
 * A private group: groups.invite looks it up with `Rooms.findOneByIdOrName`, groups.kick with
 * `getRoomFromParams` (`roomId` if given, else `roomName`); neither checks the caller's access.
 */
async function findGroup(
  ctx: RouteContext,
  lookup: 'id-or-name' | 'params',
): Promise<RoomDoc> {
  const { rooms } = ctx.core;
  const idOrName = text(ctx.body.roomId) || text(ctx.body.roomName);
  if (!idOrName.trim()) {
    throw new MeteorError(
      'error-room-param-not-provided',
      'The parameter "roomId" or "roomName" is required',
    );
  }
  const room =
    lookup === 'id-or-name'
      ? ((await rooms.findRoom(idOrName)) ??
        (await rooms.findRoomByName(idOrName)))
      : 'roomId' in ctx.body
        ? await rooms.findRoom(text(ctx.body.roomId))
        : await rooms.findRoomByName(text(ctx.body.roomName));
  if (!room || room.t !== 'p') {
    throw new MeteorError(
      'error-room-not-found',
      'The required "roomId" or "roomName" param provided does not match any group',
    );
  }
  return room;
}

/**
 * `getUserListFromParams`: `userId` / `userIds` by id, else `username` / `usernames` / `user`
 * (case-insensitive); unknown ones are dropped.
 */
async function userList(ctx: RouteContext): Promise<UserDoc[]> {
  const { body } = ctx;
  const sole = body.userId || body.username || body.user;
  const list = [
    ...(Array.isArray(body.userIds)
      ? body.userIds
      : Array.isArray(body.usernames)
        ? body.usernames
        : []),
    sole,
  ].filter((v): v is string => typeof v === 'string' && v !== '');
  if (list.length === 0) {
    throw new MeteorError(
      'error-users-params-not-provided',
      'Please provide "userId" or "username" or "userIds" or "usernames" as param',
    );
  }
  const byId = body.userIds !== undefined || body.userId !== undefined;
  const found = await Promise.all(
    [...new Set(list)].map((v) =>
      byId ? ctx.core.users.findById(v) : ctx.core.users.findByUsername(v),
    ),
  );
  return found.filter((u): u is UserDoc => u !== null);
}

async function invite(
  ctx: RouteContext,
  room: RoomDoc,
  empty: () => ApiResult,
): Promise<RoomDoc | ApiResult> {
  const users = await userList(ctx);
  if (users.length === 0) {
    return empty();
  }
  for (const user of users) {
    await addToRoom(ctx.core, ctx.user as UserDoc, room, user);
  }
  return (await ctx.core.rooms.findRoom(room._id)) as RoomDoc;
}

async function kick(ctx: RouteContext, room: RoomDoc): Promise<void> {
  const user = await userFromParams(ctx.core, ctx.body);
  await removeFromRoom(ctx.core, ctx.user as UserDoc, room, user);
}

export const roomsRoutes: RouteDefinition[] = [
  {
    key: 'channels.invite',
    method: 'POST',
    authRequired: true,
    async handler(ctx) {
      const room = await findChannel(ctx);
      const answer = await invite(ctx, room, () =>
        failure(
          'invalid-user-invite-list',
          'Cannot invite if no users are provided',
        ),
      );
      return 'statusCode' in answer ? answer : success({ channel: answer });
    },
  },
  {
    key: 'channels.kick',
    method: 'POST',
    authRequired: true,
    async handler(ctx) {
      const room = await findChannel(ctx);
      await kick(ctx, room);
      return success({ channel: await ctx.core.rooms.findRoom(room._id) });
    },
  },
  {
    key: 'groups.invite',
    method: 'POST',
    authRequired: true,
    async handler(ctx) {
      const room = await findGroup(ctx, 'id-or-name');
      const answer = await invite(ctx, room, () => {
        throw new MeteorError(
          'error-empty-invite-list',
          'Cannot invite if no valid users are provided',
        );
      });
      return 'statusCode' in answer ? answer : success({ group: answer });
    },
  },
  {
    key: 'groups.kick',
    method: 'POST',
    authRequired: true,
    async handler(ctx) {
      await kick(ctx, await findGroup(ctx, 'params'));
      return success();
    },
  },
];
