export type BreakerState = 'closed' | 'open' | 'half-open';

export interface BreakerOptions {
  /** Failures within `windowMs` that open the breaker. */
  readonly failures: number;
  readonly windowMs: number;
  /** How long it stays open before one probe call is let through. */
  readonly cooldownMs: number;
  readonly now?: () => number;
}

/** What `admit` decided: go ahead (maybe as the half-open probe), or fail fast. */
export type Admission =
  | { readonly allowed: true; readonly probe: boolean }
  | { readonly allowed: false; readonly retryAfterMs: number };

/**
 * A small circuit breaker: closed while calls succeed; open after `failures` failures within
 * `windowMs` (calls then fail at once, so a dead Rocket.Chat is not hammered and logins answer in
 * milliseconds); after `cooldownMs` one probe goes through, and its outcome closes or re-opens it.
 */
export class CircuitBreaker {
  private recent: number[] = [];
  private openedAt = 0;
  private current: BreakerState = 'closed';
  private probing = false;
  private readonly now: () => number;

  constructor(private readonly options: BreakerOptions) {
    this.now = options.now ?? Date.now;
  }

  get state(): BreakerState {
    return this.current;
  }

  admit(): Admission {
    if (this.current === 'closed') {
      return { allowed: true, probe: false };
    }
    const elapsed = this.now() - this.openedAt;
    if (this.current === 'open' && elapsed >= this.options.cooldownMs) {
      this.current = 'half-open';
    }
    if (this.current === 'half-open' && !this.probing) {
      this.probing = true;
      return { allowed: true, probe: true };
    }
    return {
      allowed: false,
      retryAfterMs: Math.max(this.options.cooldownMs - elapsed, 1000),
    };
  }

  success(): void {
    this.probing = false;
    if (this.current !== 'closed') {
      this.current = 'closed';
      this.recent = [];
    }
  }

  failure(): void {
    const now = this.now();
    if (this.current === 'half-open') {
      this.open(now);
      return;
    }
    this.recent = this.recent.filter((at) => now - at < this.options.windowMs);
    this.recent.push(now);
    if (
      this.current === 'closed' &&
      this.recent.length >= this.options.failures
    ) {
      this.open(now);
    }
  }

  /** A call that was admitted but ended without telling anything about Rocket.Chat's health. */
  release(): void {
    this.probing = false;
  }

  private open(now: number): void {
    this.current = 'open';
    this.openedAt = now;
    this.probing = false;
    this.recent = [];
  }
}
