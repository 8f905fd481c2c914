import { describe, expect, it } from 'vitest';
import { newSessionToken } from '../../src/session/session-token.js';

// Checklist SES-1: session ids of at least 128 bits from a CSPRNG. The ids come out of a pooled
// randomFillSync (src/common/random-pool.ts); a pool handed out twice, or not refilled, shows here.

describe('session ids (SES-1)', () => {
  it('should issue 1000 distinct 256-bit ids, across pool refills, with every byte varying', () => {
    // 32 bytes each: 1000 ids cross the 16 KB pool boundary about twice.
    const ids = Array.from({ length: 1000 }, () => newSessionToken());
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) {
      expect(id).toMatch(/^[A-Za-z0-9_-]{43}$/);
    }
    const bytes = ids.map((id) => Buffer.from(id, 'base64url'));
    expect(bytes.every((b) => b.length === 32)).toBe(true);
    for (let position = 0; position < 32; position += 1) {
      // 1000 random bytes at one position take ~250 values; a wiped (zero) pool would take one.
      const values = new Set(bytes.map((b) => b[position]));
      expect(values.size).toBeGreaterThan(150);
    }
    expect(ids.some((id) => id === 'A'.repeat(43))).toBe(false);
  });
});
