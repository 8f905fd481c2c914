import { isIP } from 'node:net';
import { Injectable } from '@nestjs/common';
import { parseUsername } from '../../users/index.js';
import { Clock } from '../../common/index.js';
import { addressKey } from '../../security/index.js';
import { ThrottleStore } from '../../throttle/index.js';
import { accountRecordIds } from './account-lockout.service.js';
import { addressCounterId } from './address-failures.service.js';

export interface Restriction {
  /** `device`: a device cookie of the account (target) locked by its own failures. */
  readonly kind: 'account' | 'address' | 'device';
  /** The normalised username, or the address key (an IPv6 address's /64). */
  readonly target: string;
  readonly until: Date;
  /** Accounts: 1 for a first lock, 2 for the next within a day... */
  readonly level: number | undefined;
}

export type ClearTarget =
  | { readonly kind: 'account'; readonly target: string }
  | { readonly kind: 'address'; readonly target: string };

/** What `rc-bridge locks` shows and clears (in MongoDB, so for every replica at once). */
@Injectable()
export class LockAdmin {
  constructor(
    private readonly store: ThrottleStore,
    private readonly clock: Clock,
  ) {}

  /** Locked accounts and device cookies, throttled addresses, soonest-ending first. */
  async list(): Promise<Restriction[]> {
    const now = new Date(this.clock.now());
    const locks = await this.store.list('lock', { lockedUntil: { $gt: now } });
    const full = [
      ...(await this.store.list('address', {})),
      ...(await this.store.list('device', {})),
    ].filter((r) => r.limit !== undefined && (r.count ?? 0) >= r.limit);
    return [
      ...locks.map((r) => ({
        kind: 'account' as const,
        target: r.subject ?? '?',
        until: r.lockedUntil!,
        level: r.lockLevel,
      })),
      ...full.map((r) => ({
        kind: r.kind as 'address' | 'device',
        target: r.subject ?? '?',
        until: r.expiresAt,
        level: undefined,
      })),
    ].sort((a, b) => a.until.getTime() - b.until.getTime());
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

  /**
   * Forgets an account's failures, lock and lock history and those of its device cookies, or an
   * address's failure budget. The flood limits are per replica in memory: they end by
   * themselves within their window (RATE_LIMIT_FORMS, RATE_LIMIT_API_URL).
   */
  async clear(target: ClearTarget): Promise<void> {
    if (target.kind === 'address') {
      await this.store.remove([addressCounterId(target.target)]);
      return;
    }
    await this.store.remove(accountRecordIds(target.target), [
      { kind: 'device', subject: target.target },
    ]);
  }
}
