import { Injectable } from '@nestjs/common';
import { InjectConfig, type AuthConfig } from '../../config/index.js';
import { Clock } from '../../common/index.js';
import { ThrottleStore } from '../../throttle/index.js';

export const addressCounterId = (address: string): string => `i|${address}`;
const creditId = (address: string, account: string) =>
  `p|${address}|${account}`;

/**
 * The failure budget of a client address (Authelia's `ip` mode, the checklist's credential
 * stuffing defence) for clients without a device cookie: LOGIN_IP_MAX_FAILURES failed logins
 * within LOGIN_IP_WINDOW, against any accounts, and further attempts get 429 before any password
 * is checked. Spraying one password over many names is stopped here without locking any of
 * those accounts. A typo is forgiven: the failures of an account that then signs in from the
 * same address are taken back out of the budget, so an office behind one address spends it only
 * on failures nobody followed up with the right password.
 */
@Injectable()
export class AddressFailures {
  constructor(
    @InjectConfig('auth') private readonly config: AuthConfig,
    private readonly store: ThrottleStore,
    private readonly clock: Clock,
  ) {}

  /** Seconds to wait when the address is over its budget; undefined when it may try. */
  async refusal(address: string): Promise<number | undefined> {
    const budget = this.config.protection.ipFailures;
    if (!budget) {
      return undefined;
    }
    const window = await this.store.read(addressCounterId(address));
    if (!window || window.count < budget.limit) {
      return undefined;
    }
    return Math.max(
      1,
      Math.ceil((window.endsAt.getTime() - this.clock.now()) / 1000),
    );
  }

  /** Counts a failure of `account` from `address`, remembered for a success to take back. */
  async failed(address: string, account: string): Promise<void> {
    const budget = this.config.protection.ipFailures;
    if (!budget) {
      return;
    }
    const window = await this.store.hit(
      addressCounterId(address),
      { kind: 'address', subject: address, limit: budget.limit },
      this.clock.now() + budget.windowMs,
    );
    if (window) {
      // Ends with the address's window: failures of an older window are forgotten anyway.
      await this.store.hit(
        creditId(address, account),
        { kind: 'credit', subject: address },
        window.endsAt.getTime(),
      );
    }
  }

  /** `account` signed in from `address`: its failures from there were typos, not guesses. */
  async succeeded(address: string, account: string): Promise<void> {
    if (!this.config.protection.ipFailures) {
      return;
    }
    const typos = await this.store.take(creditId(address, account));
    if (typos) {
      await this.store.giveBack(
        addressCounterId(address),
        typos.count,
        typos.endsAt,
      );
    }
  }
}
