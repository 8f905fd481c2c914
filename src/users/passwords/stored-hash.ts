import { parseArgon2Phc, type Argon2Phc } from './argon2-phc.js';
import {
  PBKDF2_PREFIX,
  parseDjangoPbkdf2,
  type DjangoPbkdf2,
} from './django-pbkdf2.js';

/** A password hash as stored on a user: our argon2 PHC strings, or Django's PBKDF2 ones (imported). */
export type StoredHash =
  | {
      readonly kind: 'argon2';
      readonly encoded: string;
      readonly phc: Argon2Phc;
    }
  | { readonly kind: 'pbkdf2_sha256'; readonly pbkdf2: DjangoPbkdf2 };

/** Undefined when the hash is of no supported kind, malformed, or asks for hostile costs. */
export function parseStoredHash(stored: string): StoredHash | undefined {
  if (stored.startsWith('$argon2')) {
    const phc = parseArgon2Phc(stored);
    return phc && { kind: 'argon2', encoded: stored, phc };
  }
  if (stored.startsWith(PBKDF2_PREFIX)) {
    const pbkdf2 = parseDjangoPbkdf2(stored);
    return pbkdf2 && { kind: 'pbkdf2_sha256', pbkdf2 };
  }
  return undefined;
}

export type DjangoPasswordCheck =
  | { readonly ok: true; readonly stored: string }
  | { readonly ok: false; readonly reason: string };

const DJANGO_ARGON2_PREFIX = 'argon2$';

/**
 * Turns the `password` field of a Django user into what the bridge stores, or says why it cannot.
 * `pbkdf2_sha256$…` (Django's default) is kept as it is; `argon2$…` (Django's Argon2PasswordHasher,
 * the PHC string behind a prefix) is stored as the PHC string. Both verify at login and are
 * replaced by the bridge's own argon2id hash at the first successful one when below policy.
 * Reasons name the algorithm at most, never any part of the hash.
 */
export function storedHashFromDjango(password: unknown): DjangoPasswordCheck {
  if (typeof password !== 'string') {
    return { ok: false, reason: 'password is missing or not a string' };
  }
  if (password === '' || password.startsWith('!')) {
    return {
      ok: false,
      reason:
        'unusable password (Django marks users who cannot log in with a password with "!")',
    };
  }
  if (password.startsWith(PBKDF2_PREFIX)) {
    return parseDjangoPbkdf2(password)
      ? { ok: true, stored: password }
      : {
          ok: false,
          reason:
            'malformed pbkdf2_sha256 hash, or more iterations than the bridge accepts',
        };
  }
  if (password.startsWith(DJANGO_ARGON2_PREFIX)) {
    const phc = password.slice(DJANGO_ARGON2_PREFIX.length - 1);
    return parseArgon2Phc(phc)
      ? { ok: true, stored: phc }
      : {
          ok: false,
          reason:
            'malformed argon2 hash, or costs beyond what the bridge accepts',
        };
  }
  const algorithm = /^([A-Za-z0-9_]{1,32})\$/.exec(password)?.[1];
  return {
    ok: false,
    reason: algorithm
      ? `unsupported password hash algorithm "${algorithm}" (supported: pbkdf2_sha256, argon2)`
      : 'unsupported password hash format (supported: pbkdf2_sha256, argon2)',
  };
}
