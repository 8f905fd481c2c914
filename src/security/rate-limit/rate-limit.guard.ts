import {
  type CanActivate,
  type ExecutionContext,
  Injectable,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { RATE_LIMIT_POLICY } from './rate-limit.decorator.js';
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
    await this.limiter.enforce(
      policy,
      http.getRequest<FastifyRequest>(),
      http.getResponse<FastifyReply>(),
    );
    return true;
  }
}
