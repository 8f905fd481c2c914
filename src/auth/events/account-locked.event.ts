import type { LoginClient } from './login-client.js';

/** A failed login took an account to its limit: it is locked until `until` (after the attempt's event). */
export class AccountLockedEvent {
  static readonly eventName = 'auth.account-locked';

  constructor(
    readonly username: string,
    readonly until: Date,
    /** 1 for the first lock, 2 for the next within a day... (the duration doubles). */
    readonly level: number,
    readonly client: LoginClient,
  ) {}
}
