export interface RateLimitVerdict {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** Milliseconds until the window resets. */
  timeToReset: number;
}

interface Window {
  count: number;
  resetAt: number;
}

/**
 * Meteor's `RateLimiter` as Rocket.Chat's REST API uses it: one counter per (client IP, route
 * + method); the call is counted first, then allowed while the count is within the limit.
 * Windows are fixed and start at a key's first call (Meteor resets per rule; see README).
 */
export class RateLimiter {
  private readonly windows = new Map<string, Window>();

  hit(
    ip: string,
    route: string,
    limit: number,
    windowMs: number,
  ): RateLimitVerdict {
    const now = Date.now();
    const key = `${ip}|${route}`;
    let window = this.windows.get(key);
    if (!window || now >= window.resetAt) {
      window = { count: 0, resetAt: now + windowMs };
      this.windows.set(key, window);
    }
    window.count += 1;
    return {
      allowed: window.count <= limit,
      limit,
      remaining: Math.max(limit - window.count, 0),
      timeToReset: window.resetAt - now,
    };
  }

  reset(): void {
    this.windows.clear();
  }
}

export function rateLimitHeaders(
  verdict: RateLimitVerdict,
): Record<string, string> {
  return {
    'x-ratelimit-limit': String(verdict.limit),
    'x-ratelimit-remaining': String(verdict.remaining),
    'x-ratelimit-reset': String(Date.now() + verdict.timeToReset),
  };
}

export function tooManyRequestsMessage(timeToReset: number): string {
  const seconds = Math.ceil(timeToReset / 1000);
  return `Error, too many requests. Please slow down. You must wait ${seconds} seconds before trying this endpoint again.`;
}
