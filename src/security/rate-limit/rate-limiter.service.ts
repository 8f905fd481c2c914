import { Injectable, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import {
  InjectConfig,
  type AppConfig,
  type RateLimit,
} from '../../config/index.js';
import { addressKey } from '../client-address.js';
import { ThrottleSubjects, WindowCounter } from '../../throttle/index.js';
import { RateLimitedError } from './rate-limited.error.js';

/**
 * The named policies (RATE_LIMIT_*): `forms` for the bridge's form posts, `api-url` for
 * Rocket.Chat's API URL. Per client address, in sliding windows shared by every replica.
 */
export type RateLimitPolicy = 'forms' | 'api-url';

/**
 * Counts requests per policy and client address and refuses the excess with 429 and
 * Retry-After. Routes use the `@RateLimit(policy)` decorator (checked by a global guard before
 * any other guard), or call `enforce()` themselves where the 429 needs headers the route sets
 * first (CORS on the API URL).
 */
@Injectable()
export class RateLimiter {
  private readonly logger = new Logger(RateLimiter.name);
  private readonly policies: Record<RateLimitPolicy, RateLimit | undefined>;
  /** One warning per address and policy and minute, however long a flood lasts. */
  private readonly warned = new Map<string, number>();

  constructor(
    @InjectConfig('app') app: AppConfig,
    private readonly counter: WindowCounter,
    private readonly subjects: ThrottleSubjects,
  ) {
    this.policies = {
      forms: app.security.rateLimits.forms,
      'api-url': app.security.rateLimits.apiUrl,
    };
  }

  /**
   * Counts this request against `policy`; over the limit, sets `Retry-After` on the reply and
   * throws RateLimitedError (429). A policy that is off counts nothing.
   */
  async enforce(
    policy: RateLimitPolicy,
    request: Pick<FastifyRequest, 'ip'>,
    reply: FastifyReply,
  ): Promise<void> {
    const limit = this.policies[policy];
    if (!limit) {
      return;
    }
    const address = addressKey(request.ip);
    const generation = await this.subjects.addressGeneration(address);
    const claim = await this.counter.claim({
      key: `i|${address}|${generation}|rate:${policy}`,
      limit: limit.limit,
      windowMs: limit.windowMs,
    });
    if (claim.ok) {
      return;
    }
    const seconds = Math.ceil(claim.retryAfterMs / 1000);
    this.warnOnce(policy, address);
    void reply.header('retry-after', String(seconds));
    throw new RateLimitedError(policy, seconds);
  }

  private warnOnce(policy: string, address: string): void {
    const key = `${policy}|${address}`;
    const now = Date.now();
    if ((this.warned.get(key) ?? 0) > now) {
      return;
    }
    if (this.warned.size > 10_000) {
      this.warned.clear();
    }
    this.warned.set(key, now + 60_000);
    this.logger.warn(`Rate limit ${policy} reached by ${address}`);
  }
}
