import { describe, expect, it } from 'vitest';
import { oauthErrorCode, sanitiseDescription } from './oidc.errors.js';

describe('provider error text', () => {
  it('should keep an OAuth error code only when it is one', () => {
    expect(oauthErrorCode('access_denied')).toBe('access_denied');
    expect(oauthErrorCode('a b')).toBe('invalid_response');
    expect(oauthErrorCode('x"y')).toBe('invalid_response');
    expect(oauthErrorCode(undefined)).toBe('invalid_response');
    expect(oauthErrorCode('e'.repeat(65))).toBe('invalid_response');
  });

  it("should reduce a description to RFC 6749's characters and 200 of them", () => {
    expect(
      sanitiseDescription('User\u0000 cancelled\r\nthe "login" \\ é'),
    ).toBe('User cancelled the login');
    expect(sanitiseDescription('  ')).toBeUndefined();
    expect(sanitiseDescription(42)).toBeUndefined();
    const long = sanitiseDescription('w '.repeat(300))!;
    expect(long).toHaveLength(200);
    expect(long.endsWith('…')).toBe(true);
  });
});
