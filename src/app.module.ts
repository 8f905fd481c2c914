import { type DynamicModule, Module } from '@nestjs/common';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { AuthModule } from './auth/auth.module.js';
import { ConfigModule, type ConfigModuleOptions } from './config/index.js';
import { DatabaseModule } from './database/index.js';
import { HealthModule } from './health/health.module.js';
import { ObservabilityModule } from './observability/index.js';
import { RocketChatModule } from './rocketchat/rocketchat.module.js';
import { SessionModule } from './session/session.module.js';

export type AppModuleOptions = ConfigModuleOptions;

@Module({})
export class AppModule {
  static forRoot(options: AppModuleOptions = {}): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(options),
        ObservabilityModule,
        EventEmitterModule.forRoot(),
        DatabaseModule,
        HealthModule,
        AuthModule,
        SessionModule,
        RocketChatModule,
      ],
    };
  }
}
