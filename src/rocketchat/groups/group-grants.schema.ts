import { Schema } from 'mongoose';

export const GROUP_GRANTS_MODEL = 'RocketChatGroupGrants';
/** Without MONGO_COLLECTION_PREFIX (`bridge_rocketchat_group_grants` by default). */
export const GROUP_GRANTS_COLLECTION = 'rocketchat_group_grants';

export interface GrantDoc {
  kind: 'role' | 'channel' | 'privateGroup' | 'team';
  name: string;
  rule: string;
  grantedAt: Date;
  roomId?: string;
}

export interface FailureDoc {
  kind: GrantDoc['kind'];
  name: string;
  action: 'grant' | 'withdraw';
  error: string;
  at: Date;
}

/**
 * One Rocket.Chat account's group-derived grants: what the bridge granted (and nothing else, so
 * only that is ever taken away), what failed last time (retried at the next apply), and the
 * latest request. Applies for one account are serialised by `lock` (a lease taken with one
 * conditional findOneAndUpdate); a request arriving meanwhile bumps `requestSeq`, and the lock
 * holder, whose release is conditional on the sequence it applied, picks it up before letting go.
 */
export interface GroupGrantsDocument {
  /** The Rocket.Chat user id. */
  _id: string;
  bridgeUserId: string;
  grants: GrantDoc[];
  failures: FailureDoc[];
  requestSeq: number;
  request?: {
    groups: string[];
    source: string;
    withdrawAll: boolean;
    force: boolean;
  };
  /** The last apply that completed without failures. */
  applied?: { fingerprint: string; at: Date; verifiedAt: Date };
  lock?: { owner: string; until: Date };
  createdAt: Date;
  updatedAt: Date;
}

const TargetFields = {
  kind: {
    type: String,
    required: true,
    enum: ['role', 'channel', 'privateGroup', 'team'],
  },
  name: { type: String, required: true },
};

const GrantSchema = new Schema<GrantDoc>(
  {
    ...TargetFields,
    rule: { type: String, required: true },
    grantedAt: { type: Date, required: true },
    roomId: { type: String },
  },
  { _id: false },
);

const FailureSchema = new Schema<FailureDoc>(
  {
    ...TargetFields,
    action: { type: String, required: true, enum: ['grant', 'withdraw'] },
    error: { type: String, required: true },
    at: { type: Date, required: true },
  },
  { _id: false },
);

export const GroupGrantsSchema = new Schema<GroupGrantsDocument>(
  {
    _id: { type: String, required: true },
    bridgeUserId: { type: String, required: true },
    grants: { type: [GrantSchema], default: [] },
    failures: { type: [FailureSchema], default: [] },
    requestSeq: { type: Number, required: true, default: 0 },
    request: {
      type: new Schema(
        {
          groups: { type: [String], default: [] },
          source: { type: String, required: true },
          withdrawAll: { type: Boolean, required: true },
          force: { type: Boolean, required: true },
        },
        { _id: false },
      ),
    },
    applied: {
      type: new Schema(
        {
          fingerprint: { type: String, required: true },
          at: { type: Date, required: true },
          verifiedAt: { type: Date, required: true },
        },
        { _id: false },
      ),
    },
    lock: {
      type: new Schema(
        {
          owner: { type: String, required: true },
          until: { type: Date, required: true },
        },
        { _id: false },
      ),
    },
  },
  { timestamps: true, versionKey: false, strict: 'throw' },
);

GroupGrantsSchema.index({ bridgeUserId: 1 });
