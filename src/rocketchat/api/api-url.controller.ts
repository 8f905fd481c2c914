import { All, Controller, Req, Res, UseFilters } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { enforceRateLimit, RateLimiter } from '../../security/index.js';
import { SessionService } from '../../session/index.js';
import { TokenLifecycle } from '../tokens/token-lifecycle.service.js';
import { isMobileAppNativeRequest } from './mobile-app.js';
import { requestClient } from './request-client.js';
import { RocketChatOrigins } from './rocketchat-origins.js';
import { RocketChatApiFilter } from './rocketchat-api.filter.js';

/**
 * Rocket.Chat's "API URL" (Accounts › Iframe › API URL, method POST by default, GET allowed):
 * `200 {"loginToken": ...}` (or `{"token": ...}` with the legacy strategy, never both) for a
 * browser with a bridge session, else `401`. The origin check comes first, before the session is
 * read or Rocket.Chat called (see RocketChatOrigins); then the per-address rate limit
 * (RATE_LIMIT_API_URL), whose 429 keeps the CORS grant so Rocket.Chat's page can read it. The
 * mobile app's own request (`User-Agent: RC Mobile…`) is answered 401 before all of that.
 */
@Controller('rocketchat')
@UseFilters(RocketChatApiFilter)
export class ApiUrlController {
  constructor(
    private readonly origins: RocketChatOrigins,
    private readonly sessions: SessionService,
    private readonly tokens: TokenLifecycle,
    private readonly limiter: RateLimiter,
  ) {}

  @All('api')
  async apiUrl(
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<FastifyReply> {
    if (
      (request.method === 'GET' || request.method === 'POST') &&
      isMobileAppNativeRequest(request.headers)
    ) {
      return this.origins.answerMobileApp(request, reply);
    }
    const early = this.origins.admit(request, reply);
    if (early) {
      return early;
    }
    await enforceRateLimit(this.limiter, 'api-url', request, reply);
    const session = await this.sessions.resolve(request);
    if (!session) {
      return reply.status(401).send();
    }
    const handOut = await this.tokens.forApiUrl(
      session,
      requestClient(request),
    );
    if (handOut.kind === 'none') {
      return reply.status(401).send();
    }
    return reply
      .status(200)
      .header('content-type', 'application/json; charset=utf-8')
      .send(JSON.stringify({ [handOut.field]: handOut.token }));
  }
}
