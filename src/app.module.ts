import { type DynamicModule, Module } from '@nestjs/common';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { AccountsModule } from './accounts/index.js';
import { AuditModule } from './audit/index.js';
import { AuthModule } from './auth/index.js';
import {
  ConfigModule,
  loadConfig,
  processEnv,
  type ConfigModuleOptions,
} from './config/index.js';
import { DatabaseModule } from './database/index.js';
import { HealthModule } from './health/index.js';
import { ObservabilityModule } from './observability/index.js';
import { RocketChatModule } from './rocketchat/index.js';
import { SessionModule } from './session/index.js';

export type AppModuleOptions = ConfigModuleOptions;

@Module({})
export class AppModule {
  static forRoot(options: AppModuleOptions = {}): DynamicModule {
    // Read once here: which modules are wired depends on it (OpenID providers).
    const config = options.config ?? loadConfig(options.env ?? processEnv());
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot({ config }),
        ObservabilityModule,
        EventEmitterModule.forRoot(),
        DatabaseModule,
        // Global: the modules that record to the audit trail inject AuditService.
        AuditModule,
        HealthModule,
        AuthModule.forRoot(config),
        SessionModule,
        RocketChatModule,
        // Directory people re-checked while signed in; accounts deprovisioned when they leave.
        AccountsModule,
      ],
    };
  }
}
