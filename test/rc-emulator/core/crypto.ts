import {
  createHash,
  createHmac,
  randomBytes,
  randomInt,
  scrypt,
  timingSafeEqual,
} from 'node:crypto';

// Alphabets of Meteor's `Random.id()` and `Random.secret()`.
const UNMISTAKABLE = '23456789ABCDEFGHJKLMNPQRSTWXYZabcdefghijkmnopqrstuvwxyz';
const BASE64_URL =
  'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_';

function randomString(length: number, alphabet: string): string {
  let out = '';
  for (let i = 0; i < length; i += 1) {
    out += alphabet[randomInt(alphabet.length)];
  }
  return out;
}

/** A 17-character id like Meteor's `Random.id()` (user `_id`s). */
export function randomId(length = 17): string {
  return randomString(length, UNMISTAKABLE);
}

/** A 43-character secret like Meteor's `Random.secret()` (resume tokens, PATs). */
export function randomSecret(length = 43): string {
  return randomString(length, BASE64_URL);
}

/** `Accounts._hashLoginToken`: base64 of the SHA-256 of the token. */
export function hashLoginToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('base64');
}

export function sha256Hex(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('hex');
}

export function md5Hex(value: string): string {
  return createHash('md5').update(value, 'utf8').digest('hex');
}

// Stand-in for Rocket.Chat's bcrypt(sha256hex(password)): scrypt of the same SHA-256 digest,
// stored in `services.password.bcrypt` so the document keeps Rocket.Chat's shape.
const SCRYPT_PREFIX = 'emulator-scrypt';
const SCRYPT_OPTIONS = { N: 1024, r: 8, p: 1 };

function scryptAsync(digest: string, salt: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(digest, salt, 32, SCRYPT_OPTIONS, (error, key) => {
      if (error) {
        reject(error);
      } else {
        resolve(key);
      }
    });
  });
}

/** Hashes a password given as its lowercase SHA-256 hex digest (what Meteor clients send). */
export async function hashPasswordDigest(digest: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scryptAsync(digest.toLowerCase(), salt);
  return `${SCRYPT_PREFIX}$${salt.toString('base64')}$${key.toString('base64')}`;
}

export function hashPassword(plain: string): Promise<string> {
  return hashPasswordDigest(sha256Hex(plain));
}

export async function verifyPasswordDigest(
  digest: string,
  stored: string | undefined,
): Promise<boolean> {
  if (!stored) {
    return false;
  }
  const [prefix, salt, key] = stored.split('$');
  if (prefix !== SCRYPT_PREFIX || !salt || !key) {
    return false;
  }
  const expected = Buffer.from(key, 'base64');
  const actual = await scryptAsync(
    digest.toLowerCase(),
    Buffer.from(salt, 'base64'),
  );
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

// --- TOTP (RFC 6238, SHA-1, 6 digits, 30 s), as used by Rocket.Chat's TOTP 2FA ---
const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

export function base32Encode(bytes: Buffer): string {
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) {
    out += BASE32[(value << (5 - bits)) & 31];
  }
  return out;
}

export function base32Decode(text: string): Buffer {
  const clean = text.replace(/=+$/, '').toUpperCase();
  let bits = 0;
  let value = 0;
  const out: number[] = [];
  for (const char of clean) {
    const index = BASE32.indexOf(char);
    if (index === -1) {
      continue;
    }
    value = (value << 5) | index;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 255);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

export function newTotpSecret(): string {
  return base32Encode(randomBytes(20));
}

export function totpCode(secret: string, at: number = Date.now()): string {
  const counter = Math.floor(at / 30_000);
  const message = Buffer.alloc(8);
  message.writeBigUInt64BE(BigInt(counter));
  const hmac = createHmac('sha1', base32Decode(secret))
    .update(message)
    .digest();
  const offset = hmac[hmac.length - 1] & 15;
  const binary = hmac.readUInt32BE(offset) & 0x7fffffff;
  return String(binary % 1_000_000).padStart(6, '0');
}

/** Accepts the current code and one step either side, like Rocket.Chat's TOTP check. */
export function verifyTotp(secret: string, code: string): boolean {
  const now = Date.now();
  return [-30_000, 0, 30_000].some(
    (delta) => totpCode(secret, now + delta) === code,
  );
}

export function randomDigits(length: number): string {
  return randomString(length, '0123456789');
}
