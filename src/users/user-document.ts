import type { BridgeUser } from './bridge-user.js';
import type { UserDocument } from './user.schema.js';

const DUPLICATE_KEY = 11000;

/** The source of users with a bridge password (stored as no source at all). */
export const LOCAL_SOURCE = 'local';

/** The unique key of a person at an identity source. */
export function externalKey(source: string, externalId: string): string {
  return `${source}|${externalId}`;
}

export function toBridgeUser(doc: UserDocument): BridgeUser {
  return {
    id: doc._id.toHexString(),
    username: doc.username,
    usernameNormalized: doc.usernameNormalized,
    email: doc.email ?? undefined,
    displayName: doc.displayName ?? undefined,
    active: doc.active,
    hasPassword:
      typeof doc.passwordHash === 'string' && doc.passwordHash !== '',
    createdAt: doc.createdAt,
    updatedAt: doc.updatedAt,
    lastLoginAt: doc.lastLoginAt ?? undefined,
    passwordChangedAt: doc.passwordChangedAt ?? undefined,
    source: doc.source ?? LOCAL_SOURCE,
    externalId: doc.externalId ?? undefined,
    groups: doc.groups ?? [],
  };
}

export function isDuplicateKey(error: unknown): boolean {
  const e = error as { code?: unknown; writeErrors?: { code?: unknown }[] };
  return (
    e?.code === DUPLICATE_KEY ||
    (Array.isArray(e?.writeErrors) &&
      e.writeErrors.some((w) => w?.code === DUPLICATE_KEY))
  );
}
