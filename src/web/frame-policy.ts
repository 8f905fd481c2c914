import { RouteConfig } from '@nestjs/platform-fastify';
import type { FastifyReply, FastifyRequest, onSendHookHandler } from 'fastify';

/** Fastify route config marking a route whose pages Rocket.Chat may frame. */
export const FRAMEABLE_ROUTE_CONFIG = { frameableByRocketChat: true } as const;

/**
 * Lets the allowed Rocket.Chat origins frame every response of this route (errors included):
 * `Content-Security-Policy: frame-ancestors <origins>` and no `X-Frame-Options` (it cannot name
 * another origin, and would block Rocket.Chat in browsers that prefer it). Every other response
 * gets `frame-ancestors 'none'` and `X-Frame-Options: DENY`. A route that needs its own Fastify
 * route config spreads FRAMEABLE_ROUTE_CONFIG into it instead.
 */
export const Frameable = (): MethodDecorator =>
  RouteConfig(FRAMEABLE_ROUTE_CONFIG);

/** The onSend hook that applies the policy to every response the server sends. */
export function framePolicyHook(
  allowedOrigins: readonly string[],
): onSendHookHandler {
  const allowed = `frame-ancestors ${allowedOrigins.join(' ')}`;
  const denied = "frame-ancestors 'none'";
  return (
    request: FastifyRequest,
    reply: FastifyReply,
    payload: unknown,
    done: (error: Error | null, payload?: unknown) => void,
  ) => {
    const config = request.routeOptions?.config as
      { frameableByRocketChat?: boolean } | undefined;
    if (config?.frameableByRocketChat === true) {
      setFrameAncestors(reply, allowed);
      void reply.removeHeader('x-frame-options');
    } else {
      setFrameAncestors(reply, denied);
      void reply.header('x-frame-options', 'DENY');
    }
    done(null, payload);
  };
}

/** Adds frame-ancestors to a CSP the route already set, or sets a CSP of just that. */
function setFrameAncestors(reply: FastifyReply, directive: string): void {
  const existing = reply.getHeader('content-security-policy');
  if (typeof existing === 'string' && existing.trim() !== '') {
    if (!/(^|;)\s*frame-ancestors\s/i.test(existing)) {
      void reply.header(
        'content-security-policy',
        `${existing.replace(/;\s*$/, '')}; ${directive}`,
      );
    }
    return;
  }
  void reply.header('content-security-policy', directive);
}
