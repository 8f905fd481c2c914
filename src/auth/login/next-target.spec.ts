import { describe, expect, it } from 'vitest';
import { loginUrl, safeNext, withPopupFlag } from './next-target.js';

const ORIGIN = 'https://sso.example.org';

/**
 * Open-redirect payloads, written for this project after the categories of the security checklist
 * (RDR-1/RDR-2; oauth2-proxy's corpus and its CVEs): other hosts, scheme tricks, backslashes,
 * whitespace and control characters, encoded slashes, user info, look-alike characters.
 */
const HOSTILE = [
  '//evil.example',
  '///evil.example',
  '////evil.example/path',
  'https://evil.example',
  'http://evil.example/rocketchat/redirect',
  'https:evil.example',
  'https:/evil.example',
  '/\\evil.example',
  '\\\\evil.example',
  '\\/evil.example',
  '/\t/evil.example',
  '/ /evil.example',
  '/\n/evil.example',
  '/%09/evil.example',
  '/%2F/evil.example',
  '/%2f%2fevil.example',
  '%2F%2Fevil.example',
  '/%5Cevil.example',
  '/%5cevil.example',
  '/%252F%252Fevil.example',
  '/..//evil.example',
  '/.//evil.example',
  'javascript:alert(1)',
  'JaVaScRiPt:alert(1)',
  ' javascript:alert(1)',
  'data:text/html,<script>alert(1)</script>',
  'vbscript:msgbox(1)',
  'https://sso.example.org@evil.example',
  'https://sso.example.org.evil.example',
  'https://a@b@evil.example',
  '//sso.example.org@evil.example',
  'https://evil.example#@sso.example.org',
  'http://sso.example.org/rocketchat/redirect',
  'https://sso.example.org:444/rocketchat/redirect',
  '\uff0f\uff0fevil.example',
  '/rocketchat/redirect\r\nSet-Cookie: x=y',
  '/rocketchat/redirect%0d%0aSet-Cookie:%20x=y',
  '%0d%0aSet-Cookie:x=y',
  '/x\u0000y',
  '/x%00y',
  '/x%C2%85y',
  'rocketchat/redirect',
  '.',
  '',
  '/' + 'a'.repeat(1100),
];

describe('safeNext', () => {
  it.each(HOSTILE)('should refuse %j', (payload) => {
    expect(safeNext(payload, ORIGIN)).toBeUndefined();
  });

  it('should return only paths that stay on whichever origin resolves them (never protocol-relative)', () => {
    const accepted = [
      '/rocketchat/redirect',
      '/a/b/..//c',
      '/a//b',
      '/%2e%2e/x',
      '/x?next=//evil.example',
    ].map((payload) => safeNext(payload, ORIGIN) ?? '');
    expect(
      accepted.map((path) => new URL(path, 'https://other.example').origin),
    ).toEqual(accepted.map(() => 'https://other.example'));
    expect(
      accepted.every((path) => path.startsWith('/') && !path.startsWith('//')),
    ).toBe(true);
  });

  it.each([
    ['/rocketchat/redirect', '/rocketchat/redirect'],
    ['/rocketchat/redirect?x=1#top', '/rocketchat/redirect?x=1#top'],
    ['/a/%2e%2e/%2e%2e/x', '/x'],
    ['/a/../../rocketchat/redirect', '/rocketchat/redirect'],
    ['/ok?x=https://evil.example', '/ok?x=https://evil.example'],
    ['/@evil.example', '/@evil.example'],
    ['/caf%C3%A9', '/caf%C3%A9'],
  ])('should accept the same-origin path %j as %j', (payload, expected) => {
    expect(safeNext(payload, ORIGIN)).toBe(expected);
  });

  it('should refuse anything that is not a string', () => {
    for (const value of [undefined, null, 1, ['/a'], { a: '/a' }]) {
      expect(safeNext(value, ORIGIN)).toBeUndefined();
    }
  });
});

describe('withPopupFlag and loginUrl', () => {
  it('should add popup=1 to the target and keep its query', () => {
    expect(withPopupFlag('/rocketchat/redirect', ORIGIN)).toBe(
      '/rocketchat/redirect?popup=1',
    );
    expect(withPopupFlag('/x?a=1#f', ORIGIN)).toBe('/x?a=1&popup=1#f');
  });

  it('should build login links with an encoded next and the popup flag', () => {
    expect(loginUrl('/rocketchat/redirect')).toBe('/login');
    expect(loginUrl('/rocketchat/redirect', true)).toBe('/login?popup=1');
    expect(loginUrl('/a?b=c&d')).toBe('/login?next=%2Fa%3Fb%3Dc%26d');
  });
});
