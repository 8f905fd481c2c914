import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Model } from 'mongoose';
import {
  ADMIN_CREDENTIALS_MODEL,
  type AdminCredentialsDocument,
} from './admin-credentials.schema.js';

const CREDENTIALS_ID = 'credentials';
const LOCK_ID = 'bootstrap-lock';
const DUPLICATE_KEY = 11000;

export interface StoredAdminToken {
  readonly rcUserId: string;
  readonly sealedToken: string;
  readonly rocketChatUrl: string;
}

/** The bridge's own Rocket.Chat credentials (created at start-up) and the lease guarding that. */
@Injectable()
export class AdminCredentialsRepository {
  constructor(
    @InjectModel(ADMIN_CREDENTIALS_MODEL)
    private readonly model: Model<AdminCredentialsDocument>,
  ) {}

  async load(): Promise<StoredAdminToken | null> {
    const doc = await this.model
      .findById(CREDENTIALS_ID)
      .lean<AdminCredentialsDocument>()
      .exec();
    if (!doc?.rcUserId || !doc.sealedToken || !doc.rocketChatUrl) {
      return null;
    }
    return {
      rcUserId: doc.rcUserId,
      sealedToken: doc.sealedToken,
      rocketChatUrl: doc.rocketChatUrl,
    };
  }

  async save(token: StoredAdminToken): Promise<void> {
    await this.model
      .replaceOne(
        { _id: CREDENTIALS_ID },
        { _id: CREDENTIALS_ID, ...token, createdAt: new Date() },
        { upsert: true },
      )
      .exec();
  }

  /** Forgets a token only if it is still the one given (another replica may have replaced it). */
  async discard(sealedToken: string): Promise<void> {
    await this.model.deleteOne({ _id: CREDENTIALS_ID, sealedToken }).exec();
  }

  /**
   * Takes the creation lease for `ms`, unless another live holder has it: one conditional upsert
   * that matches a lease left by a crashed process (expired) or creates a missing one; a live
   * lease makes it a duplicate key, and the lease stays its holder's.
   */
  async acquireLease(owner: string, ms: number): Promise<boolean> {
    const now = new Date();
    try {
      await this.model
        .updateOne(
          { _id: LOCK_ID, leaseUntil: { $lte: now } },
          {
            $set: { owner, leaseUntil: new Date(now.getTime() + ms) },
            $setOnInsert: { createdAt: now },
          },
          { upsert: true },
        )
        .exec();
      return true;
    } catch (error) {
      if ((error as { code?: unknown }).code === DUPLICATE_KEY) {
        return false;
      }
      throw error;
    }
  }

  async releaseLease(owner: string): Promise<void> {
    await this.model.deleteOne({ _id: LOCK_ID, owner }).exec();
  }
}
