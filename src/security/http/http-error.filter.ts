import {
  type ArgumentsHost,
  Catch,
  type ExceptionFilter,
  HttpException,
  Logger,
} from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { UserStoreUnavailableError } from '../../users/index.js';
import { describeMongoError } from '../../database/index.js';
import { PageResponder, acceptsHtml } from '../../web/index.js';
import {
  SessionStoreUnavailableError,
  SessionStoreUnavailableFilter,
} from '../../session/index.js';
import { ThrottleStoreUnavailableError } from '../../throttle/index.js';
import { genericErrorBody } from './generic-error.js';

/** Which error page (views/error.hbs texts) a browser gets for a status. */
const PAGES: Record<number, string> = {
  404: 'notFound',
  429: 'tooManyRequests',
  500: 'internal',
  503: 'unavailable',
};

/**
 * The last line of defence for every request a route's own filter did not answer (including
 * Fastify's own errors: bad JSON, bodies over the limit, unsupported content types, unknown
 * routes): a generic answer with the request id as correlation id, never a stack trace, a driver
 * message or a quote of the input. Browsers get the error page, other clients
 * `{statusCode, error, message, requestId}`. Store outages are 503 with Retry-After.
 */
@Catch()
export class HttpErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger(HttpErrorFilter.name);
  /** Unexpected errors are logged under the context Nest's own handler uses (existing log queries). */
  private readonly unexpected = new Logger('ExceptionsHandler');
  private readonly sessionStore: SessionStoreUnavailableFilter;

  constructor(private readonly pages: PageResponder) {
    this.sessionStore = new SessionStoreUnavailableFilter(pages);
  }

  catch(error: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    if (reply.sent) {
      return;
    }
    if (error instanceof SessionStoreUnavailableError) {
      // The session module's answer, whichever global filter Nest happens to try first.
      this.sessionStore.catch(error, host);
      return;
    }
    let status: number;
    if (isStoreFailure(error)) {
      this.logger.warn(
        `Store unavailable on ${request.method} ${route(request)}: ${describeMongoError(cause(error))}`,
      );
      void reply.header('retry-after', '10');
      status = 503;
    } else if (error instanceof HttpException) {
      status = error.getStatus();
    } else {
      status = 500;
    }
    if (status >= 500 && !isStoreFailure(error)) {
      // The error object goes to the sanitising serializer (type, message, stack; never an axios
      // config or a driver's connection string).
      this.unexpected.error(
        `Unexpected error on ${request.method} ${route(request)}`,
        error instanceof Error ? error : new Error('non-error thrown'),
      );
    }
    this.respond(request, reply, status);
  }

  private respond(
    request: FastifyRequest,
    reply: FastifyReply,
    status: number,
  ): void {
    const requestId = request.id;
    if (acceptsHtml(request)) {
      const page = PAGES[status] ?? 'badRequest';
      this.pages.send(
        request,
        reply,
        'error',
        {
          pageTitle: 'error.title',
          heading: `error.${page}.heading`,
          message: `error.${page}.body`,
          reference: requestId,
        },
        { status },
      );
      return;
    }
    void reply
      .status(status)
      .header('cache-control', 'no-store')
      .header('content-type', 'application/json; charset=utf-8')
      .send(genericErrorBody(status, requestId));
  }
}

function isStoreFailure(error: unknown): boolean {
  return (
    error instanceof ThrottleStoreUnavailableError ||
    error instanceof UserStoreUnavailableError ||
    (error instanceof Error && error.name.startsWith('Mongo'))
  );
}

function cause(error: unknown): unknown {
  return error instanceof Error && error.cause !== undefined
    ? error.cause
    : error;
}

function route(request: FastifyRequest): string {
  return request.routeOptions?.url ?? 'unmatched route';
}
