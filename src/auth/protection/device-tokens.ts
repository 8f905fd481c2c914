import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import {
  InjectConfig,
  type AuthConfig,
  type SessionConfig,
} from '../../config/index.js';
import { Clock, randomToken } from '../../common/index.js';

const VERSION = 'd1';
const MAC = /^[A-Za-z0-9_-]{43}$/;

/** A device cookie's value, and how long the browser should keep it. */
export interface IssuedDeviceToken {
  readonly value: string;
  readonly maxAgeSeconds: number;
}

/**
 * The device cookie's value (OWASP, "Slow down online guessing attacks with device cookies"):
 * `d1.<payload>.<HMAC-SHA256>` with a key derived from SESSION_SECRET for this use only; the
 * payload names the normalised username, a random nonce (the device's identity, which its own
 * failures count against) and the expiry. Nothing is stored server-side until the device fails.
 */
@Injectable()
export class DeviceTokens {
  private readonly key: Buffer;

  constructor(
    @InjectConfig('auth') private readonly auth: AuthConfig,
    @InjectConfig('session') session: SessionConfig,
    private readonly clock: Clock,
  ) {
    this.key = Buffer.from(
      hkdfSync('sha256', session.secret, '', 'rcbridge device cookie v1', 32),
    );
  }

  get enabled(): boolean {
    return this.auth.protection.deviceCookieLifetimeMs !== undefined;
  }

  /** A new device token for the account `accountKey` (a normalised username), if enabled. */
  issue(accountKey: string): IssuedDeviceToken | undefined {
    const lifetimeMs = this.auth.protection.deviceCookieLifetimeMs;
    if (lifetimeMs === undefined) {
      return undefined;
    }
    const payload = Buffer.from(
      JSON.stringify({
        u: accountKey,
        n: randomToken(16),
        x: this.clock.now() + lifetimeMs,
      }),
    ).toString('base64url');
    return {
      value: `${VERSION}.${payload}.${this.mac(payload)}`,
      maxAgeSeconds: Math.floor(lifetimeMs / 1000),
    };
  }

  /** The device's nonce when `value` is genuine, unexpired and for `accountKey`; else undefined. */
  verify(value: string | undefined, accountKey: string): string | undefined {
    const parts = value?.split('.') ?? [];
    if (
      !this.enabled ||
      parts.length !== 3 ||
      parts[0] !== VERSION ||
      !MAC.test(parts[2]) ||
      !timingSafeEqual(Buffer.from(parts[2]), Buffer.from(this.mac(parts[1])))
    ) {
      return undefined;
    }
    let data: unknown;
    try {
      data = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
    } catch {
      return undefined;
    }
    const { u, n, x } = (data ?? {}) as Record<string, unknown>;
    return u === accountKey &&
      typeof n === 'string' &&
      typeof x === 'number' &&
      x > this.clock.now()
      ? n
      : undefined;
  }

  private mac(payload: string): string {
    return createHmac('sha256', this.key)
      .update(`${VERSION}.${payload}`)
      .digest('base64url');
  }
}
