import { hkdfSync } from 'node:crypto';
import { AesGcm } from '../../common/index.js';

const INFO = 'rocketchat-identity-bridge oidc id_token v1';

/** A sealed ID token that cannot be opened: key rotated away, tampered, or bound to another session. */
export class IdTokenUnsealError extends Error {
  constructor() {
    super('A stored ID token could not be opened');
    this.name = 'IdTokenUnsealError';
  }
}

/**
 * AES-256-GCM (common/AesGcm, version `o1`) for ID tokens kept with bridge sessions (the
 * RP-initiated logout's id_token_hint): they carry the person's claims. The key is derived
 * (HKDF-SHA256) from TOKEN_ENCRYPTION_KEY, so it is never the key that encrypts Rocket.Chat
 * tokens, and rotates with it (the previous key still opens). `context` (the session's id) is
 * authenticated: a sealed token copied to another session does not open.
 */
export class IdTokenSealer {
  private readonly aes: AesGcm;

  constructor(currentKey: Buffer, previousKey?: Buffer) {
    this.aes = new AesGcm(
      'o1',
      derive(currentKey),
      previousKey ? derive(previousKey) : undefined,
    );
  }

  seal(idToken: string, context: string): string {
    return this.aes.seal(idToken, context);
  }

  open(sealed: string, context: string): string {
    const idToken = this.aes.open(sealed, context);
    if (idToken === undefined) {
      throw new IdTokenUnsealError();
    }
    return idToken;
  }
}

function derive(master: Buffer): Buffer {
  return Buffer.from(hkdfSync('sha256', master, Buffer.alloc(0), INFO, 32));
}
