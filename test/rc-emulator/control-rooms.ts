import { ControlRelease } from './control-release.js';
import { randomId } from './core/crypto.js';
import type { RoleView } from './core/role-catalog.js';
import type { RoomDoc } from './core/rooms.store.js';

export interface CreateRoomSpec {
  name: string;
  /** Members (user ids) subscribed at once, as if added by hand. */
  members?: string[];
  /** Creator (user id); made owner of the room, as Rocket.Chat does. Default: none. */
  owner?: string;
  archived?: boolean;
}

export interface CreatedRoom {
  roomId: string;
  name: string;
}

export interface CreatedTeam extends CreatedRoom {
  teamId: string;
}

/** Room, team and role operations of the control API. */
export class ControlRooms extends ControlRelease {
  createChannel(spec: CreateRoomSpec): Promise<CreatedRoom> {
    return this.createRoom('c', spec);
  }

  createPrivateGroup(spec: CreateRoomSpec): Promise<CreatedRoom> {
    return this.createRoom('p', spec);
  }

  /** A team and its main room (same name); `private` makes the main room a private group. */
  async createTeam(
    spec: CreateRoomSpec & { private?: boolean },
  ): Promise<CreatedTeam> {
    const teamId = randomId();
    const room = await this.createRoom(spec.private ? 'p' : 'c', spec, teamId);
    const owner = spec.owner
      ? await this.core.users.findById(spec.owner)
      : null;
    await this.core.rooms.teams.insertOne({
      _id: teamId,
      name: spec.name,
      type: spec.private ? 1 : 0,
      roomId: room.roomId,
      createdBy: {
        _id: owner?._id ?? 'rocket.cat',
        username: owner?.username ?? 'rocket.cat',
      },
      createdAt: new Date(),
      _updatedAt: new Date(),
    });
    return { ...room, teamId };
  }

  /** Subscribes a user to a room directly (a membership the bridge did not make). */
  async addMember(
    roomId: string,
    userId: string,
    roles?: string[],
  ): Promise<void> {
    const room = await this.room(roomId);
    const user = await this.core.users.findById(userId);
    if (!user) {
      throw new Error(`rc-emulator: no user ${userId}`);
    }
    await this.core.rooms.subscribe(room, user, user, roles);
  }

  async removeMember(roomId: string, userId: string): Promise<void> {
    await this.core.rooms.unsubscribe(await this.room(roomId), userId);
  }

  /** User ids subscribed to the room. */
  async roomMembers(roomId: string): Promise<string[]> {
    return (await this.core.rooms.membersOf(roomId)).map((s) => s.u._id).sort();
  }

  async isMember(roomId: string, userId: string): Promise<boolean> {
    return (await this.core.rooms.findSubscription(roomId, userId)) !== null;
  }

  /** Names of the rooms a user is subscribed to. */
  async memberships(userId: string): Promise<string[]> {
    return (await this.core.rooms.subscriptionsOf(userId))
      .map((s) => s.name)
      .sort();
  }

  /** User ids with a team membership record. */
  async teamMembers(teamId: string): Promise<string[]> {
    return (await this.core.rooms.teamMembers.find({ teamId }).toArray())
      .map((m) => m.userId)
      .sort();
  }

  getRoom(roomId: string): Promise<RoomDoc | null> {
    return this.core.rooms.findRoom(roomId);
  }

  /** A custom role with a random id, as `roles.create` makes it; returns the id. */
  createRole(name: string, scope: RoleView['scope'] = 'Users'): string {
    return this.core.roleCatalog.create(name, scope);
  }

  roles(): RoleView[] {
    return this.core.roleCatalog.list();
  }

  private async room(roomId: string): Promise<RoomDoc> {
    const room = await this.core.rooms.findRoom(roomId);
    if (!room) {
      throw new Error(`rc-emulator: no room ${roomId}`);
    }
    return room;
  }

  private async createRoom(
    t: 'c' | 'p',
    spec: CreateRoomSpec,
    teamId?: string,
  ): Promise<CreatedRoom> {
    const owner = spec.owner
      ? await this.core.users.findById(spec.owner)
      : null;
    const room = await this.core.rooms.insertRoom({
      _id: randomId(),
      t,
      name: spec.name,
      fname: spec.name,
      u: {
        _id: owner?._id ?? 'rocket.cat',
        username: owner?.username ?? 'rocket.cat',
      },
      ts: new Date(),
      ro: false,
      default: false,
      sysMes: true,
      ...(spec.archived ? { archived: true } : {}),
      ...(teamId ? { teamId, teamMain: true } : {}),
    });
    if (owner) {
      await this.core.rooms.subscribe(room, owner, owner, ['owner']);
    }
    for (const member of spec.members ?? []) {
      await this.addMember(room._id, member);
    }
    return { roomId: room._id, name: room.name };
  }
}

/** Control methods of this file callable over HTTP. */
export const ROOM_RPC_METHODS = [
  'createChannel',
  'createPrivateGroup',
  'createTeam',
  'addMember',
  'removeMember',
  'roomMembers',
  'isMember',
  'memberships',
  'teamMembers',
  'getRoom',
  'createRole',
  'roles',
] as const;
