import { Module } from '@nestjs/common';
import { ClockModule } from '../../common/index.js';
import { ThrottleModule } from '../../throttle/index.js';
import { AccountLockout } from './account-lockout.service.js';
import { AddressFailures } from './address-failures.service.js';
import { LockAdmin } from './lock-admin.service.js';

/**
 * The lockout rules (per account and device cookie, per client address) and their administration, counted in the
 * throttle store; nothing HTTP, so the admin CLI (`rc-bridge locks`) loads it with only the
 * `mongo` and `auth` configuration.
 */
@Module({
  imports: [ThrottleModule, ClockModule],
  providers: [AccountLockout, AddressFailures, LockAdmin],
  exports: [AccountLockout, AddressFailures, LockAdmin],
})
export class LockoutModule {}
