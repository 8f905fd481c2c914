import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Model } from 'mongoose';
import {
  USER_LINK_MODEL,
  type UserLinkDocument,
} from '../provisioning/user-link.schema.js';

/**
 * The deprovisioning marks on a bridge user's Rocket.Chat link: when the person's source stopped
 * vouching for them, whether the bridge deactivated the account (only then does it re-activate
 * it), and when a deactivation that Rocket.Chat did not answer is tried again. The rest of the
 * link is UserLinksRepository's. MongoDB errors propagate.
 */
@Injectable()
export class StandingMarks {
  constructor(
    @InjectModel(USER_LINK_MODEL)
    private readonly model: Model<UserLinkDocument>,
  ) {}

  /** The person's source stopped vouching for them (the first time counts). */
  async markDeprovisioned(bridgeUserId: string, at: Date): Promise<void> {
    await this.model
      .updateOne(
        {
          _id: bridgeUserId,
          state: 'linked',
          deprovisionedAt: { $exists: false },
        },
        { $set: { deprovisionedAt: at } },
      )
      .exec();
  }

  async recordDeactivated(bridgeUserId: string): Promise<void> {
    await this.model
      .updateOne(
        { _id: bridgeUserId },
        {
          $set: { deactivatedByBridge: true },
          $unset: { deprovisionRetryAt: '' },
        },
      )
      .exec();
  }

  async scheduleRetry(bridgeUserId: string, at: Date): Promise<void> {
    await this.model
      .updateOne({ _id: bridgeUserId }, { $set: { deprovisionRetryAt: at } })
      .exec();
  }

  async cancelRetry(bridgeUserId: string): Promise<void> {
    await this.model
      .updateOne({ _id: bridgeUserId }, { $unset: { deprovisionRetryAt: '' } })
      .exec();
  }

  /** The person is back: every mark goes. */
  async clear(bridgeUserId: string): Promise<void> {
    await this.model
      .updateOne(
        { _id: bridgeUserId },
        {
          $unset: {
            deprovisionedAt: '',
            deactivatedByBridge: '',
            deprovisionRetryAt: '',
          },
        },
      )
      .exec();
  }

  /** Bridge users whose deactivation waits for Rocket.Chat, due by `now`. */
  async dueRetries(now: Date, limit: number): Promise<string[]> {
    const docs = await this.model
      .find({ deprovisionRetryAt: { $lte: now } }, { _id: 1 })
      .sort({ deprovisionRetryAt: 1 })
      .limit(limit)
      .lean<Pick<UserLinkDocument, '_id'>[]>()
      .exec();
    return docs.map((d) => d._id);
  }
}
