import { HttpException, HttpStatus } from '@nestjs/common';

/**
 * A client address went over a rate-limit policy: 429. `Retry-After` is already on the reply when
 * this reaches a filter (enforceRateLimit sets it at the HTTP edge), so any filter that answers
 * with the status keeps it.
 */
export class RateLimitedError extends HttpException {
  constructor(
    readonly policy: string,
    readonly retryAfterSeconds: number,
  ) {
    super('Too many requests', HttpStatus.TOO_MANY_REQUESTS);
    this.name = 'RateLimitedError';
  }
}
