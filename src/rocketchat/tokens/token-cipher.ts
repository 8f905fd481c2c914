import { Injectable } from '@nestjs/common';
import { AesGcm } from '../../common/index.js';
import {
  InjectConfig,
  type RocketChatConfig,
  decodeEncryptionKey,
} from '../../config/index.js';

/** A ciphertext that cannot be opened: wrong key (rotated away), tampered, or bound elsewhere. */
export class TokenDecryptionError extends Error {
  constructor() {
    super('A stored Rocket.Chat token could not be decrypted');
    this.name = 'TokenDecryptionError';
  }
}

/**
 * Rocket.Chat tokens at rest: AES-256-GCM (common/AesGcm, version `v1`), with
 * TOKEN_ENCRYPTION_KEY_PREVIOUS keeping old records readable after a rotation and each ciphertext
 * bound to its record (`context`, e.g. the session id).
 */
export class AesGcmCipher {
  private readonly aes: AesGcm;

  constructor(currentKey: Buffer, previousKey?: Buffer) {
    this.aes = new AesGcm('v1', currentKey, previousKey);
  }

  encrypt(plaintext: string, context: string): string {
    return this.aes.seal(plaintext, context);
  }

  decrypt(sealed: string, context: string): string {
    const plaintext = this.aes.open(sealed, context);
    if (plaintext === undefined) {
      throw new TokenDecryptionError();
    }
    return plaintext;
  }

  /** Whether a ciphertext was sealed with a key other than the current one (re-encrypt it). */
  isStale(sealed: string): boolean {
    return this.aes.isStale(sealed);
  }
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
