import type { IncomingHttpHeaders } from 'node:http';
import type { FastifyReply } from 'fastify';

export type OriginDecision =
  | { readonly allowed: true; readonly origin: string | undefined }
  | { readonly allowed: false; readonly reason: string };

const MAX_ORIGIN_LENGTH = 256;
const FETCH_SITES = new Set(['same-origin', 'same-site', 'cross-site']);
/** The only methods and request header the API URL and the logout endpoint accept cross-origin. */
export const CORS_METHODS = 'GET, POST';
export const CORS_HEADERS = 'Content-Type';
const PREFLIGHT_MAX_AGE_SECONDS = '600';

/**
 * Who may call the API URL (and the Rocket.Chat logout endpoint): decided from the request's
 * `Origin` and `Sec-Fetch-Site` alone, before any session is read or Rocket.Chat called. A
 * simple cross-site POST gets no preflight and runs whatever CORS says, so the refusal has to
 * happen here. The origin must be one of the configured Rocket.Chat origins, byte for byte;
 * `null`, several `Origin` headers, `Sec-Fetch-Site: none` (typed into the address bar) and a
 * missing `Origin` are refused, except a same-origin request (the bridge behind Rocket.Chat's own
 * origin, where browsers omit `Origin` on GET).
 */
export function checkOrigin(
  headers: IncomingHttpHeaders,
  allowedOrigins: ReadonlySet<string>,
  ownOrigin: string,
): OriginDecision {
  const raw: unknown = headers.origin;
  const site = headers['sec-fetch-site'];
  if (Array.isArray(raw) || Array.isArray(site)) {
    return {
      allowed: false,
      reason: 'repeated Origin or Sec-Fetch-Site header',
    };
  }
  if (site !== undefined && !FETCH_SITES.has(site)) {
    return { allowed: false, reason: `Sec-Fetch-Site ${site.slice(0, 20)}` };
  }
  if (raw === undefined) {
    return site === 'same-origin' && allowedOrigins.has(ownOrigin)
      ? { allowed: true, origin: undefined }
      : { allowed: false, reason: 'no Origin header' };
  }
  if (typeof raw !== 'string' || raw.length > MAX_ORIGIN_LENGTH) {
    return { allowed: false, reason: 'malformed Origin header' };
  }
  if (!allowedOrigins.has(raw)) {
    return { allowed: false, reason: 'Origin not allowed' };
  }
  if (site === 'same-origin' && raw !== ownOrigin) {
    return { allowed: false, reason: 'Origin contradicts Sec-Fetch-Site' };
  }
  return { allowed: true, origin: raw };
}

/**
 * Who may call the bridge back from the bridge's own pages (the post-login page reporting that
 * Rocket.Chat refused a token): a request whose `Origin` is the bridge's public origin byte for
 * byte and, when the browser says, `Sec-Fetch-Site: same-origin`. Its CSRF defence: no other site
 * can send that `Origin`, and no CORS grant is ever given.
 */
export function checkOwnOrigin(
  headers: IncomingHttpHeaders,
  ownOrigin: string,
): OriginDecision {
  const raw: unknown = headers.origin;
  const site = headers['sec-fetch-site'];
  if (Array.isArray(raw) || Array.isArray(site)) {
    return {
      allowed: false,
      reason: 'repeated Origin or Sec-Fetch-Site header',
    };
  }
  if (raw !== ownOrigin) {
    return {
      allowed: false,
      reason: raw === undefined ? 'no Origin header' : 'Origin not allowed',
    };
  }
  if (site !== undefined && site !== 'same-origin') {
    return { allowed: false, reason: 'not a same-origin request' };
  }
  return { allowed: true, origin: undefined };
}

/** `Vary: Origin` always; the credentialed grant only for an allowed origin, echoed exactly. */
export function applyCors(
  reply: FastifyReply,
  origin: string | undefined,
): void {
  void reply.header('vary', 'Origin');
  if (origin !== undefined) {
    void reply.header('access-control-allow-origin', origin);
    void reply.header('access-control-allow-credentials', 'true');
  }
}

/** A preflight for an allowed origin: fixed lists, never the request's own echoed back. */
export function answerPreflight(
  reply: FastifyReply,
  requestedMethod: unknown,
): FastifyReply {
  if (typeof requestedMethod !== 'string' || requestedMethod === '') {
    return reply.status(400).send();
  }
  return reply
    .status(204)
    .header('access-control-allow-methods', CORS_METHODS)
    .header('access-control-allow-headers', CORS_HEADERS)
    .header('access-control-max-age', PREFLIGHT_MAX_AGE_SECONDS)
    .send();
}
