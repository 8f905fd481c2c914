import { Module } from '@nestjs/common';
import { prefixedModels } from '../database/index.js';
import { ClockModule } from '../common/clock.module.js';
import { AccountLockout } from '../auth/protection/account-lockout.service.js';
import { AddressFailures } from '../auth/protection/address-failures.service.js';
import { LockAdmin } from '../auth/protection/lock-admin.service.js';
import {
  THROTTLE_COLLECTION,
  THROTTLE_MODEL,
  ThrottleSchema,
} from './throttle.schema.js';
import { ThrottleRepository } from './throttle.repository.js';
import { ThrottleSubjects } from './throttle-subjects.service.js';
import { ThrottleSweeper } from './throttle-sweeper.service.js';
import { WindowCounter } from './window-counter.service.js';

/**
 * Throttling state in MongoDB (counters, account locks, address generations) and the lockout
 * rules, without anything HTTP, so the admin CLI can load it with only the `mongo` and `auth`
 * configuration. Time comes from the application's one Clock (ClockModule), as for sessions.
 */
@Module({
  imports: [
    prefixedModels([
      {
        name: THROTTLE_MODEL,
        schema: ThrottleSchema,
        collection: THROTTLE_COLLECTION,
      },
    ]),
    ClockModule,
  ],
  providers: [
    ThrottleRepository,
    WindowCounter,
    ThrottleSubjects,
    ThrottleSweeper,
    LockAdmin,
    AccountLockout,
    AddressFailures,
  ],
  exports: [
    WindowCounter,
    ThrottleSubjects,
    ThrottleSweeper,
    LockAdmin,
    AccountLockout,
    AddressFailures,
  ],
})
export class ThrottleModule {}
