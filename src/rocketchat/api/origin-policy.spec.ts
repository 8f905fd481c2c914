import { describe, expect, it } from 'vitest';
import { checkOrigin, checkOwnOrigin } from './origin-policy.js';

const RC = 'https://chat.example.org';
const BRIDGE = 'https://sso.example.org';
const ALLOWED = new Set([RC]);

function decide(headers: Record<string, string | string[]>, allowed = ALLOWED) {
  return checkOrigin(headers, allowed, BRIDGE);
}

describe('checkOrigin', () => {
  it('should allow the exact Rocket.Chat origin, same-site or cross-site', () => {
    expect(decide({ origin: RC })).toEqual({ allowed: true, origin: RC });
    expect(decide({ origin: RC, 'sec-fetch-site': 'same-site' })).toEqual({
      allowed: true,
      origin: RC,
    });
    expect(decide({ origin: RC, 'sec-fetch-site': 'cross-site' })).toEqual({
      allowed: true,
      origin: RC,
    });
  });

  it.each([
    ['https://evil.example'],
    ['null'],
    [''],
    ['https://chat.example.org.evil.net'],
    ['https://evilchat.example.org'],
    ['http://chat.example.org'],
    ['https://chat.example.org:8443'],
    ['https://chat.example.org/'],
    ['HTTPS://CHAT.EXAMPLE.ORG'],
    [`https://chat.example.org${'a'.repeat(8192)}`],
  ])('should refuse the look-alike or malformed origin %s', (origin) => {
    expect(decide({ origin }).allowed).toBe(false);
  });

  it('should refuse repeated Origin headers', () => {
    expect(decide({ origin: [RC, RC] }).allowed).toBe(false);
  });

  it('should refuse a missing Origin unless the request is same-origin on an allowed origin', () => {
    expect(decide({}).allowed).toBe(false);
    expect(decide({ 'sec-fetch-site': 'cross-site' }).allowed).toBe(false);
    expect(decide({ 'sec-fetch-site': 'same-origin' }).allowed).toBe(false);
    expect(
      decide({ 'sec-fetch-site': 'same-origin' }, new Set([RC, BRIDGE])),
    ).toEqual({ allowed: true, origin: undefined });
  });

  it('should refuse user-initiated navigations and contradicting fetch metadata', () => {
    expect(decide({ origin: RC, 'sec-fetch-site': 'none' }).allowed).toBe(
      false,
    );
    expect(
      decide({ origin: RC, 'sec-fetch-site': 'same-origin' }).allowed,
    ).toBe(false);
  });
});

describe('checkOwnOrigin', () => {
  it('should allow only a same-origin request from the bridge itself', () => {
    expect(checkOwnOrigin({ origin: BRIDGE }, BRIDGE).allowed).toBe(true);
    expect(
      checkOwnOrigin(
        { origin: BRIDGE, 'sec-fetch-site': 'same-origin' },
        BRIDGE,
      ).allowed,
    ).toBe(true);
  });

  it.each([
    [{}],
    [{ origin: RC }],
    [{ origin: 'null' }],
    [{ origin: `${BRIDGE}.evil.net` }],
    [{ origin: BRIDGE, 'sec-fetch-site': 'cross-site' }],
    [{ origin: BRIDGE, 'sec-fetch-site': 'same-site' }],
    [{ origin: [BRIDGE, BRIDGE] }],
  ])('should refuse %o', (headers: Record<string, string | string[]>) => {
    expect(checkOwnOrigin(headers, BRIDGE).allowed).toBe(false);
  });
});
