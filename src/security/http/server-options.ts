import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import type { HttpSecurityConfig } from '../../config/index.js';
import { REQUEST_ID_HEADER } from '../../observability/index.js';
import { genericErrorBody } from './generic-error.js';
import { securityHeaders } from './security-headers.hook.js';
import { BODY_LIMIT_BYTES } from './strict-body-parsers.js';

/** Node's default; stated so it is a decision: 16 KB of request line and headers, else 431. */
export const MAX_HEADER_BYTES = 16 * 1024;
/** Path parameters longer than this are refused by the router (414/404), never matched. */
export const MAX_PARAM_LENGTH = 256;
/** Slow headers (slowloris) are cut sooner than a whole request. */
const HEADERS_TIMEOUT_MS = 10_000;

/**
 * The HTTP server's limits, as FastifyAdapter options: body size, header size, timeouts for
 * headers and whole requests (checked every second, not Node's default 30), the trusted proxies.
 * Anything over a limit is refused by the server itself, before any route runs. The router's
 * `maxParamLength` goes into `routerOptions` (see ROUTER_LIMITS), where Fastify 5 wants it.
 */
export function httpServerOptions(security: HttpSecurityConfig) {
  return {
    bodyLimit: BODY_LIMIT_BYTES,
    requestTimeout: security.requestTimeoutMs,
    http: {
      maxHeaderSize: MAX_HEADER_BYTES,
      headersTimeout: Math.min(HEADERS_TIMEOUT_MS, security.requestTimeoutMs),
      connectionsCheckingInterval: 1000,
    },
    // Addresses and CIDRs only (validated in config): never a hop count, never `true`.
    trustProxy:
      security.trustProxy.length > 0 ? [...security.trustProxy] : false,
    frameworkErrors: frameworkErrorAnswer(security),
  } as const;
}

/**
 * Errors the router raises before any route or hook runs (a URL that does not percent-decode, a
 * path parameter over the limit): Fastify's own answer quotes the URL. This one is the generic
 * body, with the request id and the headers every response gets (not frameable).
 */
function frameworkErrorAnswer(security: HttpSecurityConfig) {
  const headers = securityHeaders(security);
  return (
    error: FastifyError,
    request: FastifyRequest,
    reply: FastifyReply,
  ): void => {
    const status =
      typeof error.statusCode === 'number' && error.statusCode >= 400
        ? error.statusCode
        : 400;
    headers(reply);
    void reply
      .status(status)
      .header(REQUEST_ID_HEADER, request.id)
      .header('x-frame-options', 'DENY')
      .header(
        'content-security-policy',
        `${String(reply.getHeader('content-security-policy'))}; frame-ancestors 'none'`,
      )
      .header('content-type', 'application/json; charset=utf-8')
      .header('cache-control', 'no-store')
      .send(genericErrorBody(status, request.id));
  };
}

/** Spread into FastifyAdapter's `routerOptions`. */
export const ROUTER_LIMITS = { maxParamLength: MAX_PARAM_LENGTH } as const;
