import { createHash, randomBytes } from 'node:crypto';

/** A login token handed to a browser, with the hash Rocket.Chat stores for it. */
export interface MintedToken {
  readonly token: string;
  readonly hashedToken: string;
}

/** Meteor's `Accounts._hashLoginToken`: base64 of the SHA-256 of the token. */
export function hashLoginToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('base64');
}

/** Like Meteor's `Random.secret()`: 43 URL-safe characters (256 random bits). */
export function newLoginToken(): MintedToken {
  const token = randomBytes(32).toString('base64url');
  return { token, hashedToken: hashLoginToken(token) };
}
