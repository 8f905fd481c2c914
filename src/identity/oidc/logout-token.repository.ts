import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Model } from 'mongoose';
import {
  OIDC_LOGOUT_TOKEN_MODEL,
  type LogoutTokenRecord,
} from './logout-token.schema.js';
import { OidcStoreUnavailableError } from './oidc.errors.js';

const DUPLICATE_KEY = 11000;

/** Back-channel logout tokens already accepted (by issuer and jti), until they expire. */
@Injectable()
export class LogoutTokenRepository {
  constructor(
    @InjectModel(OIDC_LOGOUT_TOKEN_MODEL)
    private readonly model: Model<LogoutTokenRecord>,
  ) {}

  /** Records a token; false if it was recorded before (a replay). Atomic through the unique `_id`. */
  async remember(record: LogoutTokenRecord): Promise<boolean> {
    try {
      await this.model.collection.insertOne(record as never);
      return true;
    } catch (error) {
      if ((error as { code?: unknown }).code === DUPLICATE_KEY) {
        return false;
      }
      throw new OidcStoreUnavailableError(error);
    }
  }

  async deleteExpired(now: Date): Promise<number> {
    try {
      const result = await this.model.collection.deleteMany({
        expiresAt: { $lte: now },
      });
      return result.deletedCount;
    } catch (error) {
      throw new OidcStoreUnavailableError(error);
    }
  }
}
