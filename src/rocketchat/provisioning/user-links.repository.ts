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
  /** The identity source stopped vouching for the person then (see AccountStanding). */
  readonly deprovisionedAt: Date | undefined;
  readonly deactivatedByBridge: boolean;
}

/** A pending link whose current round the caller won. */
export interface ClaimedLink extends UserLink {
  readonly round: number;
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

/**
 * The owner of the user links collection (the deprovisioning marks on a link are StandingMarks').
 * MongoDB errors propagate (503 upstream).
 */
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
   * A new round of provisioning work on an unlinked user (a new pending record, or one left by an
   * earlier request), or null while another process holds a round's lease, or once it is linked.
   * One conditional upsert: it matches a pending record whose lease is free or has run out (a
   * crashed holder's, after `leaseMs`) or creates one; anything else is a duplicate key.
   */
  async claim(
    bridgeUserId: string,
    owner: string,
    leaseMs: number,
  ): Promise<ClaimedLink | null> {
    const now = new Date();
    try {
      const doc = await this.model
        .findOneAndUpdate(
          {
            _id: bridgeUserId,
            state: 'pending',
            $or: [
              { leaseUntil: { $lte: now } },
              { leaseUntil: { $exists: false } },
            ],
          },
          {
            $set: { leaseOwner: owner, leaseUntil: new Date(+now + leaseMs) },
            $inc: { round: 1 },
            $setOnInsert: { rcUserId: `pending:${bridgeUserId}` },
          },
          { upsert: true, returnDocument: 'after' },
        )
        .lean<UserLinkDocument>()
        .exec();
      return { ...toLink(doc), round: doc.round ?? 0 };
    } catch (error) {
      if (isDuplicateKey(error)) {
        return null;
      }
      throw error;
    }
  }

  /** Records the user name and e-mail about to be given to `users.create` (before calling it). */
  async recordIntent(
    claim: ClaimedLink,
    intent: { username: string; email: string },
  ): Promise<void> {
    await this.model
      .updateOne(
        { _id: claim.bridgeUserId, state: 'pending', round: claim.round },
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

  /** Turns the claimed pending record into a link. Throws when the account is linked elsewhere. */
  async link(claim: ClaimedLink, target: LinkTarget): Promise<void> {
    try {
      const result = await this.model
        .updateOne(
          { _id: claim.bridgeUserId, state: 'pending', round: claim.round },
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
              round: '',
              leaseOwner: '',
              leaseUntil: '',
            },
          },
        )
        .exec();
      if (result.matchedCount !== 1) {
        throw new Error('The provisioning round was lost while linking');
      }
    } catch (error) {
      throw isDuplicateKey(error) ? new AccountAlreadyLinkedError() : error;
    }
  }

  /** Ends the claimed round without a link (the next round starts from the recorded intent). */
  async release(claim: ClaimedLink): Promise<void> {
    await this.model
      .updateOne(
        { _id: claim.bridgeUserId, state: 'pending', round: claim.round },
        { $set: { leaseUntil: new Date() } },
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
    deprovisionedAt: doc.deprovisionedAt,
    deactivatedByBridge: doc.deactivatedByBridge === true,
  };
}

function isDuplicateKey(error: unknown): boolean {
  return (error as { code?: unknown })?.code === DUPLICATE_KEY;
}
