import type { FastifyReply, FastifyRequest, onSendHookHandler } from 'fastify';
import type { HttpSecurityConfig } from '../../config/index.js';
import { FALLBACK_CONTENT_SECURITY_POLICY } from '../../web/index.js';

/** Features no bridge page uses, denied to it and to anything it could embed. */
export const PERMISSIONS_POLICY = [
  'accelerometer=()',
  'camera=()',
  'display-capture=()',
  'geolocation=()',
  'gyroscope=()',
  'magnetometer=()',
  'microphone=()',
  'payment=()',
  'usb=()',
].join(', ');

/**
 * The headers every response gets, errors, 404s and assets included (registered before the frame
 * policy hook, which then adds `frame-ancestors` to whatever CSP is set):
 * - `X-Content-Type-Options: nosniff`, `Permissions-Policy`,
 *   `Cross-Origin-Resource-Policy: same-origin` (Rocket.Chat's fetch of the API URL is a CORS
 *   request, to which CORP does not apply);
 * - `Referrer-Policy: same-origin` unless the route set one (never `no-referrer`: with it Chromium
 *   sends `Origin: null` on the login form's own post, which the CSRF check must refuse);
 * - no `Cross-Origin-Opener-Policy`: the login window opened from Rocket.Chat's frame (cookies
 *   blocked) must keep `window.opener` on every page it may land on, and any COOP other than
 *   unsafe-none on such a page severs it (seen in Chromium); the login pages could never carry
 *   it, and on the other pages it would protect next to nothing;
 * - HSTS when PUBLIC_URL is https (HSTS_MAX_AGE);
 * - a CSP that allows nothing where the route set none (pages set their nonce policy);
 * - never `X-Powered-By`.
 */
export function securityHeadersHook(
  security: Pick<HttpSecurityConfig, 'hsts'>,
): onSendHookHandler {
  const apply = securityHeaders(security);
  return (
    _request: FastifyRequest,
    reply: FastifyReply,
    payload: unknown,
    done: (error: Error | null, payload?: unknown) => void,
  ) => {
    apply(reply);
    done(null, payload);
  };
}

/** Sets the headers above on a reply (also used where Fastify's hooks do not run). */
export function securityHeaders(
  security: Pick<HttpSecurityConfig, 'hsts'>,
): (reply: FastifyReply) => void {
  const hsts = security.hsts
    ? `max-age=${security.hsts.maxAgeSeconds}${security.hsts.includeSubDomains ? '; includeSubDomains' : ''}`
    : undefined;
  return (reply) => {
    void reply.header('x-content-type-options', 'nosniff');
    void reply.header('permissions-policy', PERMISSIONS_POLICY);
    void reply.header('cross-origin-resource-policy', 'same-origin');
    if (!reply.hasHeader('referrer-policy')) {
      void reply.header('referrer-policy', 'same-origin');
    }
    if (hsts !== undefined) {
      void reply.header('strict-transport-security', hsts);
    }
    if (!reply.hasHeader('content-security-policy')) {
      void reply.header(
        'content-security-policy',
        FALLBACK_CONTENT_SECURITY_POLICY,
      );
    }
    void reply.removeHeader('x-powered-by');
  };
}
