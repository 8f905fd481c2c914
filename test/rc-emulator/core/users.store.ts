import type { Collection, Db } from 'mongodb';
import { hashLoginToken } from './crypto.js';

export interface ResumeToken {
  when: Date;
  hashedToken: string;
  twoFactorAuthorizedUntil?: Date;
  twoFactorAuthorizedHash?: string;
}

export interface PersonalAccessToken {
  hashedToken: string;
  type: 'personalAccessToken';
  createdAt: Date;
  lastTokenPart: string;
  name: string;
  bypassTwoFactor?: boolean;
}

export type LoginToken = ResumeToken | PersonalAccessToken;

/** A user document in Rocket.Chat's shape (the fields the emulator reads and writes). */
export interface UserDoc {
  _id: string;
  createdAt: Date;
  _updatedAt?: Date;
  username?: string;
  name?: string;
  emails?: { address: string; verified: boolean }[];
  type?: 'user' | 'bot' | 'app';
  status?: string;
  statusConnection?: string;
  active?: boolean;
  roles?: string[];
  requirePasswordChange?: boolean;
  settings?: Record<string, unknown>;
  customFields?: Record<string, unknown>;
  bio?: string;
  nickname?: string;
  statusText?: string;
  lastLogin?: Date;
  utcOffset?: number;
  services?: {
    password?: { bcrypt?: string };
    resume?: { loginTokens?: LoginToken[] };
    iframe?: { token?: string };
    totp?: { enabled?: boolean; secret?: string };
    email2fa?: { enabled?: boolean; changedAt?: Date };
    emailCode?: { code: string; expire: Date; attempts?: number };
    [service: string]: unknown;
  };
  [field: string]: unknown;
}

export function isPersonalAccessToken(
  token: LoginToken,
): token is PersonalAccessToken {
  return (token as PersonalAccessToken).type === 'personalAccessToken';
}

export function loginTokensOf(user: UserDoc): LoginToken[] {
  return user.services?.resume?.loginTokens ?? [];
}

const TOKENS = 'services.resume.loginTokens';

