import { All, Controller, Logger, Req, Res, UseFilters } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { enforceRateLimit, RateLimiter } from '../../security/index.js';
import { SessionService } from '../../session/index.js';
import { RocketChatLoggedOutEvent } from '../events/rocketchat-logged-out.event.js';
import { requestClient } from './request-client.js';
import { RocketChatOrigins } from './rocketchat-origins.js';
import { RocketChatApiFilter } from './rocketchat-api.filter.js';

/**
 * For Rocket.Chat's `Custom_Script_On_Logout` (Administration › Layout › Custom Scripts): the
 * script posts here with the browser's cookies when the person logs out of Rocket.Chat, and the
 * bridge session ends too (announced as any logout, so its Rocket.Chat token is revoked once,
 * and as RocketChatLoggedOutEvent for the audit trail).
 * The strict origin check is its CSRF defence: only the configured Rocket.Chat origins may call
 * it. Always 204, with or without a session.
 */
@Controller('rocketchat')
@UseFilters(RocketChatApiFilter)
export class ReverseLogoutController {
  private readonly logger = new Logger(ReverseLogoutController.name);

  constructor(
    private readonly origins: RocketChatOrigins,
    private readonly sessions: SessionService,
    private readonly limiter: RateLimiter,
    private readonly events: EventEmitter2,
  ) {}

  @All('logout')
  async logout(
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<FastifyReply> {
    const early = this.origins.admit(request, reply);
    if (early) {
      return early;
    }
    // The API URL's budget: both are called by Rocket.Chat's pages, with the browser's cookies.
    await enforceRateLimit(this.limiter, 'api-url', request, reply);
    if (request.method !== 'POST') {
      // A GET must not change state.
      return reply
        .status(405)
        .header('allow', 'POST, OPTIONS')
        .send({ error: 'Method not allowed' });
    }
    const ended = await this.sessions.logout(request, reply);
    if (ended) {
      this.logger.log(
        `Session ${ended.id} of user ${ended.userId} ended: the person logged out of Rocket.Chat`,
      );
      this.events.emit(
        RocketChatLoggedOutEvent.eventName,
        new RocketChatLoggedOutEvent(
          ended.userId,
          ended.id,
          requestClient(request),
        ),
      );
    }
    return reply.status(204).send();
  }
}
