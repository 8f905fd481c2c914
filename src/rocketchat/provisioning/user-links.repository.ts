import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Model } from 'mongoose';
import { USER_LINK_MODEL, type UserLinkDocument } from './user-link.schema.js';

const DUPLICATE_KEY = 11000;

export interface UserLink {
  readonly bridgeUserId: string;
  readonly state: 'pending' | 'linked';
  /** Only meaningful when linked. */
  readonly rcUserId: string;
  readonly rcUsername: string | undefined;
  readonly createdByBridge: boolean;
  readonly pendingUsername: string | undefined;
  readonly pendingEmail: string | undefined;
  readonly intentAt: Date | undefined;
  readonly syncedAvatarUrl: string | undefined;
}

export interface LinkTarget {
  readonly rcUserId: string;
  readonly rcUsername: string;
  readonly createdByBridge: boolean;
  readonly syncedAvatarUrl?: string;
}

/** The Rocket.Chat account linked to this bridge account already belongs to another bridge user. */
export class AccountAlreadyLinkedError extends Error {
  constructor() {
    super('That Rocket.Chat account is linked to another bridge user');
    this.name = 'AccountAlreadyLinkedError';
  }
}

/** The only owner of the user links collection. MongoDB errors propagate (503 upstream). */
@Injectable()
export class UserLinksRepository {
  constructor(
    @InjectModel(USER_LINK_MODEL)
    private readonly model: Model<UserLinkDocument>,
  ) {}

  async find(bridgeUserId: string): Promise<UserLink | null> {
    const doc = await this.model
      .findById(bridgeUserId)
      .lean<UserLinkDocument>()
      .exec();
    return doc ? toLink(doc) : null;
  }

  /**
   * The work lease on an unlinked user: a new pending record, or an abandoned one (lease run
   * out). Null while another process holds it, or once the user is linked.
   */
  async claim(
    bridgeUserId: string,
    owner: string,
    leaseMs: number,
  ): Promise<UserLink | null> {
    const now = new Date();
    const leaseUntil = new Date(now.getTime() + leaseMs);
    try {
      const doc = await this.model.create({
        _id: bridgeUserId,
        state: 'pending',
        rcUserId: `pending:${bridgeUserId}`,
        owner,
        leaseUntil,
      });
      return toLink(doc.toObject());
    } catch (error) {
      if (!isDuplicateKey(error)) {
        throw error;
      }
    }
    const taken = await this.model
      .updateOne(
        { _id: bridgeUserId, state: 'pending', leaseUntil: { $lte: now } },
        { $set: { owner, leaseUntil } },
      )
      .exec();
    return taken.modifiedCount === 1 ? this.find(bridgeUserId) : null;
  }

  /** Records the user name and e-mail about to be given to `users.create` (before calling it). */
  async recordIntent(
    bridgeUserId: string,
    owner: string,
    intent: { username: string; email: string },
  ): Promise<void> {
    await this.model
      .updateOne(
        { _id: bridgeUserId, state: 'pending', owner },
        {
          $set: {
            pendingUsername: intent.username,
            pendingEmail: intent.email,
            intentAt: new Date(),
          },
        },
      )
      .exec();
  }

  /** Turns the caller's pending record into a link. Throws when the account is linked elsewhere. */
  async link(
    bridgeUserId: string,
    owner: string,
    target: LinkTarget,
  ): Promise<void> {
    try {
      const result = await this.model
        .updateOne(
          { _id: bridgeUserId, state: 'pending', owner },
          {
            $set: {
              state: 'linked',
              rcUserId: target.rcUserId,
              rcUsername: target.rcUsername,
              createdByBridge: target.createdByBridge,
              ...(target.syncedAvatarUrl === undefined
                ? {}
                : { syncedAvatarUrl: target.syncedAvatarUrl }),
            },
            $unset: {
              pendingUsername: '',
              pendingEmail: '',
              intentAt: '',
              owner: '',
              leaseUntil: '',
            },
          },
        )
        .exec();
      if (result.matchedCount !== 1) {
        throw new Error('The provisioning lease was lost while linking');
      }
    } catch (error) {
      throw isDuplicateKey(error) ? new AccountAlreadyLinkedError() : error;
    }
  }

  /** Gives the lease back without linking (the next attempt starts from the recorded intent). */
  async release(bridgeUserId: string, owner: string): Promise<void> {
    await this.model
      .updateOne(
        { _id: bridgeUserId, state: 'pending', owner },
        { $set: { leaseUntil: new Date(0) } },
      )
      .exec();
  }

  /** Forgets a link whose Rocket.Chat account is gone (only if it still points there). */
  async unlink(bridgeUserId: string, rcUserId: string): Promise<void> {
    await this.model.deleteOne({ _id: bridgeUserId, rcUserId }).exec();
  }

  async setSyncedAvatar(bridgeUserId: string, url: string): Promise<void> {
    await this.model
      .updateOne({ _id: bridgeUserId }, { $set: { syncedAvatarUrl: url } })
      .exec();
  }

  /** The bridge user linked to a Rocket.Chat account, if any. */
  async findByRocketChatUser(rcUserId: string): Promise<UserLink | null> {
    const doc = await this.model
      .findOne({ rcUserId })
      .lean<UserLinkDocument>()
      .exec();
    return doc ? toLink(doc) : null;
  }
}

function toLink(doc: UserLinkDocument): UserLink {
  return {
    bridgeUserId: doc._id,
    state: doc.state,
    rcUserId: doc.rcUserId,
    rcUsername: doc.rcUsername,
    createdByBridge: doc.createdByBridge === true,
    pendingUsername: doc.pendingUsername,
    pendingEmail: doc.pendingEmail,
    intentAt: doc.intentAt,
    syncedAvatarUrl: doc.syncedAvatarUrl,
  };
}

function isDuplicateKey(error: unknown): boolean {
  return (error as { code?: unknown })?.code === DUPLICATE_KEY;
}
