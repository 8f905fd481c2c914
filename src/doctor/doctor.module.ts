import { Module } from '@nestjs/common';
import { MongoDbCheck } from './checks/mongodb.check.js';
import { DoctorService } from './doctor.service.js';

/** `rc-bridge doctor`: the checks, run from the CLI against the real MongoDB and Rocket.Chat. */
@Module({
  providers: [MongoDbCheck, DoctorService],
  exports: [DoctorService],
})
export class DoctorModule {}
