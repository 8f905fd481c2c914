import {
  type CanActivate,
  type ExecutionContext,
  Injectable,
} from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { InjectConfig, type AppConfig } from '../../config/index.js';
import { CookiesBlockedError, CsrfRejectedError } from './csrf.errors.js';
import { LoginFlowCookie } from './login-flow.cookie.js';
import { LoginFlowService } from './login-flow.service.js';

/** The form field carrying the CSRF token (never read from the query string). */
export const CSRF_FIELD = 'csrf';

/**
 * For the bridge's state-changing form posts (login, continue, logout), before anything else runs:
 * 1. Fetch Metadata: `Sec-Fetch-Site: same-origin`; without it, `Origin` equal to PUBLIC_URL's.
 *    (Not the Referer: pages send `Referrer-Policy: same-origin`, and with `no-referrer` Chromium
 *    sends `Origin: null` even on a same-origin post.)
 * 2. The login-flow cookie is present, correctly signed and not expired.
 * 3. The form's token is the MAC of that cookie's nonce.
 * The verified flow is then available from LoginFlowCookie.verifiedFlow(request).
 */
@Injectable()
export class CsrfGuard implements CanActivate {
  constructor(
    @InjectConfig('app') private readonly app: AppConfig,
    private readonly flows: LoginFlowService,
    private readonly cookie: LoginFlowCookie,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    if (!this.sameOrigin(request)) {
      throw new CsrfRejectedError('cross-site');
    }
    const token = formField(request.body, CSRF_FIELD);
    const read = this.cookie.read(request);
    if (read.state === 'missing') {
      throw this.flows.looksLikeToken(token)
        ? new CookiesBlockedError()
        : new CsrfRejectedError('missing-cookie');
    }
    if (read.state === 'invalid') {
      throw new CsrfRejectedError('expired-or-invalid');
    }
    if (!this.flows.tokenMatches(read.flow, token)) {
      throw new CsrfRejectedError('bad-token');
    }
    this.cookie.markVerified(request, read.flow);
    return true;
  }

  private sameOrigin(request: FastifyRequest): boolean {
    const site = request.headers['sec-fetch-site'];
    if (site !== undefined) {
      return site === 'same-origin';
    }
    return request.headers.origin === this.app.publicOrigin;
  }
}

/** A single string field of a parsed form body, or undefined (absent, repeated, not a string). */
export function formField(body: unknown, name: string): string | undefined {
  if (typeof body !== 'object' || body === null || !Object.hasOwn(body, name)) {
    return undefined;
  }
  const value = (body as Record<string, unknown>)[name];
  return typeof value === 'string' ? value : undefined;
}