function escapeRegExp(value: string): string {
  return value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function exactIgnoringCase(value: string): {
  $regex: string;
  $options: string;
} {
  return { $regex: `^${escapeRegExp(value)}$`, $options: 'i' };
}

/**
 * Rocket.Chat's `users` collection. Token removals read the array and `$pullAll` the exact
 * elements: FerretDB v1 ignores `$pull` with a query condition (it only pulls equal elements),
 * and this works the same on MongoDB while staying atomic against concurrent `$push`es.
 */
export class UsersStore {
  readonly collection: Collection<UserDoc>;

  constructor(db: Db) {
    this.collection = db.collection<UserDoc>('users');
  }

  async ensureIndexes(): Promise<void> {
    // Rocket.Chat's unique indexes: username and e-mail address.
    await this.collection.createIndex(
      { username: 1 },
      { unique: true, sparse: true },
    );
    await this.collection.createIndex(
      { 'emails.address': 1 },
      { unique: true, sparse: true },
    );
    await this.collection.createIndex({ [`${TOKENS}.hashedToken`]: 1 });
    await this.collection.createIndex(
      { 'services.iframe.token': 1 },
      { sparse: true },
    );
  }

  findById(id: string): Promise<UserDoc | null> {
    return this.collection.findOne({ _id: id });
  }

  /** Case-insensitive, like `findOneByUsernameIgnoringCase`. */
  findByUsername(username: string): Promise<UserDoc | null> {
    return this.collection.findOne({ username: exactIgnoringCase(username) });
  }

  /** Case-insensitive, like `findOneByEmailAddress`. */
  findByEmail(email: string): Promise<UserDoc | null> {
    return this.collection.findOne({
      'emails.address': exactIgnoringCase(email),
    });
  }

  findByIdAndHashedToken(
    id: string,
    hashedToken: string,
  ): Promise<UserDoc | null> {
    return this.collection.findOne({
      _id: id,
      [`${TOKENS}.hashedToken`]: hashedToken,
    });
  }

  findByHashedToken(hashedToken: string): Promise<UserDoc | null> {
    return this.collection.findOne({ [`${TOKENS}.hashedToken`]: hashedToken });
  }

  findByClearToken(token: string): Promise<UserDoc | null> {
    return this.findByHashedToken(hashLoginToken(token));
  }

  findByIframeToken(token: string): Promise<UserDoc | null> {
    return this.collection.findOne({ 'services.iframe.token': token });
  }

  async insert(user: UserDoc): Promise<void> {
    await this.collection.insertOne(user);
  }

  async set(
    id: string,
    fields: Record<string, unknown>,
    unset: string[] = [],
  ): Promise<boolean> {
    const update: Record<string, unknown> = {
      $set: { ...fields, _updatedAt: new Date() },
    };
    if (unset.length > 0) {
      update.$unset = Object.fromEntries(unset.map((field) => [field, 1]));
    }
    const result = await this.collection.updateOne({ _id: id }, update);
    return result.matchedCount > 0;
  }

  /** Appends a login token; returns the updated document. */
  pushToken(id: string, token: LoginToken): Promise<UserDoc | null> {
    return this.collection.findOneAndUpdate(
      { _id: id },
      { $push: { [TOKENS]: token } } as Record<string, unknown>,
      { returnDocument: 'after' },
    );
  }

  /** Removes the tokens matching `predicate`; returns how many were removed. */
  async removeTokens(
    id: string,
    predicate: (token: LoginToken) => boolean,
  ): Promise<number> {
    const user = await this.findById(id);
    if (!user) {
      return 0;
    }
    const doomed = loginTokensOf(user).filter(predicate);
    if (doomed.length === 0) {
      return 0;
    }
    await this.collection.updateOne({ _id: id }, {
      $pullAll: { [TOKENS]: doomed },
    } as Record<string, unknown>);
    return doomed.length;
  }

  removeHashedToken(id: string, hashedToken: string): Promise<number> {
    return this.removeTokens(id, (token) => token.hashedToken === hashedToken);
  }

  /** `Users.unsetLoginTokens`: wipes every token, personal access tokens included. */
  async clearTokens(id: string): Promise<boolean> {
    const result = await this.collection.updateOne(
      { _id: id },
      { $set: { [TOKENS]: [] } },
    );
    return result.matchedCount > 0;
  }

  /**
   * `User.ensureLoginTokensLimit`: keeps the newest `max` resume tokens (personal access
   * tokens are not counted and never evicted).
   */
  async ensureLoginTokensLimit(
    id: string,
    max: number,
    current?: UserDoc | null,
  ): Promise<number> {
    const user = current ?? (await this.findById(id));
    if (!user) {
      return 0;
    }
    const resume = loginTokensOf(user)
      .filter((token): token is ResumeToken => !isPersonalAccessToken(token))
      .sort((a, b) => new Date(b.when).getTime() - new Date(a.when).getTime());
    if (resume.length <= max) {
      return 0;
    }
    const oldestKept = new Date(resume[max - 1].when).getTime();
    return this.removeTokens(
      id,
      (token) =>
        !isPersonalAccessToken(token) &&
        new Date(token.when).getTime() < oldestKept,
    );
  }

  /** Sets fields on one token, located by index and guarded by its hash. */
  async updateToken(
    id: string,
    hashedToken: string,
    fields: Record<string, unknown>,
  ): Promise<boolean> {
    const user = await this.findById(id);
    const index = user
      ? loginTokensOf(user).findIndex((t) => t.hashedToken === hashedToken)
      : -1;
    if (index === -1) {
      return false;
    }
    const set = Object.fromEntries(
      Object.entries(fields).map(([key, value]) => [
        `${TOKENS}.${index}.${key}`,
        value,
      ]),
    );
    const result = await this.collection.updateOne(
      { _id: id, [`${TOKENS}.${index}.hashedToken`]: hashedToken },
      { $set: set },
    );
    return result.modifiedCount > 0;
  }

  countActiveInRole(role: string): Promise<number> {
    return this.collection.countDocuments({ roles: role, active: true });
  }

  async deleteAll(): Promise<void> {
    await this.collection.deleteMany({});
  }
}
