import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Model } from 'mongoose';
import type {
  BridgeUser,
  NewExternalUser,
  SourceProfile,
} from './bridge-user.js';
import { externalKey, isDuplicateKey, toBridgeUser } from './user-document.js';
import { USER_MODEL, type UserDocument } from './user.schema.js';
import { UsernameTakenError } from './users.errors.js';

/** Groups kept per user, and the length of each: a source sending more is cut, not refused. */
export const MAX_GROUPS = 200;
export const MAX_GROUP_LENGTH = 1024;

/**
 * The users collection as identity sources see it: people found by (source, stable id), created
 * just in time, linked to an existing user by policy, and their profile refreshed from the source.
 * Local passwords are UsersRepository's.
 */
@Injectable()
export class UserIdentitiesRepository {
  constructor(
    @InjectModel(USER_MODEL) private readonly model: Model<UserDocument>,
  ) {}

  async findByExternal(
    source: string,
    externalId: string,
  ): Promise<BridgeUser | null> {
    const doc = await this.model
      .findOne({ externalKey: externalKey(source, externalId) })
      .lean<UserDocument>()
      .exec();
    return doc ? toBridgeUser(doc) : null;
  }

  /** Users with exactly this address (stored domain lower-cased, local part as given). */
  async findByEmail(email: string): Promise<BridgeUser[]> {
    const docs = await this.model
      .find({ email })
      .limit(2)
      .lean<UserDocument[]>()
      .exec();
    return docs.map(toBridgeUser);
  }

  /**
   * A person first seen at a source, without a password. Throws UsernameTakenError when the name
   * (or, in a race, the same person) is taken: the unique indexes decide.
   */
  async create(user: NewExternalUser): Promise<BridgeUser> {
    try {
      const doc = await this.model.create({
        username: user.username,
        usernameNormalized: user.usernameNormalized,
        email: user.email,
        displayName: user.displayName,
        active: true,
        source: user.source,
        externalId: user.externalId,
        externalKey: externalKey(user.source, user.externalId),
        groups: boundGroups(user.groups),
      });
      return toBridgeUser(doc.toObject());
    } catch (error) {
      throw isDuplicateKey(error)
        ? new UsernameTakenError(user.username)
        : error;
    }
  }

  /**
   * Ties an existing user to a person at a source. Only a user not yet tied to any source is
   * linked (a second provider never takes over an account), atomically; false otherwise.
   */
  async link(
    userId: string,
    source: string,
    externalId: string,
  ): Promise<BridgeUser | null> {
    try {
      const doc = await this.model
        .findOneAndUpdate(
          { _id: userId, externalKey: { $exists: false } },
          {
            $set: {
              source,
              externalId,
              externalKey: externalKey(source, externalId),
            },
          },
          { returnDocument: 'after' },
        )
        .lean<UserDocument>()
        .exec();
      return doc ? toBridgeUser(doc) : null;
    } catch (error) {
      if (isDuplicateKey(error)) {
        return null;
      }
      throw error;
    }
  }

  /** The source's current view of the person; returns the user as stored afterwards. */
  async refresh(
    userId: string,
    profile: SourceProfile,
  ): Promise<BridgeUser | null> {
    const set: Record<string, unknown> = {
      groups: boundGroups(profile.groups),
    };
    const unset: Record<string, ''> = {};
    for (const [field, value] of [
      ['email', profile.email],
      ['displayName', profile.displayName],
    ] as const) {
      if (value === undefined) {
        unset[field] = '';
      } else {
        set[field] = value;
      }
    }
    const doc = await this.model
      .findOneAndUpdate(
        { _id: userId },
        Object.keys(unset).length > 0
          ? { $set: set, $unset: unset }
          : { $set: set },
        { returnDocument: 'after' },
      )
      .lean<UserDocument>()
      .exec();
    return doc ? toBridgeUser(doc) : null;
  }

  /** Groups of a user set by an administrator (local users; sources overwrite theirs at sign-in). */
  async setGroups(userId: string, groups: readonly string[]): Promise<boolean> {
    const result = await this.model
      .updateOne({ _id: userId }, { $set: { groups: boundGroups(groups) } })
      .exec();
    return result.matchedCount === 1;
  }
}

/** Distinct, non-empty, bounded in number and length; order kept. */
export function boundGroups(groups: readonly string[]): string[] {
  const kept = new Set<string>();
  for (const group of groups) {
    if (
      typeof group === 'string' &&
      group.trim() !== '' &&
      group.length <= MAX_GROUP_LENGTH
    ) {
      kept.add(group);
    }
    if (kept.size >= MAX_GROUPS) {
      break;
    }
  }
  return [...kept];
}
