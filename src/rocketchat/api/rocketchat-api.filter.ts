import {
  type ArgumentsHost,
  Catch,
  type ExceptionFilter,
  HttpException,
  Logger,
} from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { describeMongoError } from '../../database/index.js';
import { SessionStoreUnavailableError } from '../../session/index.js';
import {
  RocketChatError,
  retryAfterSeconds,
} from '../client/rocketchat.errors.js';
import { RocketChatAccountRefusedError } from '../provisioning/provisioning.errors.js';
import {
  RocketChatDatabaseError,
  TokenMintingRefusedError,
} from '../tokens/token.errors.js';
import { TokenDecryptionError } from '../tokens/token-cipher.js';

/**
 * Errors of the API URL and the Rocket.Chat logout endpoint, as Rocket.Chat's web client needs
 * them: never a 200 without a token. A user who may not have a Rocket.Chat login gets 401 (the
 * login page then explains); anything that may work later gets 503 with Retry-After. The CORS
 * headers set before the failure stay on the answer, so the client can read it.
 */
@Catch()
export class RocketChatApiFilter implements ExceptionFilter {
  private readonly logger = new Logger(RocketChatApiFilter.name);

  catch(error: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    void reply.header('cache-control', 'no-store');
    if (error instanceof RocketChatAccountRefusedError) {
      this.logger.warn(
        `No Rocket.Chat login (${error.reason}): ${error.message}`,
      );
      void reply.status(401).send();
      return;
    }
    if (error instanceof HttpException && error.getStatus() < 500) {
      void reply.status(error.getStatus()).send();
      return;
    }
    const known = describeFailure(error);
    if (known === undefined) {
      this.logger.error(
        `Unexpected failure on ${request.method} ${request.routeOptions?.url ?? '?'}: ${
          error instanceof Error ? error.name : 'unknown error'
        }`,
      );
    } else if (error instanceof TokenMintingRefusedError) {
      this.logger.error(known);
    } else {
      this.logger.warn(known);
    }
    void reply
      .status(503)
      .header('retry-after', String(retryAfterSeconds(error)))
      .send({ error: 'Rocket.Chat login temporarily unavailable' });
  }
}

/** A log line for the failures the Rocket.Chat routes know, without request data or secrets. */
export function describeFailure(error: unknown): string | undefined {
  if (
    error instanceof RocketChatError ||
    error instanceof TokenMintingRefusedError ||
    error instanceof RocketChatDatabaseError ||
    error instanceof TokenDecryptionError
  ) {
    return error.message;
  }
  if (error instanceof SessionStoreUnavailableError) {
    return `Session store unavailable: ${describeMongoError(error.cause)}`;
  }
  if (error instanceof Error && /^Mongo|^Mongoose/.test(error.name)) {
    return `MongoDB unavailable: ${describeMongoError(error)}`;
  }
  return undefined;
}
