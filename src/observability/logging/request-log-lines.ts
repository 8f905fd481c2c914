import { type FastifyReply, type FastifyRequest, LogController } from 'fastify';
import {
  UNMATCHED_ROUTE,
  isProbeRoute,
  pathOf,
  routeLabel,
} from './route-label.js';

/**
 * Fastify's own log lines, made to fit: one line per request when it completes (method, route
 * template, status, duration; the request id comes from Fastify's child logger), never the query
 * string, and probes at debug. A Fastify LogController (Fastify's name for its log hooks), not a
 * Nest controller: it has no routes.
 */
export class RequestLogLines extends LogController {
  constructor() {
    super({ requestIdLogLabel: 'requestId' });
  }

  override incomingRequest(): void {
    // One line per request, written when it completes.
  }

  override requestCompleted(
    error: Error | null | undefined,
    request: FastifyRequest,
    reply: FastifyReply,
  ): void {
    const route = routeLabel(request);
    const status = reply.statusCode;
    const durationMs = Math.round(reply.elapsedTime * 10) / 10;
    const fields: Record<string, unknown> = {
      method: request.method,
      route,
      status,
      durationMs,
      ip: request.ip,
    };
    if (route === UNMATCHED_ROUTE) {
      // Which URL is 404ing (say, a mistyped Iframe URL in Rocket.Chat) matters; its query does not.
      fields.path = pathOf(request.url);
    }
    const text = `${request.method} ${route === UNMATCHED_ROUTE ? String(fields.path) : route} ${status} ${durationMs}ms`;
    if (error) {
      reply.log.warn({ ...fields, err: error }, `${text} (response failed)`);
    } else if (isProbeRoute(route)) {
      reply.log.debug(fields, text);
    } else {
      reply.log.info(fields, text);
    }
  }

  override routeNotFound(request: FastifyRequest): void {
    request.log.debug(
      { method: request.method, path: pathOf(request.url) },
      'route not found',
    );
  }

  override defaultErrorLog(
    error: Error,
    request: FastifyRequest,
    reply: FastifyReply,
  ): void {
    const fields = {
      err: error,
      status: reply.statusCode,
      route: routeLabel(request),
    };
    if (reply.statusCode >= 500) {
      reply.log.error(fields, 'request failed');
    } else {
      reply.log.debug(fields, 'request rejected');
    }
  }
}
