import { Injectable } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { InjectConfig, type SessionConfig } from '../config/index.js';

/** A cookie value longer than this is ignored: no value the bridge issues comes close. */
const MAX_VALUE_LENGTH = 2048;
/** RFC 6265 cookie-octets: no controls (NUL), whitespace, DQUOTE, comma, backslash or non-ASCII. */
const COOKIE_OCTETS = /^[\x21\x23-\x2B\x2D-\x3A\x3C-\x5B\x5D-\x7E]+$/;
const EXPIRED = 'Thu, 01 Jan 1970 00:00:00 GMT';

/**
 * The bridge's cookies, with one set of attributes: the session cookie (an opaque token), the
 * login-flow cookie (the signed pre-session that binds CSRF tokens) and the device cookie (signed
 * proof of an earlier login in this browser, see auth/'s DeviceTokens). All get `__Host-` when
 * Secure (no Domain, Path=/, so a sibling host cannot plant or shadow them) and, in the cross-site
 * deployment, `SameSite=None; Partitioned`; clearing repeats every attribute, or a partitioned
 * cookie would survive.
 */
@Injectable()
export class SessionCookies {
  readonly sessionName: string;
  readonly loginName: string;
  readonly deviceName: string;
  /** The OpenID sign-in's browser binding (see setBinding). */
  readonly bindingName: string;
  private readonly attributes: string;

  constructor(@InjectConfig('session') private readonly config: SessionConfig) {
    const prefix = config.cookieSecure ? '__Host-' : '';
    this.sessionName = `${prefix}${config.cookieName}`;
    this.loginName = `${prefix}${config.cookieName}_login`;
    this.deviceName = `${prefix}${config.cookieName}_device`;
    this.bindingName = `${prefix}${config.cookieName}_oidc`;
    const sameSite = { lax: 'Lax', strict: 'Strict', none: 'None' }[
      config.cookieSameSite
    ];
    this.attributes = [
      'Path=/',
      'HttpOnly',
      `SameSite=${sameSite}`,
      ...(config.cookieSecure ? ['Secure'] : []),
      ...(config.cookiePartitioned ? ['Partitioned'] : []),
    ].join('; ');
  }

  readSession(request: FastifyRequest): string | undefined {
    return readCookie(request.headers.cookie, this.sessionName);
  }

  readLogin(request: FastifyRequest): string | undefined {
    return readCookie(request.headers.cookie, this.loginName);
  }

  readDevice(request: FastifyRequest): string | undefined {
    return readCookie(request.headers.cookie, this.deviceName);
  }

  /** Kept across logouts and browser restarts: it proves an earlier login, it is no session. */
  setDevice(reply: FastifyReply, value: string, maxAgeSeconds: number): void {
    this.append(reply, `${this.deviceName}=${value}; Max-Age=${maxAgeSeconds}`);
  }

  /** Lives as long as the absolute lifetime; the server enforces the real expiry. */
  setSession(reply: FastifyReply, token: string): void {
    const maxAge = Math.floor(this.config.absoluteTimeoutMs / 1000);
    this.append(reply, `${this.sessionName}=${token}; Max-Age=${maxAge}`);
  }

  clearSession(reply: FastifyReply): void {
    this.append(reply, `${this.sessionName}=; Max-Age=0; Expires=${EXPIRED}`);
  }

  /**
   * A browser-session cookie: its signed issue time expires the form, so a form left open too
   * long comes back as "expired", not as "cookies blocked".
   */
  setLogin(reply: FastifyReply, value: string): void {
    this.append(reply, `${this.loginName}=${value}`);
  }

  clearLogin(reply: FastifyReply): void {
    this.append(reply, `${this.loginName}=; Max-Age=0; Expires=${EXPIRED}`);
  }

  readBinding(request: FastifyRequest): string | undefined {
    return readCookie(request.headers.cookie, this.bindingName);
  }

  /**
   * Binds an OpenID sign-in to this browser until the provider sends it back (config refuses
   * SameSite=Strict with providers: that redirect is cross-site); lives as long as the sign-in may.
   */
  setBinding(reply: FastifyReply, value: string, maxAgeSeconds: number): void {
    this.append(
      reply,
      `${this.bindingName}=${value}; Max-Age=${maxAgeSeconds}`,
    );
  }

  clearBinding(reply: FastifyReply): void {
    this.append(reply, `${this.bindingName}=; Max-Age=0; Expires=${EXPIRED}`);
  }

  private append(reply: FastifyReply, cookie: string): void {
    const line = `${cookie}; ${this.attributes}`;
    const existing = reply.getHeader('set-cookie');
    if (existing === undefined) {
      void reply.header('set-cookie', [line]);
      return;
    }
    // Setting a cookie twice in one response keeps only the last line for that name.
    const name = cookie.slice(0, cookie.indexOf('='));
    const lines = (Array.isArray(existing) ? existing : [existing]).map(String);
    void reply.removeHeader('set-cookie');
    void reply.header('set-cookie', [
      ...lines.filter((l) => !l.startsWith(`${name}=`)),
      line,
    ]);
  }
}

/**
 * The first value of `name` in a Cookie header, or undefined. Empty, oversized or non-octet
 * values and malformed pairs read as absent, never an error: whatever a client sends, it only
 * means "no such cookie". No percent-decoding: a value has one spelling. (Hand-written rather
 * than the `cookie` package: see docs/architecture.md, "Libraries and hand-written pieces".)
 */
export function readCookie(
  header: string | undefined,
  name: string,
): string | undefined {
  if (!header) {
    return undefined;
  }
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq === -1 || part.slice(0, eq).trim() !== name) {
      continue;
    }
    let value = part.slice(eq + 1).trim();
    if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) {
      value = value.slice(1, -1);
    }
    return value.length <= MAX_VALUE_LENGTH && COOKIE_OCTETS.test(value)
      ? value
      : undefined;
  }
  return undefined;
}
