import { Schema, type Types } from 'mongoose';
import type { AuditKind, AuditOutcome } from './audit-event.js';

export const AUDIT_MODEL = 'AuditEvent';
/** Without MONGO_COLLECTION_PREFIX (`bridge_audit_events` by default). */
export const AUDIT_COLLECTION = 'audit_events';

export type AuditDetail = string | number | boolean | readonly string[];

/** One audit event as stored: the same fields as its JSON log line. */
export interface AuditRecord {
  _id: Types.ObjectId;
  /** UTC. */
  at: Date;
  kind: AuditKind;
  outcome: AuditOutcome;
  userId?: string;
  /** As typed (login) or known, control characters escaped, truncated. */
  username?: string;
  /** The client address (X-Forwarded-For only from a trusted proxy). */
  ip?: string;
  /** Control characters escaped, truncated. */
  userAgent?: string;
  requestId?: string;
  details?: Record<string, AuditDetail>;
  /** Deleted after this (AUDIT_RETENTION): a TTL index where supported, and a periodic sweep. */
  expiresAt: Date;
}

export const AuditSchema = new Schema<AuditRecord>(
  {
    at: { type: Date, required: true },
    kind: { type: String, required: true },
    outcome: { type: String, required: true },
    userId: { type: String },
    username: { type: String },
    ip: { type: String },
    userAgent: { type: String },
    requestId: { type: String },
    details: { type: Schema.Types.Mixed },
    expiresAt: { type: Date, required: true },
  },
  { versionKey: false, strict: 'throw' },
);

AuditSchema.index(
  { expiresAt: 1 },
  { expireAfterSeconds: 0, name: 'expiresAt_ttl' },
);
// Reading the trail: newest first, per user or per kind.
AuditSchema.index({ at: -1 });
AuditSchema.index({ userId: 1, at: -1 });
AuditSchema.index({ kind: 1, at: -1 });
