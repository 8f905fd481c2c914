import {
  createCipheriv,
  createDecipheriv,
  createHash,
  hkdfSync,
  randomBytes,
} from 'node:crypto';

const VERSION = 'o1';
const INFO = 'rocketchat-identity-bridge oidc id_token v1';

/** A sealed ID token that cannot be opened: key rotated away, tampered, or bound to another session. */
export class IdTokenUnsealError extends Error {
  constructor() {
    super('A stored ID token could not be opened');
    this.name = 'IdTokenUnsealError';
  }
}

interface Key {
  readonly id: string;
  readonly bytes: Buffer;
}

/**
 * AES-256-GCM for ID tokens kept with bridge sessions (the RP-initiated logout's id_token_hint):
 * they carry the person's claims. The key is derived (HKDF-SHA256) from TOKEN_ENCRYPTION_KEY, so
 * it is never the key that encrypts Rocket.Chat tokens, and rotates with it (the previous key
 * still opens). `context` (the session's id) is authenticated: a sealed token copied to another
 * session does not open. Format: `o1.<key id>.<iv>.<ciphertext>.<tag>` (base64url).
 * A twin of the Rocket.Chat TokenCipher; the two could move to a common module later.
 */
export class IdTokenSealer {
  private readonly current: Key;
  private readonly keys: ReadonlyMap<string, Key>;

  constructor(currentKey: Buffer, previousKey?: Buffer) {
    this.current = derive(currentKey);
    const keys = new Map([[this.current.id, this.current]]);
    if (previousKey) {
      const previous = derive(previousKey);
      keys.set(previous.id, previous);
    }
    this.keys = keys;
  }

  seal(idToken: string, context: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.current.bytes, iv);
    cipher.setAAD(Buffer.from(context, 'utf8'));
    const body = Buffer.concat([
      cipher.update(idToken, 'utf8'),
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

  open(sealed: string, context: string): string {
    const parts = typeof sealed === 'string' ? sealed.split('.') : [];
    const key = parts.length === 5 ? this.keys.get(parts[1]) : undefined;
    if (parts[0] !== VERSION || !key) {
      throw new IdTokenUnsealError();
    }
    try {
      const decipher = createDecipheriv(
        'aes-256-gcm',
        key.bytes,
        Buffer.from(parts[2], 'base64url'),
        { authTagLength: 16 },
      );
      decipher.setAAD(Buffer.from(context, 'utf8'));
      decipher.setAuthTag(Buffer.from(parts[4], 'base64url'));
      return Buffer.concat([
        decipher.update(Buffer.from(parts[3], 'base64url')),
        decipher.final(),
      ]).toString('utf8');
    } catch {
      throw new IdTokenUnsealError();
    }
  }
}

function derive(master: Buffer): Key {
  const bytes = Buffer.from(
    hkdfSync('sha256', master, Buffer.alloc(0), INFO, 32),
  );
  const id = createHash('sha256').update(bytes).digest('base64url').slice(0, 8);
  return { id, bytes };
}
