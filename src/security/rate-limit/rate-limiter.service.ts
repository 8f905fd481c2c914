import { Injectable, Logger } from '@nestjs/common';
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import { InjectConfig, type AppConfig } from '../../config/index.js';
import { addressKey } from '../client-address.js';
import { RateLimitedError } from './rate-limited.error.js';

/**
 * The named policies (RATE_LIMIT_*): `forms` for the bridge's form posts, `api-url` for
 * Rocket.Chat's API URL. Per client address and per replica.
 */
export type RateLimitPolicy = 'forms' | 'api-url';

/**
 * Flood limits: counts requests per policy and client address in this process's memory
 * (rate-limiter-flexible's RateLimiterMemory: a window from an address's first request) and
 * refuses the excess with 429 and Retry-After. In memory on purpose: they stop floods, which
 * each replica can judge alone, and cost no database round trip on every API URL call; the
 * limits that must hold across replicas and restarts (failed logins) are in MongoDB. Routes use
 * the `@RateLimit(policy)` decorator (checked by a global guard before any other guard), or call
 * `enforceRateLimit()` themselves where the 429 needs headers the route sets first (CORS on the
 * API URL); both put the refusal's `Retry-After` on the reply.
 */
@Injectable()
export class RateLimiter {
  private readonly logger = new Logger(RateLimiter.name);
  private readonly limiters: Record<
    RateLimitPolicy,
    RateLimiterMemory | undefined
  >;
  /** One warning per address and policy and minute, however long a flood lasts. */
  private readonly warned = new Map<string, number>();

  constructor(@InjectConfig('app') app: AppConfig) {
    const { forms, apiUrl } = app.security.rateLimits;
    const limiter = (limit: typeof forms) =>
      limit &&
      new RateLimiterMemory({
        points: limit.limit,
        duration: limit.windowMs / 1000,
      });
    this.limiters = { forms: limiter(forms), 'api-url': limiter(apiUrl) };
  }

  /**
   * Counts a request from `clientAddress` (Fastify's `request.ip`) against `policy`; over the
   * limit, throws RateLimitedError (429) with the seconds for `Retry-After`. A policy that is off
   * counts nothing.
   */
  async enforce(
    policy: RateLimitPolicy,
    clientAddress: string | undefined,
  ): Promise<void> {
    const limiter = this.limiters[policy];
    if (!limiter) {
      return;
    }
    const address = addressKey(clientAddress);
    try {
      await limiter.consume(address);
    } catch (refusal) {
      if (!(refusal instanceof RateLimiterRes)) {
        throw refusal;
      }
      const seconds = Math.max(1, Math.ceil(refusal.msBeforeNext / 1000));
      this.warnOnce(policy, address);
      throw new RateLimitedError(policy, seconds);
    }
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
