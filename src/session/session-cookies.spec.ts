import type { FastifyReply } from 'fastify';
import { describe, expect, it } from 'vitest';
import type { SessionConfig } from '../config/index.js';
import { SessionCookies, readCookie } from './session-cookies.js';

function config(overrides: Partial<SessionConfig>): SessionConfig {
  return {
    cookieName: 'rcbridge_session',
    cookieSameSite: 'lax',
    cookieSecure: true,
    cookiePartitioned: false,
    idleTimeoutMs: 3_600_000,
    absoluteTimeoutMs: 86_400_000,
    touchIntervalMs: 60_000,
    sweepIntervalMs: 600_000,
    secret: 'x'.repeat(40),
    ...overrides,
  };
}

/** Just enough of a Fastify reply to collect Set-Cookie lines. */
function fakeReply(): FastifyReply & { cookies(): string[] } {
  const headers = new Map<string, unknown>();
  const reply = {
    getHeader: (name: string) => headers.get(name),
    removeHeader: (name: string) => {
      headers.delete(name);
      return reply;
    },
    header: (name: string, value: unknown) => {
      headers.set(name, value);
      return reply;
    },
    cookies: () => (headers.get('set-cookie') as string[] | undefined) ?? [],
  };
  return reply as unknown as FastifyReply & { cookies(): string[] };
}

describe('SessionCookies', () => {
  it('should set a __Host- cookie with SameSite=Lax; Secure in the same-site deployment', () => {
    const cookies = new SessionCookies(config({}));
    const reply = fakeReply();
    cookies.setSession(reply, 'T'.repeat(43));
    expect(reply.cookies()).toEqual([
      `__Host-rcbridge_session=${'T'.repeat(43)}; Max-Age=86400; Path=/; HttpOnly; SameSite=Lax; Secure`,
    ]);
  });

  it('should add SameSite=None and Partitioned in the cross-site deployment, also when clearing', () => {
    const cookies = new SessionCookies(
      config({ cookieSameSite: 'none', cookiePartitioned: true }),
    );
    const reply = fakeReply();
    cookies.clearSession(reply);
    cookies.setLogin(reply, 'v1.x.y');
    expect(reply.cookies()).toEqual([
      '__Host-rcbridge_session=; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Path=/; HttpOnly; SameSite=None; Secure; Partitioned',
      '__Host-rcbridge_session_login=v1.x.y; Path=/; HttpOnly; SameSite=None; Secure; Partitioned',
    ]);
  });

  it('should drop the prefix and Secure only for plain-http development', () => {
    const cookies = new SessionCookies(config({ cookieSecure: false }));
    const reply = fakeReply();
    cookies.setLogin(reply, 'v');
    expect(reply.cookies()).toEqual([
      'rcbridge_session_login=v; Path=/; HttpOnly; SameSite=Lax',
    ]);
  });

  it('should keep one line per cookie name when a response sets a cookie twice', () => {
    const cookies = new SessionCookies(config({}));
    const reply = fakeReply();
    cookies.setLogin(reply, 'first');
    cookies.setSession(reply, 'S'.repeat(43));
    cookies.clearLogin(reply);
    const lines = reply.cookies();
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatch(/^__Host-rcbridge_session_login=; Max-Age=0/);
  });
});

describe('readCookie', () => {
  it('should find a cookie among others, quoted or not', () => {
    expect(readCookie('a=1; rc_token=x; sid=abc', 'sid')).toBe('abc');
    expect(readCookie('sid="abc"', 'sid')).toBe('abc');
    expect(readCookie('sid=first; sid=second', 'sid')).toBe('first');
    // Never percent-decoded (the `cookie` package decodes by default): one spelling per value.
    expect(readCookie('sid=a%41', 'sid')).toBe('a%41');
  });

  it('should treat missing, empty, malformed and oversized values as absent', () => {
    expect(readCookie(undefined, 'sid')).toBeUndefined();
    expect(readCookie('', 'sid')).toBeUndefined();
    expect(readCookie('sid=', 'sid')).toBeUndefined();
    expect(readCookie('sid; other=1', 'sid')).toBeUndefined();
    expect(readCookie('xsid=1; sidx=2', 'sid')).toBeUndefined();
    expect(readCookie(`sid=${'a'.repeat(10 * 1024)}`, 'sid')).toBeUndefined();
  });

  it.each([
    ['a NUL', 'sid=a\u0000b'],
    ['a control character', 'sid=a\u007fb'],
    ['a tab', 'sid=a\tb'],
    ['a space', 'sid=a b'],
    ['non-ASCII', 'sid=caf\u00e9'],
    ['a backslash', 'sid=a\\b'],
    ['a quote inside quotes', 'sid="a"b"'],
    ['a lone quote', 'sid="'],
  ])('should treat a value with %s as absent', (_kind, header) => {
    expect(readCookie(header, 'sid')).toBeUndefined();
  });
});
