import { Injectable, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import {
  type AppConfig,
  InjectConfig,
  type RocketChatConfig,
} from '../../config/index.js';
import { answerPreflight, applyCors, checkOrigin } from './origin-policy.js';

/**
 * The front door of the endpoints Rocket.Chat's pages call cross-origin with credentials (the
 * API URL and the logout endpoint): `Vary: Origin` and `no-store` on every answer, 403 without
 * any CORS grant for an origin that is not a configured Rocket.Chat origin, the exact origin
 * echoed with credentials for one that is, preflights answered with fixed lists, 405 for methods
 * other than GET and POST. Written out here rather than with @fastify/cors, whose options reflect
 * any origin (`origin: true`) and never stop the request itself.
 */
@Injectable()
export class RocketChatOrigins {
  private readonly logger = new Logger(RocketChatOrigins.name);
  private readonly allowed: ReadonlySet<string>;

  constructor(
    @InjectConfig('rocketchat') rocketchat: RocketChatConfig,
    @InjectConfig('app') private readonly app: AppConfig,
  ) {
    this.allowed = new Set(rocketchat.allowedOrigins);
  }

  /** Undefined when the request may go on; otherwise the answer already sent. */
  admit(
    request: FastifyRequest,
    reply: FastifyReply,
  ): FastifyReply | undefined {
    void reply.header('vary', 'Origin').header('cache-control', 'no-store');
    const decision = checkOrigin(
      request.headers,
      this.allowed,
      this.app.publicOrigin,
    );
    if (!decision.allowed) {
      this.logger.warn(
        `Refused ${request.method} ${request.routeOptions?.url ?? request.url}: ${decision.reason}`,
      );
      return reply.status(403).send({ error: 'Origin not allowed' });
    }
    applyCors(reply, decision.origin);
    if (request.method === 'OPTIONS') {
      return answerPreflight(
        reply,
        request.headers['access-control-request-method'],
      );
    }
    if (request.method !== 'GET' && request.method !== 'POST') {
      return reply
        .status(405)
        .header('allow', 'GET, POST, OPTIONS')
        .send({ error: 'Method not allowed' });
    }
    return undefined;
  }

  /**
   * The mobile app's own request (`User-Agent: RC Mobile…`): 401 at once, before the rate limit
   * and without reading any session, since it carries no Origin and (on iOS) none of the login
   * WebView's cookies; the post-login page gives that WebView the token itself. A JSON body, so
   * the app's `response.json()` resolves and it simply finds no token. A CORS grant only for a
   * configured origin (a native request sends none).
   */
  answerMobileApp(request: FastifyRequest, reply: FastifyReply): FastifyReply {
    void reply.header('vary', 'Origin').header('cache-control', 'no-store');
    const decision = checkOrigin(
      request.headers,
      this.allowed,
      this.app.publicOrigin,
    );
    if (decision.allowed) {
      applyCors(reply, decision.origin);
    }
    this.logger.debug(
      `${request.method} ${request.routeOptions?.url ?? request.url}: the Rocket.Chat mobile app's own request, answered 401`,
    );
    return reply
      .status(401)
      .header('content-type', 'application/json; charset=utf-8')
      .send(
        JSON.stringify({
          error: "No session: the app's own request carries no login cookie",
        }),
      );
  }
}
