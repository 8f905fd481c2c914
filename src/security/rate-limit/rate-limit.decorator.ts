import { SetMetadata } from '@nestjs/common';
import type { RateLimitPolicy } from './rate-limiter.service.js';

export const RATE_LIMIT_POLICY = 'rcbridge:rate-limit-policy';

/**
 * Counts every request of this route (or controller) against a named policy per client address;
 * over the limit it is answered 429 with Retry-After before any other guard runs.
 */
export const RateLimit = (
  policy: RateLimitPolicy,
): MethodDecorator & ClassDecorator => SetMetadata(RATE_LIMIT_POLICY, policy);
