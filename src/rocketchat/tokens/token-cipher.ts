import {
  createCipheriv,
  createDecipheriv,
  createHash,
  randomBytes,
} from 'node:crypto';
import { Injectable } from '@nestjs/common';
import {
  InjectConfig,
  type RocketChatConfig,
  decodeEncryptionKey,
} from '../../config/index.js';

const VERSION = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** A ciphertext that cannot be opened: wrong key (rotated away), tampered, or bound elsewhere. */
export class TokenDecryptionError extends Error {
  constructor() {
    super('A stored Rocket.Chat token could not be decrypted');
    this.name = 'TokenDecryptionError';
  }
}

interface Key {
  readonly id: string;
  readonly bytes: Buffer;
}

/**
 * AES-256-GCM for Rocket.Chat tokens at rest. Each ciphertext names its key (a short hash of
 * it), so TOKEN_ENCRYPTION_KEY_PREVIOUS keeps old records readable after a rotation, and is bound
 * to what it belongs to (`context`, e.g. the session id) as associated data: a ciphertext copied
 * to another record does not open there. Format: `v1.<key id>.<iv>.<ciphertext>.<tag>` (base64url).
 */
export class AesGcmCipher {
  private readonly current: Key;
  private readonly keys: ReadonlyMap<string, Key>;

  constructor(currentKey: Buffer, previousKey?: Buffer) {
    this.current = toKey(currentKey);
    const keys = new Map([[this.current.id, this.current]]);
    if (previousKey) {
      const previous = toKey(previousKey);
      keys.set(previous.id, previous);
    }
    this.keys = keys;
  }

  encrypt(plaintext: string, context: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.current.bytes, iv, {
      authTagLength: TAG_BYTES,
    });
    cipher.setAAD(Buffer.from(context, 'utf8'));
    const body = Buffer.concat([
      cipher.update(plaintext, 'utf8'),
      cipher.final(),
    ]);
    return [
      VERSION,
      this.current.id,
      iv.toString('base64url'),
      body.toString('base64url'),
      cipher.getAuthTag().toString('base64url'),
    ].join('.');
  }

  decrypt(sealed: string, context: string): string {
    const parts = typeof sealed === 'string' ? sealed.split('.') : [];
    const key = parts.length === 5 ? this.keys.get(parts[1]) : undefined;
    if (parts[0] !== VERSION || !key) {
      throw new TokenDecryptionError();
    }
    try {
      const decipher = createDecipheriv(
        'aes-256-gcm',
        key.bytes,
        Buffer.from(parts[2], 'base64url'),
        { authTagLength: TAG_BYTES },
      );
      decipher.setAAD(Buffer.from(context, 'utf8'));
      decipher.setAuthTag(Buffer.from(parts[4], 'base64url'));
      return Buffer.concat([
        decipher.update(Buffer.from(parts[3], 'base64url')),
        decipher.final(),
      ]).toString('utf8');
    } catch {
      throw new TokenDecryptionError();
    }
  }

  /** Whether a ciphertext was sealed with a key other than the current one (re-encrypt it). */
  isStale(sealed: string): boolean {
    return sealed.split('.')[1] !== this.current.id;
  }
}

function toKey(bytes: Buffer): Key {
  if (bytes.length !== 32) {
    throw new Error('AES-256-GCM needs a 32-byte key');
  }
  const id = createHash('sha256').update(bytes).digest('base64url').slice(0, 8);
  return { id, bytes };
}

/** The configured cipher, as an injectable. */
@Injectable()
export class TokenCipher extends AesGcmCipher {
  constructor(@InjectConfig('rocketchat') config: RocketChatConfig) {
    const { tokenEncryptionKey, previousTokenEncryptionKey } = config.tokens;
    super(
      required(decodeEncryptionKey(tokenEncryptionKey)),
      previousTokenEncryptionKey === undefined
        ? undefined
        : required(decodeEncryptionKey(previousTokenEncryptionKey)),
    );
  }
}

function required(key: Buffer | undefined): Buffer {
  if (!key) {
    // Unreachable after config validation; never echo the value.
    throw new Error('TOKEN_ENCRYPTION_KEY is not a valid key');
  }
  return key;
}
