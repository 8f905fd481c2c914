import { Module } from '@nestjs/common';
import { RocketChatClientModule } from '../rocketchat/index.js';
import { HealthController } from './health.controller.js';
import { ReadinessService } from './readiness.service.js';
import { RocketChatProbe } from './rocketchat-probe.service.js';
import { ShutdownState } from './shutdown-state.js';

@Module({
  imports: [RocketChatClientModule],
  controllers: [HealthController],
  providers: [ShutdownState, ReadinessService, RocketChatProbe],
  exports: [ShutdownState],
})
export class HealthModule {}
