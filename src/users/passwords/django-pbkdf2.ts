import { pbkdf2, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';

const pbkdf2Async = promisify(pbkdf2);

/**
 * A hash written by Django's default PBKDF2PasswordHasher:
 * `pbkdf2_sha256$<iterations>$<salt>$<base64 of 32 bytes>`, i.e. PBKDF2-HMAC-SHA256 of the UTF-8
 * password with the salt string's UTF-8 bytes as salt and a 32-byte key.
 */
export interface DjangoPbkdf2 {
  readonly iterations: number;
  readonly salt: string;
  readonly hash: Buffer;
}

export const PBKDF2_PREFIX = 'pbkdf2_sha256$';

/**
 * The most iterations a stored hash may ask for. Django 6.0 writes 1,200,000 and raises the
 * number by about a fifth per release; this leaves years of headroom while bounding one check to
 * about a second here (PBKDF2-SHA256 runs at ~200 ms per million iterations on the 2-vCPU test box).
 */
export const PBKDF2_MAX_ITERATIONS = 5_000_000;

const PBKDF2 =
  /^pbkdf2_sha256\$(\d{1,10})\$([^$]{1,128})\$([A-Za-z0-9+/]{43}=)$/;

/** Undefined for anything malformed or out of bounds. */
export function parseDjangoPbkdf2(encoded: string): DjangoPbkdf2 | undefined {
  const match = PBKDF2.exec(encoded);
  if (!match) {
    return undefined;
  }
  const iterations = Number(match[1]);
  if (iterations < 1 || iterations > PBKDF2_MAX_ITERATIONS) {
    return undefined;
  }
  const hash = Buffer.from(match[3], 'base64');
  return hash.length === 32 ? { iterations, salt: match[2], hash } : undefined;
}

/** Recomputes the key on the libuv pool (not the event loop) and compares in constant time. */
export async function verifyDjangoPbkdf2(
  stored: DjangoPbkdf2,
  password: string,
): Promise<boolean> {
  const derived = await pbkdf2Async(
    Buffer.from(password, 'utf8'),
    Buffer.from(stored.salt, 'utf8'),
    stored.iterations,
    stored.hash.length,
    'sha256',
  );
  return timingSafeEqual(derived, stored.hash);
}
