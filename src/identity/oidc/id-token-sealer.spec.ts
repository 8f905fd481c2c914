import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { IdTokenSealer, IdTokenUnsealError } from './id-token-sealer.js';

const TOKEN =
  'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhbGljZSIsImVtYWlsIjoiYUBleGFtcGxlLm9yZyJ9.c2ln';

describe('IdTokenSealer', () => {
  const key = randomBytes(32);

  it('should seal and open an ID token bound to its session', () => {
    const sealer = new IdTokenSealer(key);
    const sealed = sealer.seal(TOKEN, 'session-a');
    expect(sealed).toMatch(/^o1\.[\w-]{8}\.[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(sealed).not.toContain(TOKEN.split('.')[1]);
    expect(sealer.open(sealed, 'session-a')).toBe(TOKEN);
    expect(sealer.seal(TOKEN, 'session-a')).not.toBe(sealed);
  });

  it('should refuse another session, a tampered value, and an unknown key', () => {
    const sealer = new IdTokenSealer(key);
    const sealed = sealer.seal(TOKEN, 'session-a');
    expect(() => sealer.open(sealed, 'session-b')).toThrow(IdTokenUnsealError);
    const parts = sealed.split('.');
    parts[3] = `A${parts[3].slice(1)}`;
    expect(() => sealer.open(parts.join('.'), 'session-a')).toThrow(
      IdTokenUnsealError,
    );
    expect(() =>
      new IdTokenSealer(randomBytes(32)).open(sealed, 'session-a'),
    ).toThrow(IdTokenUnsealError);
    expect(() => sealer.open('garbage', 'session-a')).toThrow(
      IdTokenUnsealError,
    );
  });

  it('should open what the previous key sealed after a rotation, and seal with the new one', () => {
    const before = new IdTokenSealer(key).seal(TOKEN, 's');
    const rotated = new IdTokenSealer(randomBytes(32), key);
    expect(rotated.open(before, 's')).toBe(TOKEN);
    expect(rotated.seal(TOKEN, 's').split('.')[1]).not.toBe(
      before.split('.')[1],
    );
  });
});
