import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Model } from 'mongoose';
import type { BridgeUser, ImportedUser, NewUser } from './bridge-user.js';
import { parseUsername } from './user-fields.js';
import { USER_MODEL, type UserDocument } from './user.schema.js';
import { UsernameTakenError } from './users.errors.js';
import { isDuplicateKey, toBridgeUser } from './user-document.js';

const OBJECT_ID = /^[0-9a-f]{24}$/i;
/** Keys per `$in` query when checking many usernames at once (imports). */
const LOOKUP_CHUNK = 500;

export interface LoginRecord {
  readonly user: BridgeUser;
  /** Undefined for a user without a password. */
  readonly passwordHash: string | undefined;
}

/**
 * The only owner of the users collection. Lookups by username always go through the normalised
 * key, as a typed string equality. MongoDB errors propagate: callers must never read an outage
 * as "no such user".
 */
@Injectable()
export class UsersRepository {
  constructor(
    @InjectModel(USER_MODEL) private readonly model: Model<UserDocument>,
  ) {}

  async findById(id: string): Promise<BridgeUser | null> {
    if (typeof id !== 'string' || !OBJECT_ID.test(id)) {
      return null;
    }
    const doc = await this.model.findById(id).lean<UserDocument>().exec();
    return doc ? toBridgeUser(doc) : null;
  }

  /** By username as typed (normalised here); null also for input that cannot be a username. */
  async findByUsername(username: string): Promise<BridgeUser | null> {
    const record = await this.findForLogin(username);
    return record?.user ?? null;
  }

  /** The user with its stored hash, for the credential check only. */
  async findForLogin(username: string): Promise<LoginRecord | null> {
    const parsed =
      typeof username === 'string' ? parseUsername(username) : undefined;
    if (!parsed?.ok) {
      return null;
    }
    const doc = await this.model
      .findOne({ usernameNormalized: parsed.value.key })
      .lean<UserDocument>()
      .exec();
    return doc
      ? { user: toBridgeUser(doc), passwordHash: doc.passwordHash }
      : null;
  }

  /** Throws UsernameTakenError when the key is taken (the unique index decides, races included). */
  async create(user: NewUser): Promise<BridgeUser> {
    try {
      const doc = await this.model.create({
        ...user,
        passwordChangedAt: new Date(),
      });
      return toBridgeUser(doc.toObject());
    } catch (error) {
      throw isDuplicateKey(error)
        ? new UsernameTakenError(user.username)
        : error;
    }
  }

  /** A new password: also stamps passwordChangedAt (sessions may compare against it). */
  async setPassword(id: string, passwordHash: string): Promise<boolean> {
    const result = await this.model
      .updateOne(
        { _id: id },
        { $set: { passwordHash, passwordChangedAt: new Date() } },
      )
      .exec();
    return result.matchedCount === 1;
  }

  /**
   * The same password under a stronger hash (rehash at login). Only replaces `expected`, so a
   * password changed meanwhile is never overwritten; passwordChangedAt is left alone.
   */
  async replacePasswordHash(
    id: string,
    expected: string,
    passwordHash: string,
  ): Promise<boolean> {
    const result = await this.model
      .updateOne(
        { _id: id, passwordHash: expected },
        { $set: { passwordHash } },
      )
      .exec();
    return result.modifiedCount === 1;
  }

  async setActive(id: string, active: boolean): Promise<boolean> {
    const result = await this.model
      .updateOne({ _id: id }, { $set: { active } })
      .exec();
    return result.matchedCount === 1;
  }

  async touchLastLogin(id: string, at: Date = new Date()): Promise<void> {
    await this.model
      .updateOne({ _id: id }, { $set: { lastLoginAt: at } })
      .exec();
  }

  /** Every user, by username. */
  async list(): Promise<BridgeUser[]> {
    const docs = await this.model
      .find()
      .sort({ usernameNormalized: 1 })
      .lean<UserDocument[]>()
      .exec();
    return docs.map(toBridgeUser);
  }

  /** Whether no user exists at all (the first start). */
  async isEmpty(): Promise<boolean> {
    return (await this.model.countDocuments({}, { limit: 1 }).exec()) === 0;
  }

  /** Which of these normalised keys are taken already. */
  async existingKeys(keys: readonly string[]): Promise<Set<string>> {
    const taken = new Set<string>();
    for (let i = 0; i < keys.length; i += LOOKUP_CHUNK) {
      const docs = await this.model
        .find(
          { usernameNormalized: { $in: keys.slice(i, i + LOOKUP_CHUNK) } },
          { usernameNormalized: 1 },
        )
        .lean<Pick<UserDocument, 'usernameNormalized'>[]>()
        .exec();
      for (const doc of docs) {
        taken.add(doc.usernameNormalized);
      }
    }
    return taken;
  }

  /**
   * Inserts imported users tagged with `batch`, in order and in chunks. On failure some may be
   * written: the caller removes them with deleteImportBatch (no transactions on FerretDB).
   */
  async insertImported(
    users: readonly ImportedUser[],
    batch: string,
    chunkSize: number,
  ): Promise<void> {
    const now = new Date();
    for (let i = 0; i < users.length; i += chunkSize) {
      const docs = users.slice(i, i + chunkSize).map((user) => ({
        ...user,
        importBatch: batch,
        updatedAt: now,
      }));
      try {
        await this.model.insertMany(docs, { ordered: true, timestamps: false });
      } catch (error) {
        throw isDuplicateKey(error)
          ? new UsernameTakenError(duplicateUsername(error, docs) ?? '?')
          : error;
      }
    }
  }

  /** Removes everything one import wrote. */
  async deleteImportBatch(batch: string): Promise<number> {
    const result = await this.model.deleteMany({ importBatch: batch }).exec();
    return result.deletedCount;
  }

  async countImportBatch(batch: string): Promise<number> {
    return this.model.countDocuments({ importBatch: batch }).exec();
  }
}

/** The username of the row an ordered insertMany stopped at, when the driver says which. */
function duplicateUsername(
  error: unknown,
  docs: readonly { username: string }[],
): string | undefined {
  const e = error as { index?: unknown; writeErrors?: { index?: unknown }[] };
  const index = e.writeErrors?.[0]?.index ?? e.index;
  return typeof index === 'number' ? docs[index]?.username : undefined;
}
