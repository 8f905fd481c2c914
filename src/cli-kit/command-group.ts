import type { INestApplicationContext, ModuleMetadata } from '@nestjs/common';
import type { Command } from 'commander';
import type { ConfigNamespace, ConfigSubset } from '../config/index.js';
import type { CliIO } from './cli-io.js';

/**
 * A group of subcommands (`rc-bridge users …`, later `locks …`, `doctor …`), defined in its
 * feature's folder and listed in command-groups.ts. Its commands run against a Nest application
 * context holding only the group's modules and config namespaces - no HTTP server.
 */
export interface CommandGroup {
  readonly name: string;
  readonly description: string;
  /** The config namespaces its modules read; only these are loaded and validated. */
  readonly configNamespaces: readonly ConfigNamespace[];
  /**
   * Modules to load besides config (DatabaseModule when it needs MongoDB); a function of the
   * loaded configuration where a module is wired only when configured.
   */
  readonly imports:
    | NonNullable<ModuleMetadata['imports']>
    | ((config: ConfigSubset) => NonNullable<ModuleMetadata['imports']>);
  /** Whether MongoDB must be reachable before any command runs (fail fast, one line). */
  readonly needsDatabase: boolean;
  /** Adds the subcommands to `command` (already named after the group). */
  register(command: Command, context: GroupContext): void;
}

export interface GroupContext {
  readonly io: CliIO;
  /**
   * Boots the group's application context, waits for MongoDB when the group needs it, runs `fn`,
   * and always closes the context again.
   */
  readonly run: <T>(
    fn: (app: INestApplicationContext) => Promise<T>,
  ) => Promise<T>;
}
