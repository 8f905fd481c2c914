import type { Collection, Db } from 'mongodb';
import { randomId } from './crypto.js';

/** `IRoom`, the fields these routes read and write. */
export interface RoomDoc {
  _id: string;
  /** `c` public channel, `p` private group. */
  t: 'c' | 'p';
  name: string;
  fname: string;
  msgs: number;
  usersCount: number;
  u: { _id: string; username: string };
  ts: Date;
  ro: boolean;
  default: boolean;
  sysMes: boolean;
  archived?: boolean;
  teamId?: string;
  teamMain?: boolean;
  _updatedAt: Date;
}

/** `ISubscription`: one user's membership of one room (room roles in `roles`). */
export interface SubscriptionDoc {
  _id: string;
  rid: string;
  u: { _id: string; username: string; name?: string };
  name: string;
  fname: string;
  t: 'c' | 'p';
  ts: Date;
  ls: Date;
  open: boolean;
  alert: boolean;
  unread: number;
  userMentions: number;
  groupMentions: number;
  roles?: string[];
  _updatedAt: Date;
}

/** `ITeam`: `type` 0 public, 1 private; its main room bears its name. */
export interface TeamDoc {
  _id: string;
  name: string;
  type: 0 | 1;
  roomId: string;
  createdBy: { _id: string; username: string };
  createdAt: Date;
  _updatedAt: Date;
}

/** `ITeamMember`. */
export interface TeamMemberDoc {
  _id: string;
  teamId: string;
  userId: string;
  roles: string[];
  createdBy: { _id: string; username: string };
  createdAt: Date;
  _updatedAt: Date;
}

export type Member = { _id: string; username?: string; name?: string };

const DUPLICATE_KEY = 11000;

/**
 * Rocket.Chat's `rocketchat_room`, `rocketchat_subscription`, `rocketchat_team` and
 * `rocketchat_team_member` collections, in Rocket.Chat's document shapes. A membership is a
 * subscription, unique per (room, user) as in Rocket.Chat, so concurrent invites add one.
 */
export class RoomsStore {
  readonly rooms: Collection<RoomDoc>;
  readonly subscriptions: Collection<SubscriptionDoc>;
  readonly teams: Collection<TeamDoc>;
  readonly teamMembers: Collection<TeamMemberDoc>;

  constructor(db: Db) {
    this.rooms = db.collection<RoomDoc>('rocketchat_room');
    this.subscriptions = db.collection<SubscriptionDoc>(
      'rocketchat_subscription',
    );
    this.teams = db.collection<TeamDoc>('rocketchat_team');
    this.teamMembers = db.collection<TeamMemberDoc>('rocketchat_team_member');
  }

  async ensureIndexes(): Promise<void> {
    await this.rooms.createIndex({ name: 1 }, { unique: true, sparse: true });
    await this.subscriptions.createIndex(
      { rid: 1, 'u._id': 1 },
      { unique: true },
    );
    await this.subscriptions.createIndex({ 'u._id': 1 });
    await this.teams.createIndex({ name: 1 }, { unique: true });
    await this.teamMembers.createIndex(
      { teamId: 1, userId: 1 },
      { unique: true },
    );
  }

  findRoom(id: string): Promise<RoomDoc | null> {
    return this.rooms.findOne({ _id: id });
  }

  /** `Rooms.findOneByName`: exact. */
  findRoomByName(name: string): Promise<RoomDoc | null> {
    return this.rooms.findOne({ name });
  }

  findSubscription(
    rid: string,
    userId: string,
  ): Promise<SubscriptionDoc | null> {
    return this.subscriptions.findOne({ rid, 'u._id': userId });
  }

  /** A user's subscriptions sorted as `users.info?includeUserRooms` sorts them. */
  subscriptionsOf(userId: string): Promise<SubscriptionDoc[]> {
    return this.subscriptions
      .find({ 'u._id': userId })
      .sort({ t: 1, name: 1 })
      .toArray();
  }

  membersOf(rid: string): Promise<SubscriptionDoc[]> {
    return this.subscriptions.find({ rid }).toArray();
  }

  async insertRoom(
    room: Omit<RoomDoc, '_updatedAt' | 'usersCount' | 'msgs'>,
  ): Promise<RoomDoc> {
    const doc: RoomDoc = {
      ...room,
      msgs: 0,
      usersCount: 0,
      _updatedAt: new Date(),
    };
    await this.rooms.insertOne(doc);
    return doc;
  }

  /**
   * `addUserToRoom`: a subscription unless there is one (false then), the room's user count,
   * and the team membership when it is a team's main room.
   */
  async subscribe(
    room: RoomDoc,
    user: Member,
    inviter: Member,
    roles?: string[],
  ): Promise<boolean> {
    const now = new Date();
    try {
      await this.subscriptions.insertOne({
        _id: randomId(),
        rid: room._id,
        u: { _id: user._id, username: user.username ?? '', name: user.name },
        name: room.name,
        fname: room.fname,
        t: room.t,
        ts: now,
        ls: now,
        open: true,
        alert: false,
        unread: 0,
        userMentions: 0,
        groupMentions: 0,
        ...(roles?.length ? { roles } : {}),
        _updatedAt: now,
      });
    } catch (error) {
      if ((error as { code?: unknown }).code === DUPLICATE_KEY) {
        return false;
      }
      throw error;
    }
    await this.rooms.updateOne(
      { _id: room._id },
      { $inc: { usersCount: 1 }, $set: { _updatedAt: now } },
    );
    if (room.teamMain && room.teamId) {
      await this.addTeamMember(room.teamId, user._id, inviter);
    }
    return true;
  }

  /** `removeUserFromRoom`: the subscription, the count, and the team membership of a main room. */
  async unsubscribe(room: RoomDoc, userId: string): Promise<boolean> {
    const removed = await this.subscriptions.deleteOne({
      rid: room._id,
      'u._id': userId,
    });
    if (removed.deletedCount !== 1) {
      return false;
    }
    await this.rooms.updateOne(
      { _id: room._id },
      { $inc: { usersCount: -1 }, $set: { _updatedAt: new Date() } },
    );
    if (room.teamMain && room.teamId) {
      await this.teamMembers.deleteOne({ teamId: room.teamId, userId });
    }
    return true;
  }

  async addTeamMember(
    teamId: string,
    userId: string,
    inviter: Member,
    roles: string[] = [],
  ): Promise<void> {
    const now = new Date();
    try {
      await this.teamMembers.insertOne({
        _id: randomId(),
        teamId,
        userId,
        roles,
        createdAt: now,
        createdBy: { _id: inviter._id, username: inviter.username ?? '' },
        _updatedAt: now,
      });
    } catch (error) {
      if ((error as { code?: unknown }).code !== DUPLICATE_KEY) {
        throw error;
      }
    }
  }

  findTeam(query: {
    teamId?: string;
    teamName?: string;
  }): Promise<TeamDoc | null> {
    if (query.teamId) {
      return this.teams.findOne({ _id: query.teamId });
    }
    return query.teamName
      ? this.teams.findOne({ name: query.teamName })
      : Promise.resolve(null);
  }

  findTeamMember(
    teamId: string,
    userId: string,
  ): Promise<TeamMemberDoc | null> {
    return this.teamMembers.findOne({ teamId, userId });
  }
}
