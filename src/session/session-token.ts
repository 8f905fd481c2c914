import { createHash } from 'node:crypto';
import { randomToken } from '../common/index.js';

/** 32 random bytes: 256 bits, base64url (43 characters). */
const TOKEN_BYTES = 32;
const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

export function newSessionToken(): string {
  return randomToken(TOKEN_BYTES);
}

/** Whether a cookie value could be a token this server issued (checked before any lookup). */
export function isWellFormedToken(value: string): boolean {
  return TOKEN_PATTERN.test(value);
}

/** What the store keeps instead of the token: a database leak does not hand out sessions. */
export function hashSessionToken(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}

/**
 * The session record's `_id` (24 hex digits): the first 96 bits of the token's hash. A cookie is
 * then found by `_id`, the one lookup every MongoDB-compatible server answers from an index
 * (FerretDB v1 scans the collection for any other field); the full hash is still compared.
 */
export function sessionRecordId(tokenHash: string): string {
  return Buffer.from(tokenHash, 'base64url').subarray(0, 12).toString('hex');
}
