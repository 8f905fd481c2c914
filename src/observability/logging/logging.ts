import type { FastifyInstance } from 'fastify';
import type { DestinationStream, Logger as PinoLogger } from 'pino';
import type { AllConfig, LoggingConfig } from '../../config/index.js';
import { flushOutput } from './bounded-log-stream.js';
import { SecretList, collectSecrets } from './log-sanitizer.js';
import { createPinoLogger } from './logger.factory.js';
import { PinoNestLogger } from './pino-nest-logger.js';
import { requestContext } from './request-context.js';
import { REQUEST_ID_HEADER, requestIdFor } from './request-id.js';
import { RequestLogLines } from './request-log-lines.js';

export interface CreateLoggingOptions {
  /** Where lines go instead of stdout (tests capture them). */
  readonly destination?: DestinationStream;
  /** No output at all. */
  readonly silent?: boolean;
}

/** One process's logging: the pino instance, its Nest face, and its wiring into Fastify. */
export class Logging {
  readonly pino: PinoLogger;
  readonly nestLogger: PinoNestLogger;

  constructor(
    config: LoggingConfig,
    secrets: Iterable<string | undefined> = [],
    options: CreateLoggingOptions = {},
  ) {
    const list = new SecretList();
    list.add(secrets);
    this.pino = createPinoLogger(config, list, options);
    this.nestLogger = new PinoNestLogger(this.pino);
  }

  /** Logging built from the whole configuration: its secrets are masked wherever they appear. */
  static fromConfig(
    config: AllConfig,
    options: CreateLoggingOptions = {},
  ): Logging {
    return new Logging(config.app.logging, collectSecrets(config), options);
  }

  /** Options for `new FastifyAdapter({...})`: our logger, request ids and request log lines. */
  get fastifyOptions(): {
    loggerInstance: PinoLogger;
    logController: RequestLogLines;
    genReqId: typeof requestIdFor;
    requestIdHeader: false;
  } {
    return {
      loggerInstance: this.pino,
      logController: new RequestLogLines(),
      genReqId: requestIdFor,
      requestIdHeader: false,
    };
  }

  /**
   * Hooks that must run before Nest's middleware: call on the adapter's instance before
   * `NestFactory.create()`. They put the request id in the async context of everything the
   * request runs (Fastify carries that context across body parsing itself; a test holds it to
   * that), and return it in `X-Request-Id`.
   */
  attachTo(fastify: FastifyInstance): void {
    fastify.addHook('onRequest', (request, _reply, done) => {
      requestContext.run({ requestId: request.id }, done);
    });
    // onSend, not onRequest: it also runs for replies sent before our onRequest hook (Nest's 503
    // while draining, CORS preflights).
    fastify.addHook('onSend', (request, reply, payload, done) => {
      void reply.header(REQUEST_ID_HEADER, request.id);
      done(null, payload);
    });
  }
}

/**
 * Lets stdout write what it has queued (log lines are written without blocking), at most
 * `timeoutMs`; call before process.exit(), which would drop them. A reader that stalled gets
 * nothing more.
 */
export function flushLogs(timeoutMs: number): Promise<void> {
  return flushOutput(process.stdout, timeoutMs);
}
