import { isIP } from 'node:net';
import { Injectable } from '@nestjs/common';
import { parseUsername } from '../../users/index.js';
import { InjectConfig, type AuthConfig } from '../../config/index.js';
import { Clock } from '../../common/index.js';
import { addressKey } from '../../security/index.js';
import { ThrottleRepository, ThrottleSubjects } from '../../throttle/index.js';

export interface Restriction {
  readonly kind: 'account' | 'address';
  /** The normalised username, or the address key (an IPv6 address's /64). */
  readonly target: string;
  readonly until: Date;
  /** Accounts: 1 for a first lock, 2 for the next within a day... */
  readonly level: number | undefined;
}

export type ClearTarget =
  | { readonly kind: 'account'; readonly target: string }
  | { readonly kind: 'address'; readonly target: string };

/** What `rc-bridge locks` shows and clears. */
@Injectable()
export class LockAdmin {
  constructor(
    @InjectConfig('auth') private readonly auth: AuthConfig,
    private readonly repository: ThrottleRepository,
    private readonly subjects: ThrottleSubjects,
    private readonly clock: Clock,
  ) {}

  /** Locked accounts and throttled addresses, soonest-ending first. */
  async list(): Promise<Restriction[]> {
    const now = this.clock.now();
    const heads = await this.repository.findRestricted(new Date(now));
    return heads
      .flatMap((head): Restriction[] => {
        if (
          head.kind === 'account' &&
          head.lockedUntil &&
          head.lockedUntil.getTime() > now
        ) {
          return [
            {
              kind: 'account',
              target: head.subject ?? '?',
              until: head.lockedUntil,
              level: head.lockLevel,
            },
          ];
        }
        if (
          head.kind === 'address' &&
          head.throttledUntil &&
          head.throttledUntil.getTime() > now
        ) {
          return [
            {
              kind: 'address',
              target: head.subject ?? '?',
              until: head.throttledUntil,
              level: undefined,
            },
          ];
        }
        return [];
      })
      .sort((a, b) => a.until.getTime() - b.until.getTime());
  }

  /**
   * What a CLI argument names: an IP address (its key), else a username (normalised), or
   * undefined when it is neither.
   */
  resolve(argument: string): ClearTarget | undefined {
    const bare = argument.trim();
    if (isIP(bare.replace(/^\[|\]$/g, '')) !== 0) {
      return { kind: 'address', target: addressKey(bare) };
    }
    const parsed = parseUsername(bare);
    return parsed.ok
      ? { kind: 'account', target: parsed.value.key }
      : undefined;
  }

  /** Forgets the counts and lock of an account, or every counter of an address. */
  async clear(target: ClearTarget): Promise<void> {
    if (target.kind === 'address') {
      await this.subjects.clearAddress(target.target);
      return;
    }
    await this.subjects.resetAccount(
      target.target,
      this.auth.protection.lockout?.windowMs ?? 0,
    );
  }
}
