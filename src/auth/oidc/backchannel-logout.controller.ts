import { Controller, Logger, Post, Req, Res } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import type { FastifyReply, FastifyRequest } from 'fastify';
import {
  BackchannelLogoutError,
  BackchannelLogoutService,
} from '../../identity/index.js';
import { formField, RateLimit } from '../../security/index.js';
import { SessionService } from '../../session/index.js';
import { BackchannelLogoutEvent } from '../events/external-sign-in.event.js';
import { loginClient } from '../login/login-client.js';

/**
 * OpenID Connect Back-Channel Logout 1.0 at PUBLIC_URL/login/oidc/backchannel-logout, for every
 * provider. The provider's server posts `logout_token`; a valid one ends the bridge sessions of
 * that sub or sid (each end is `session.ended`, which revokes the session's Rocket.Chat token):
 * 200. An invalid one changes nothing: 400 (section 2.8). The provider's keys unreachable, or the
 * bridge's store down: 503, so the provider may send it again. No CSRF check (a server-to-server
 * post without cookies; the signed token is the proof); counted against the API URL's rate limit
 * (machine traffic: a provider ending many sessions at once posts many of these).
 */
@Controller('login/oidc')
export class BackchannelLogoutController {
  private readonly logger = new Logger(BackchannelLogoutController.name);

  constructor(
    private readonly backchannel: BackchannelLogoutService,
    private readonly sessions: SessionService,
    private readonly events: EventEmitter2,
  ) {}

  @Post('backchannel-logout')
  @RateLimit('api-url')
  async logout(
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<FastifyReply> {
    const client = loginClient(request);
    void reply.header('cache-control', 'no-store');
    try {
      const valid = await this.backchannel.validate(
        formField(request.body, 'logout_token'),
      );
      const ended = await this.sessions.destroyByProviderSession(
        valid.providerId,
        { sub: valid.sub, sid: valid.sid },
        'provider-logout',
      );
      this.logger.log(
        `Back-channel logout from ${valid.providerId} (${valid.sid ? 'sid' : 'sub'}): ${ended} session(s) ended`,
      );
      this.events.emit(
        BackchannelLogoutEvent.eventName,
        new BackchannelLogoutEvent(client, {
          accepted: true,
          provider: valid.providerId,
          sessions: ended,
        }),
      );
      return reply.status(200).send();
    } catch (error) {
      if (error instanceof BackchannelLogoutError) {
        this.logger.warn(
          `Refused a back-channel logout token (${error.reason}): ${error.message}`,
        );
        this.events.emit(
          BackchannelLogoutEvent.eventName,
          new BackchannelLogoutEvent(client, {
            accepted: false,
            reason: error.reason,
          }),
        );
        if (error.temporary) {
          return unavailable(reply);
        }
        return reply.status(400).send({
          error: 'invalid_request',
          error_description: error.message,
        });
      }
      this.logger.warn(
        `Back-channel logout not processed: ${error instanceof Error ? error.message : 'unknown error'}`,
      );
      return unavailable(reply);
    }
  }
}

function unavailable(reply: FastifyReply): FastifyReply {
  return reply
    .status(503)
    .header('retry-after', '10')
    .send({ error: 'temporarily_unavailable' });
}
