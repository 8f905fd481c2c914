import {
  createCipheriv,
  createDecipheriv,
  createHash,
  randomBytes,
} from 'node:crypto';

const IV_BYTES = 12;
const TAG_BYTES = 16;

interface Key {
  readonly id: string;
  readonly bytes: Buffer;
}

/**
 * AES-256-GCM for secrets kept in MongoDB. Each ciphertext names its key (a short hash of it), so
 * a previous key keeps old records readable after a rotation, and is bound to what it belongs to
 * (`context`, e.g. a session id) as associated data: a ciphertext copied to another record does not
 * open there. Format: `<version>.<key id>.<iv>.<ciphertext>.<tag>` (base64url); the version tells
 * the users of this class apart (Rocket.Chat tokens, OpenID ID tokens).
 */
export class AesGcm {
  private readonly current: Key;
  private readonly keys: ReadonlyMap<string, Key>;

  constructor(
    private readonly version: string,
    currentKey: Buffer,
    previousKey?: Buffer,
  ) {
    this.current = toKey(currentKey);
    const keys = new Map([[this.current.id, this.current]]);
    if (previousKey) {
      const previous = toKey(previousKey);
      keys.set(previous.id, previous);
    }
    this.keys = keys;
  }

  seal(plaintext: string, context: string): string {
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
      this.version,
      this.current.id,
      iv.toString('base64url'),
      body.toString('base64url'),
      cipher.getAuthTag().toString('base64url'),
    ].join('.');
  }

  /** The plaintext, or undefined: another version, an unknown key, tampered, another context. */
  open(sealed: string, context: string): string | undefined {
    const parts = typeof sealed === 'string' ? sealed.split('.') : [];
    const key = parts.length === 5 ? this.keys.get(parts[1]) : undefined;
    if (parts[0] !== this.version || !key) {
      return undefined;
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
      return undefined;
    }
  }

  /** Whether a ciphertext was sealed with a key other than the current one (re-seal it). */
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
