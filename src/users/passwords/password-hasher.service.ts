import { randomBytes } from 'node:crypto';
import { Injectable, type OnModuleInit } from '@nestjs/common';
import { hash as argon2Hash, verify as argon2Verify } from '@node-rs/argon2';
import { InjectConfig, type AuthConfig } from '../../config/index.js';
import {
  ARGON2_HASH_BYTES,
  ARGON2_SALT_BYTES,
  argon2BelowPolicy,
} from './argon2-phc.js';
import { verifyDjangoPbkdf2 } from './django-pbkdf2.js';
import { defaultHashSlots, HashSlots } from './hash-slots.js';
import { parseStoredHash } from './stored-hash.js';

export interface PasswordCheck {
  readonly ok: boolean;
  /** The password matched a hash below the current policy: store a fresh hash of it. */
  readonly needsRehash: boolean;
}

/**
 * Hashes new passwords with argon2id at the configured costs and checks passwords against stored
 * hashes of every supported kind. Each check costs exactly one hash computation whatever the
 * stored value is: a missing, unusable or hostile hash is replaced by a dummy argon2id hash made
 * at start-up with the current costs, so "no such user" takes as long as "wrong password".
 */
@Injectable()
export class PasswordHasher implements OnModuleInit {
  private dummyHash: string | undefined;
  /** Hashing never takes every core (see HashSlots): the event loop keeps one. */
  private readonly slots = new HashSlots(defaultHashSlots());

  constructor(@InjectConfig('auth') private readonly config: AuthConfig) {}

  async onModuleInit(): Promise<void> {
    // A random password nobody knows, so the dummy can never match.
    this.dummyHash = await this.hash(randomBytes(32).toString('base64url'));
  }

  hash(password: string): Promise<string> {
    const { memoryKiB, timeCost, parallelism } = this.config.argon2;
    // The library's defaults are argon2id and version 0x13 (its typings declare the enums as const
    // enums, which isolatedModules cannot read); tests check the encoded result.
    return this.slots.run(() =>
      argon2Hash(password, {
        memoryCost: memoryKiB,
        timeCost,
        parallelism,
        outputLen: ARGON2_HASH_BYTES,
        salt: randomBytes(ARGON2_SALT_BYTES),
      }),
    );
  }

  /** Checks `password` against `stored` (undefined: the user does not exist or has no password). */
  async verify(
    stored: string | undefined,
    password: string,
  ): Promise<PasswordCheck> {
    const parsed = stored === undefined ? undefined : parseStoredHash(stored);
    if (parsed?.kind === 'argon2') {
      const ok = await this.argon2Matches(parsed.encoded, password);
      return {
        ok,
        needsRehash: ok && argon2BelowPolicy(parsed.phc, this.config.argon2),
      };
    }
    if (parsed?.kind === 'pbkdf2_sha256') {
      // Django's hashes are below policy by definition: the first successful login replaces them.
      const ok = await this.slots.run(() =>
        verifyDjangoPbkdf2(parsed.pbkdf2, password),
      );
      return { ok, needsRehash: ok };
    }
    await this.argon2Matches(this.requireDummy(), password);
    return { ok: false, needsRehash: false };
  }

  private async argon2Matches(
    encoded: string,
    password: string,
  ): Promise<boolean> {
    try {
      return await this.slots.run(() => argon2Verify(encoded, password));
    } catch {
      // Malformed despite parsing (base64 the library refuses, say): unusable, never a match, and
      // still one full hash computation.
      await this.slots.run(() => argon2Verify(this.requireDummy(), password));
      return false;
    }
  }

  private requireDummy(): string {
    if (this.dummyHash === undefined) {
      throw new Error('PasswordHasher used before module initialisation');
    }
    return this.dummyHash;
  }
}
