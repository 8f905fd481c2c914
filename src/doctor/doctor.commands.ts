import type { Command } from 'commander';
import {
  CliError,
  type CommandGroup,
  type GroupContext,
} from '../cli-kit/index.js';
import { CONFIG_NAMESPACES, ConfigValidationError } from '../config/index.js';
import { DatabaseModule } from '../database/index.js';
import { CliMetricsModule } from './cli-metrics.module.js';
import { fail, skip, type CheckResult } from './doctor-check.js';
import { hasFailure, renderJson, renderText } from './doctor-report.js';
import { DoctorModule } from './doctor.module.js';
import { DoctorService } from './doctor.service.js';

/**
 * `rc-bridge doctor [--fix] [--json]`: one line per check (OK / WARN / FAIL / SKIP) with the fix;
 * exit 1 when anything fails. Reads the service's whole configuration.
 */
export const doctorCommandGroup: CommandGroup = {
  name: 'doctor',
  description:
    'Check the configuration, MongoDB, Rocket.Chat and the browser-facing setup; exit 1 on any failure',
  configNamespaces: CONFIG_NAMESPACES,
  imports: (config) => [
    DatabaseModule,
    CliMetricsModule,
    DoctorModule.forRoot(config),
  ],
  // The doctor reports an unreachable MongoDB as one of its lines instead of stopping.
  needsDatabase: false,
  register(command: Command, context: GroupContext): void {
    command
      .option(
        '--fix',
        "set Rocket.Chat's Accounts_iframe_* settings to this bridge's URLs (through its REST API)",
      )
      .option('--json', 'print the results as JSON')
      .option(
        '--ldap-user <name>',
        'also run LDAP_USER_FILTER for this name: the entry, its groups, LDAP_REQUIRED_GROUP',
      )
      .action((options: { fix?: boolean; json?: boolean; ldapUser?: string }) =>
        runDoctor(context, options),
      );
  },
};

async function runDoctor(
  { io, run }: GroupContext,
  options: { fix?: boolean; json?: boolean; ldapUser?: string },
): Promise<void> {
  let results: CheckResult[];
  try {
    results = await run((app) =>
      app
        .get(DoctorService)
        .run({ fix: options.fix === true, ldapUser: options.ldapUser }),
    );
  } catch (error) {
    if (!(error instanceof ConfigValidationError)) {
      throw error;
    }
    results = [
      ...error.problems.map((problem) =>
        fail(
          'config',
          'Configuration',
          `${problem.variable}: ${problem.rule}`,
          `set ${problem.variable} in the environment or .env (see .env.example)`,
        ),
      ),
      skip(
        'checks',
        'Other checks',
        'not run: they need a valid configuration',
      ),
    ];
  }
  io.stdout.write(options.json ? renderJson(results) : renderText(results));
  if (hasFailure(results)) {
    throw new CliError(
      `doctor: ${results.filter((r) => r.status === 'fail').length} check(s) failed`,
    );
  }
}
