import { Injectable } from '@nestjs/common';
import { InjectConfig, type AuthConfig } from '../../config/index.js';
import { Clock } from '../../common/index.js';
import {
  ThrottleSubjects,
  WindowCounter,
  type CounterSpec,
} from '../../throttle/index.js';

/**
 * The failure budget of a client address (Authelia's `ip` mode, the checklist's credential
 * stuffing defence): LOGIN_IP_MAX_FAILURES failed logins within LOGIN_IP_WINDOW, against any
 * accounts, and further attempts get 429 before any password is checked. Spraying one password
 * over many names is stopped here without locking any of those accounts.
 */
@Injectable()
export class AddressFailures {
  /** Counters recorded as throttled, and until when (one write per episode, not per request). */
  private readonly marked = new Map<string, number>();

  constructor(
    @InjectConfig('auth') private readonly config: AuthConfig,
    private readonly subjects: ThrottleSubjects,
    private readonly counter: WindowCounter,
    private readonly clock: Clock,
  ) {}

  /** Seconds to wait when the address is over its budget; undefined when it may try. */
  async refusal(address: string): Promise<number | undefined> {
    const spec = await this.spec(address);
    if (!spec) {
      return undefined;
    }
    const refused = await this.counter.refusal(spec);
    if (!refused) {
      return undefined;
    }
    const now = this.clock.now();
    // Per generation: after an operator's clear, a new episode is recorded again.
    if ((this.marked.get(spec.key) ?? 0) < now) {
      if (this.marked.size > 10_000) {
        this.marked.clear();
      }
      const until = now + refused.retryAfterMs;
      this.marked.set(spec.key, until);
      await this.subjects.markAddressThrottled(address, until);
    }
    return Math.ceil(refused.retryAfterMs / 1000);
  }

  async failed(address: string): Promise<void> {
    const spec = await this.spec(address);
    if (spec) {
      await this.counter.claim(spec);
    }
  }

  private async spec(address: string): Promise<CounterSpec | undefined> {
    const budget = this.config.protection.ipFailures;
    if (!budget) {
      return undefined;
    }
    const generation = await this.subjects.addressGeneration(address);
    return {
      key: `i|${address}|${generation}|login-failures`,
      limit: budget.limit,
      windowMs: budget.windowMs,
    };
  }
}
