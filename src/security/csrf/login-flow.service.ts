import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectConfig, type SessionConfig } from '../../config/index.js';
import { Clock, randomToken } from '../../common/index.js';
import type { LoginFlow, LoginFlowRead } from './login-flow.js';

/** How long a served login form stays usable. */
export const LOGIN_FLOW_LIFETIME_MS = 2 * 3600 * 1000;
const VERSION = 'v1';
const TOKEN = /^[A-Za-z0-9_-]{43}$/;

/**
 * Issues and verifies the login flow's signed value (HMAC-SHA256 with a key derived from
 * SESSION_SECRET), which the browser keeps in the login-flow cookie (LoginFlowCookie), and the
 * CSRF tokens bound to it.
 */
@Injectable()
export class LoginFlowService {
  private readonly cookieKey: Buffer;
  private readonly csrfKey: Buffer;

  constructor(
    @InjectConfig('session') config: SessionConfig,
    private readonly clock: Clock,
  ) {
    // Separate keys per use, so a value signed for one purpose is never valid for the other.
    this.cookieKey = derive(config.secret, 'rcbridge login-flow cookie v1');
    this.csrfKey = derive(config.secret, 'rcbridge csrf token v1');
  }

  /**
   * Starts (or refreshes) the flow for a served page, given the value the browser kept, and
   * returns the value to keep now. A still-valid flow keeps its nonce, so forms open in other
   * tabs stay valid.
   */
  start(
    current: string | undefined,
    target: { next: string; popup: boolean },
  ): { readonly flow: LoginFlow; readonly value: string } {
    const read = this.read(current);
    const flow: LoginFlow = {
      nonce: read.state === 'valid' ? read.flow.nonce : randomToken(16),
      next: target.next,
      popup: target.popup,
      issuedAt: this.clock.now(),
    };
    return { flow, value: this.seal(flow) };
  }

  /** What a kept value says: no flow, a forged or expired one, or a valid one. */
  read(value: string | undefined): LoginFlowRead {
    if (value === undefined) {
      return { state: 'missing' };
    }
    const flow = this.unseal(value);
    return flow ? { state: 'valid', flow } : { state: 'invalid' };
  }

  csrfToken(flow: LoginFlow): string {
    return this.mac(this.csrfKey, flow.nonce);
  }

  tokenMatches(flow: LoginFlow, token: unknown): boolean {
    return (
      typeof token === 'string' &&
      TOKEN.test(token) &&
      timingSafeEqual(Buffer.from(token), Buffer.from(this.csrfToken(flow)))
    );
  }

  /** Whether a value has the shape of a CSRF token (tells "cookies blocked" from a bare forgery). */
  looksLikeToken(token: unknown): boolean {
    return typeof token === 'string' && TOKEN.test(token);
  }

  private seal(flow: LoginFlow): string {
    const payload = Buffer.from(
      JSON.stringify({
        n: flow.nonce,
        x: flow.next,
        p: flow.popup ? 1 : 0,
        t: flow.issuedAt,
      }),
    ).toString('base64url');
    return `${VERSION}.${payload}.${this.mac(this.cookieKey, `${VERSION}.${payload}`)}`;
  }

  private unseal(value: string): LoginFlow | undefined {
    const parts = value.split('.');
    if (parts.length !== 3 || parts[0] !== VERSION || !TOKEN.test(parts[2])) {
      return undefined;
    }
    const expected = this.mac(this.cookieKey, `${parts[0]}.${parts[1]}`);
    if (!timingSafeEqual(Buffer.from(parts[2]), Buffer.from(expected))) {
      return undefined;
    }
    let data: unknown;
    try {
      data = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
    } catch {
      return undefined;
    }
    const { n, x, p, t } = (data ?? {}) as Record<string, unknown>;
    if (
      typeof n !== 'string' ||
      typeof x !== 'string' ||
      typeof t !== 'number' ||
      (p !== 0 && p !== 1)
    ) {
      return undefined;
    }
    const age = this.clock.now() - t;
    // A minute of tolerance for clocks of several instances that disagree slightly.
    if (age < -60_000 || age > LOGIN_FLOW_LIFETIME_MS) {
      return undefined;
    }
    return { nonce: n, next: x, popup: p === 1, issuedAt: t };
  }

  private mac(key: Buffer, value: string): string {
    return createHmac('sha256', key).update(value).digest('base64url');
  }
}

function derive(secret: string, purpose: string): Buffer {
  return Buffer.from(hkdfSync('sha256', secret, '', purpose, 32));
}
