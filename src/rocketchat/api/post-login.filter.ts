import {
  type ArgumentsHost,
  Catch,
  type ExceptionFilter,
  Logger,
} from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { PageResponder } from '../../web/index.js';
import {
  retryAfterSeconds,
  RocketChatTwoFactorError,
} from '../client/rocketchat.errors.js';
import { TokenMintingRefusedError } from '../tokens/token.errors.js';
import { describeFailure } from './rocketchat-api.filter.js';
import { POST_LOGIN_PATH } from './post-login-page.service.js';

/**
 * Failures of the post-login page as a readable page inside Rocket.Chat's frame (503, "try
 * again"), never a stack trace. The operator's log line says what broke.
 */
@Catch()
export class PostLoginFilter implements ExceptionFilter {
  private readonly logger = new Logger(PostLoginFilter.name);

  constructor(private readonly pages: PageResponder) {}

  catch(error: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    const known = describeFailure(error);
    if (known === undefined) {
      this.logger.error(
        `Unexpected failure of the post-login page: ${error instanceof Error ? error.name : 'unknown error'}`,
      );
    } else if (
      error instanceof TokenMintingRefusedError ||
      error instanceof RocketChatTwoFactorError
    ) {
      this.logger.error(known);
    } else {
      this.logger.warn(known);
    }
    void reply.header('retry-after', String(retryAfterSeconds(error)));
    // Rocket.Chat wants a second factor from the bridge: retrying cannot help, an admin must act.
    const page =
      error instanceof RocketChatTwoFactorError
        ? 'rocketchat.twoFactor'
        : 'rocketchat.unavailable';
    this.pages.send(
      request,
      reply,
      'error',
      {
        pageTitle: 'error.title',
        heading: `${page}.heading`,
        message: `${page}.body`,
        actionUrl: request.url.startsWith(POST_LOGIN_PATH)
          ? request.url
          : POST_LOGIN_PATH,
        actionLabel: 'rocketchat.redirect.retry',
      },
      { status: 503 },
    );
  }
}
