import { type DynamicModule, Module } from '@nestjs/common';
import { ConfigModule as NestConfigModule, registerAs } from '@nestjs/config';
import {
  CONFIG_NAMESPACES,
  loadConfig,
  processEnv,
  type AllConfig,
} from './configuration.js';
import type { Env } from './env.js';

export interface ConfigModuleOptions {
  /** Variables to read instead of the process environment (tests). */
  readonly env?: Env;
  /** An already validated configuration (tests that build several apps from one). */
  readonly config?: AllConfig;
}

@Module({})
export class ConfigModule {
  /** Validates everything synchronously, so a bad variable stops the process before it listens. */
  static forRoot(options: ConfigModuleOptions = {}): DynamicModule {
    const config = options.config ?? loadConfig(options.env ?? processEnv());
    return {
      module: ConfigModule,
      global: true,
      imports: [
        NestConfigModule.forRoot({
          isGlobal: true,
          cache: true,
          ignoreEnvFile: true,
          skipProcessEnv: true,
          load: CONFIG_NAMESPACES.map((namespace) =>
            registerAs(namespace, () => config[namespace]),
          ),
        }),
      ],
      exports: [NestConfigModule],
    };
  }
}
