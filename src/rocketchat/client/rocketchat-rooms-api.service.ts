import { Injectable } from '@nestjs/common';
import { AdminCredentials } from './admin-credentials.service.js';
import { callAsAdmin } from './call-as-admin.js';
import {
  RocketChatHttp,
  type RocketChatCall,
} from './rocketchat-http.service.js';
import type { JsonObject } from './rocketchat-response.js';
import { toRocketChatUser, type RocketChatUser } from './rocketchat-user.js';
import { RocketChatUnavailableError } from './rocketchat.errors.js';

/** A role as `roles.list` describes it; `scope` is `Users` (workspace) or `Subscriptions` (room). */
export interface RocketChatRole {
  readonly id: string;
  readonly name: string;
  readonly scope: string;
}

/** One subscription of `users.info?includeUserRooms=true`. */
export interface RocketChatMembership {
  readonly rid: string;
  readonly name: string | undefined;
  /** `c` channel, `p` private group, `d` direct message... */
  readonly t: string;
}

export interface RocketChatUserWithRooms {
  readonly user: RocketChatUser;
  readonly rooms: readonly RocketChatMembership[];
}

/** `channel` goes through `channels.*`, `privateGroup` through `groups.*`. */
export type RoomKind = 'channel' | 'privateGroup';

/**
 * Rocket.Chat's roles, rooms and teams, as the bridge's own account (every route is checked in
 * Rocket.Chat's source and emulated in test/rc-emulator: roles, rooms and teams routes there).
 * Rooms and teams are addressed by name, as the configuration names them; the invite answers
 * carry the room, whose id is kept for later withdrawal.
 */
@Injectable()
export class RocketChatRoomsApi {
  constructor(
    private readonly http: RocketChatHttp,
    private readonly admin: AdminCredentials,
  ) {}

  async listRoles(): Promise<RocketChatRole[]> {
    const body = await this.asAdmin({ method: 'GET', endpoint: 'roles.list' });
    if (!Array.isArray(body.roles)) {
      throw malformed('roles.list', 'answered without roles');
    }
    return body.roles.flatMap((entry: unknown) => {
      const role = entry as { _id?: unknown; name?: unknown; scope?: unknown };
      return typeof role._id === 'string' && typeof role.name === 'string'
        ? [
            {
              id: role._id,
              name: role.name,
              scope: typeof role.scope === 'string' ? role.scope : 'Users',
            },
          ]
        : [];
    });
  }

  /** The account with its roles and subscriptions (needs view-other-user-channels). */
  async userWithRooms(userId: string): Promise<RocketChatUserWithRooms> {
    const body = await this.asAdmin({
      method: 'GET',
      endpoint: 'users.info',
      query: { userId, includeUserRooms: 'true' },
    });
    const user = toRocketChatUser(body.user);
    const rooms = (body.user as { rooms?: unknown } | undefined)?.rooms;
    if (!user || !Array.isArray(rooms)) {
      throw malformed('users.info', 'answered without the user and its rooms');
    }
    return {
      user,
      rooms: rooms.flatMap((entry: unknown) => {
        const sub = entry as { rid?: unknown; name?: unknown; t?: unknown };
        return typeof sub.rid === 'string' && typeof sub.t === 'string'
          ? [
              {
                rid: sub.rid,
                t: sub.t,
                name: typeof sub.name === 'string' ? sub.name : undefined,
              },
            ]
          : [];
      }),
    };
  }

  async addUserToRole(roleId: string, username: string): Promise<void> {
    await this.asAdmin({
      method: 'POST',
      endpoint: 'roles.addUserToRole',
      body: { roleId, username },
    });
  }

  async removeUserFromRole(roleId: string, username: string): Promise<void> {
    await this.asAdmin({
      method: 'POST',
      endpoint: 'roles.removeUserFromRole',
      body: { roleId, username },
    });
  }

  /** Joins the user to a room (a no-op for a member); returns the room's id. */
  async invite(
    kind: RoomKind,
    roomName: string,
    userId: string,
  ): Promise<string> {
    const endpoint = kind === 'channel' ? 'channels.invite' : 'groups.invite';
    const body = await this.asAdmin({
      method: 'POST',
      endpoint,
      body: { roomName, userId },
    });
    const room = (kind === 'channel' ? body.channel : body.group) as
      { _id?: unknown } | undefined;
    if (typeof room?._id !== 'string') {
      throw malformed(endpoint, 'answered without the room');
    }
    return room._id;
  }

  async kick(
    kind: RoomKind,
    room: { readonly roomId?: string; readonly roomName: string },
    userId: string,
  ): Promise<void> {
    await this.asAdmin({
      method: 'POST',
      endpoint: kind === 'channel' ? 'channels.kick' : 'groups.kick',
      body:
        room.roomId !== undefined
          ? { roomId: room.roomId, userId }
          : { roomName: room.roomName, userId },
    });
  }

  async addTeamMember(teamName: string, userId: string): Promise<void> {
    await this.asAdmin({
      method: 'POST',
      endpoint: 'teams.addMembers',
      body: { teamName, members: [{ userId }] },
    });
  }

  async removeTeamMember(teamName: string, userId: string): Promise<void> {
    await this.asAdmin({
      method: 'POST',
      endpoint: 'teams.removeMember',
      body: { teamName, userId },
    });
  }

  private asAdmin(call: RocketChatCall): Promise<JsonObject> {
    return callAsAdmin(this.http, this.admin, call);
  }
}

function malformed(endpoint: string, detail: string): Error {
  return new RocketChatUnavailableError(endpoint, 'malformed', detail);
}
