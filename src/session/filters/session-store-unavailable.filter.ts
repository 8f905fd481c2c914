import {
  type ArgumentsHost,
  Catch,
  type ExceptionFilter,
  Logger,
} from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { describeMongoError } from '../../database/index.js';
import {
  acceptsHtml,
  PageResponder,
  UNAVAILABLE_PAGE,
} from '../../web/index.js';
import { SessionStoreUnavailableError } from '../errors/session-store-unavailable.error.js';

/** Seconds a client should wait before retrying; MongoDB reconnects by itself. */
export const RETRY_AFTER_SECONDS = 10;

/**
 * 503 whenever the session store fails, anywhere: an error page for browsers, a small JSON body
 * otherwise. A route with its own needs (CORS headers on the API URL) catches the error first.
 */
@Catch(SessionStoreUnavailableError)
export class SessionStoreUnavailableFilter implements ExceptionFilter {
  private readonly logger = new Logger(SessionStoreUnavailableFilter.name);

  constructor(private readonly pages: PageResponder) {}

  catch(error: SessionStoreUnavailableError, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    this.logger.warn(
      `Session store unavailable on ${request.method} ${request.routeOptions?.url ?? '?'}: ${describeMongoError(error.cause)}`,
    );
    void reply.header('retry-after', String(RETRY_AFTER_SECONDS));
    if (acceptsHtml(request)) {
      this.pages.send(request, reply, 'error', UNAVAILABLE_PAGE, {
        status: 503,
      });
      return;
    }
    void reply.status(503).header('cache-control', 'no-store').send({
      statusCode: 503,
      error: 'Service Unavailable',
      message: 'Sessions are temporarily unavailable; try again shortly',
    });
  }
}
