import { Injectable } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { SessionCookies } from '../../session/index.js';
import { parseUsername } from '../../users/index.js';
import { DeviceTokens } from './device-tokens.js';

/**
 * The device cookie at the HTTP edge: read for LoginProtection.verify(), and renewed after every
 * successful sign-in (a new nonce each time), with the session cookie's attributes.
 */
@Injectable()
export class DeviceCookie {
  constructor(
    private readonly cookies: SessionCookies,
    private readonly tokens: DeviceTokens,
  ) {}

  read(request: FastifyRequest): string | undefined {
    return this.cookies.readDevice(request);
  }

  /** After `username` signed in: this browser may try that account as a known device. */
  issue(reply: FastifyReply, username: string): void {
    const parsed = parseUsername(username);
    const token = parsed.ok ? this.tokens.issue(parsed.value.key) : undefined;
    if (token) {
      this.cookies.setDevice(reply, token.value, token.maxAgeSeconds);
    }
  }
}
