import { Schema } from 'mongoose';

export const USER_LINK_MODEL = 'RocketChatUserLink';
/** Without MONGO_COLLECTION_PREFIX (`bridge_rocketchat_user_links` by default). */
export const USER_LINK_COLLECTION = 'rocketchat_user_links';

/**
 * Which Rocket.Chat account belongs to a bridge user, keyed by the bridge user's id (FerretDB
 * only uses the `_id` index). `pending` is the intent written before `users.create` (chosen user
 * name and e-mail, and a lease so one process works on it at a time): if the process dies or the
 * call times out, the next attempt finds the intent and asks Rocket.Chat what happened, so there
 * is never a link without its account and never a second account for one user. Work on a
 * pending record happens in rounds; a round is claimed by a conditional update that takes the
 * record's lease (UserLinksRepository.claim), and only its holder writes the record.
 */
export interface UserLinkDocument {
  /** The bridge user's id. */
  _id: string;
  state: 'pending' | 'linked';
  /** Unique: one account per bridge user. `pending:<bridge user id>` until linked. */
  rcUserId: string;
  rcUsername?: string;
  /** Whether the bridge created the account (as opposed to linking an existing one). */
  createdByBridge?: boolean;
  pendingUsername?: string;
  pendingEmail?: string;
  intentAt?: Date;
  /** Pending only: the current round of provisioning work, its holder and until when. */
  round?: number;
  leaseOwner?: string;
  leaseUntil?: Date;
  /** The avatar URL last given to Rocket.Chat (avatars cannot be read back to compare). */
  syncedAvatarUrl?: string;
  /** When the person's identity source stopped vouching for them (unset once they are back). */
  deprovisionedAt?: Date;
  /** The bridge deactivated the account then: only such an account is re-activated by it. */
  deactivatedByBridge?: boolean;
  /** Deactivating failed because Rocket.Chat did not answer: tried again after this. */
  deprovisionRetryAt?: Date;
  createdAt: Date;
  updatedAt: Date;
}

export const UserLinkSchema = new Schema<UserLinkDocument>(
  {
    _id: { type: String, required: true },
    state: { type: String, required: true, enum: ['pending', 'linked'] },
    rcUserId: { type: String, required: true },
    rcUsername: { type: String },
    createdByBridge: { type: Boolean },
    pendingUsername: { type: String },
    pendingEmail: { type: String },
    intentAt: { type: Date },
    round: { type: Number },
    leaseOwner: { type: String },
    leaseUntil: { type: Date },
    syncedAvatarUrl: { type: String },
    deprovisionedAt: { type: Date },
    deactivatedByBridge: { type: Boolean },
    deprovisionRetryAt: { type: Date },
  },
  { timestamps: true, versionKey: false, strict: 'throw' },
);

UserLinkSchema.index({ rcUserId: 1 }, { unique: true });
// Deactivations left for Rocket.Chat's return.
UserLinkSchema.index({ deprovisionRetryAt: 1 }, { sparse: true });
