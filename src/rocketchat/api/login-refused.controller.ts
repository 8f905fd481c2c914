import {
  Body,
  Controller,
  Logger,
  Post,
  Req,
  Res,
  UseFilters,
} from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { type AppConfig, InjectConfig } from '../../config/index.js';
import { enforceRateLimit, RateLimiter } from '../../security/index.js';
import { SessionService } from '../../session/index.js';
import { TokenRetirement } from '../tokens/token-retirement.service.js';
import { checkOwnOrigin } from './origin-policy.js';
import { RocketChatApiFilter } from './rocketchat-api.filter.js';

export const LOGIN_REFUSED_PATH = '/rocketchat/refused';
/** Meteor's hashed login token: base64 of a SHA-256. */
const TOKEN_REF = /^[A-Za-z0-9+/]{43}=$/;

/**
 * `POST /rocketchat/refused {"token": <hashed token>}`: the post-login page in Rocket.Chat's
 * frame reports that Rocket.Chat answered `login-error` to the token it posted. That token is
 * dead to Rocket.Chat (say, a logout there destroyed it): the bridge revokes it and the login page
 * asks ("Continue as") before another one is issued. Only the bridge's own pages may call it
 * (checkOwnOrigin), and only the session's current token can be named. Always 204 otherwise.
 */
@Controller('rocketchat')
@UseFilters(RocketChatApiFilter)
export class LoginRefusedController {
  private readonly logger = new Logger(LoginRefusedController.name);

  constructor(
    @InjectConfig('app') private readonly app: AppConfig,
    private readonly sessions: SessionService,
    private readonly retirement: TokenRetirement,
    private readonly limiter: RateLimiter,
  ) {}

  @Post('refused')
  async refused(
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @Body() body: unknown,
  ): Promise<FastifyReply> {
    void reply.header('cache-control', 'no-store');
    const decision = checkOwnOrigin(request.headers, this.app.publicOrigin);
    if (!decision.allowed) {
      this.logger.warn(
        `Refused POST ${LOGIN_REFUSED_PATH}: ${decision.reason}`,
      );
      return reply.status(403).send({ error: 'Origin not allowed' });
    }
    await enforceRateLimit(this.limiter, 'api-url', request, reply);
    const token = (body as { token?: unknown } | null)?.token;
    if (typeof token !== 'string' || !TOKEN_REF.test(token)) {
      return reply
        .status(400)
        .send({ error: 'Expected {"token": <hashed token>}' });
    }
    const session = await this.sessions.resolve(request);
    if (session) {
      await this.retirement.refused(session, token);
    }
    return reply.status(204).send();
  }
}
