import {
  type CanActivate,
  type ExecutionContext,
  Injectable,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { RATE_LIMIT_POLICY } from './rate-limit.decorator.js';
import { RateLimitedError } from './rate-limited.error.js';
import { RateLimiter, type RateLimitPolicy } from './rate-limiter.service.js';

/** Global guard (registered first): enforces the `@RateLimit()` policy of the route, if any. */
@Injectable()
export class RateLimitGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly limiter: RateLimiter,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const policy = this.reflector.getAllAndOverride<
      RateLimitPolicy | undefined
    >(RATE_LIMIT_POLICY, [context.getHandler(), context.getClass()]);
    if (policy === undefined || context.getType() !== 'http') {
      return true;
    }
    const http = context.switchToHttp();
    await enforceRateLimit(
      this.limiter,
      policy,
      http.getRequest<FastifyRequest>(),
      http.getResponse<FastifyReply>(),
    );
    return true;
  }
}

/**
 * RateLimiter.enforce for a request, at the HTTP edge: a refusal puts `Retry-After` on the reply
 * before RateLimitedError goes on, so any filter that answers with its status keeps the header
 * (and those the route set before, such as CORS on the API URL).
 */
export async function enforceRateLimit(
  limiter: RateLimiter,
  policy: RateLimitPolicy,
  request: Pick<FastifyRequest, 'ip'>,
  reply: FastifyReply,
): Promise<void> {
  try {
    await limiter.enforce(policy, request.ip);
  } catch (error) {
    if (error instanceof RateLimitedError) {
      void reply.header('retry-after', String(error.retryAfterSeconds));
    }
    throw error;
  }
}
