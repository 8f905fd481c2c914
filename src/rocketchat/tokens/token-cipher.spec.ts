import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { AesGcmCipher, TokenDecryptionError } from './token-cipher.js';

const KEY = randomBytes(32);
const OTHER = randomBytes(32);

describe('AesGcmCipher', () => {
  it('should round-trip a token and never contain it in the sealed form', () => {
    const sut = new AesGcmCipher(KEY);
    const sealed = sut.encrypt('resume-token-value-123', 'session:abc');
    expect(sealed).not.toContain('resume-token-value-123');
    expect(sealed.split('.')).toHaveLength(5);
    expect(sut.decrypt(sealed, 'session:abc')).toBe('resume-token-value-123');
  });

  it('should use a fresh IV every time', () => {
    const sut = new AesGcmCipher(KEY);
    expect(sut.encrypt('t', 'c')).not.toBe(sut.encrypt('t', 'c'));
  });

  it('should refuse a ciphertext moved to another record (context is authenticated)', () => {
    const sut = new AesGcmCipher(KEY);
    const sealed = sut.encrypt('token', 'session:a');
    expect(() => sut.decrypt(sealed, 'session:b')).toThrow(
      TokenDecryptionError,
    );
  });

  it('should refuse a tampered ciphertext', () => {
    const sut = new AesGcmCipher(KEY);
    const parts = sut.encrypt('token', 'c').split('.');
    const body = Buffer.from(parts[3], 'base64url');
    body[0] ^= 1;
    parts[3] = body.toString('base64url');
    expect(() => sut.decrypt(parts.join('.'), 'c')).toThrow(
      TokenDecryptionError,
    );
    expect(() => sut.decrypt('garbage', 'c')).toThrow(TokenDecryptionError);
  });

  it('should still open records of the previous key after a rotation, and flag them stale', () => {
    const before = new AesGcmCipher(OTHER);
    const sealed = before.encrypt('token', 'c');
    const after = new AesGcmCipher(KEY, OTHER);
    expect(after.decrypt(sealed, 'c')).toBe('token');
    expect(after.isStale(sealed)).toBe(true);
    expect(after.isStale(after.encrypt('token', 'c'))).toBe(false);
    expect(() => new AesGcmCipher(KEY).decrypt(sealed, 'c')).toThrow(
      TokenDecryptionError,
    );
  });
});
