import { Module } from '@nestjs/common';
import { prefixedModels } from '../database/index.js';
import { ClockModule } from '../common/index.js';
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
 * Throttling state in MongoDB (sliding-window counters, account locks, address generations),
 * without rules of its own and without anything HTTP: the flood limits (security/) and the login
 * protection (auth/) count with it, and the admin CLI loads it with only the `mongo`
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
  ],
  exports: [
    ThrottleRepository,
    WindowCounter,
    ThrottleSubjects,
    ThrottleSweeper,
  ],
})
export class ThrottleModule {}
