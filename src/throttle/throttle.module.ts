import { Module } from '@nestjs/common';
import { prefixedModels } from '../database/index.js';
import { ClockModule } from '../common/index.js';
import {
  THROTTLE_COLLECTION,
  THROTTLE_MODEL,
  ThrottleSchema,
} from './throttle.schema.js';
import { ThrottleStore } from './throttle.store.js';
import { ThrottleSweeper } from './throttle-sweeper.service.js';

/**
 * Throttling state in MongoDB (counters and lock histories), without rules of its own and
 * without anything HTTP: the login protection (auth/) counts with it, and the admin CLI loads it
 * with only the `mongo` configuration. Time comes from the application's one Clock.
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
  providers: [ThrottleStore, ThrottleSweeper],
  exports: [ThrottleStore, ThrottleSweeper],
})
export class ThrottleModule {}
