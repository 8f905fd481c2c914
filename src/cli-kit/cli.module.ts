import {
  type DynamicModule,
  Module,
  type ModuleMetadata,
} from '@nestjs/common';
import { ConfigModule as NestConfigModule, registerAs } from '@nestjs/config';
import type { ConfigSubset } from '../config/index.js';

/** The CLI's root module: the group's config namespaces (global, as in the service) and modules. */
@Module({})
export class CliModule {
  static forRoot(
    config: ConfigSubset,
    imports: NonNullable<ModuleMetadata['imports']>,
  ): DynamicModule {
    return {
      module: CliModule,
      imports: [
        NestConfigModule.forRoot({
          isGlobal: true,
          cache: true,
          ignoreEnvFile: true,
          skipProcessEnv: true,
          load: Object.entries(config).map(([namespace, value]) =>
            registerAs(namespace, () => value),
          ),
        }),
        ...imports,
      ],
    };
  }
}
