import { Global, Module } from '@nestjs/common';
import { EventEmitterModule } from '@nestjs/event-emitter';
import type { Command } from 'commander';
import { AuditModule } from '../../audit/index.js';
import {
  CliError,
  readPassword,
  writeLine,
  type CommandGroup,
  type GroupContext,
} from '../../cli-kit/index.js';
import { CONFIG_NAMESPACES } from '../../config/index.js';
import { DatabaseModule } from '../../database/index.js';
import { LdapModule } from '../../identity/index.js';
import { MetricsService } from '../../observability/index.js';
import { RocketChatModule } from '../../rocketchat/index.js';
import { PasswordsModule, UsersModule } from '../../users/index.js';
import { SourceRecheckModule } from '../accounts.module.js';
import { LoginTest } from '../login-test.service.js';
import { UsersSync } from '../users-sync.service.js';
import { loginTestText, syncText } from './accounts-output.js';

/** The Rocket.Chat client counts its calls; the CLI serves no metrics. */
@Global()
@Module({ providers: [MetricsService], exports: [MetricsService] })
class CliMetrics {}

@Module({
  imports: [SourceRecheckModule, RocketChatModule],
  providers: [UsersSync],
  exports: [UsersSync],
})
class UsersSyncModule {}

@Module({
  imports: [UsersModule, PasswordsModule, LdapModule],
  providers: [LoginTest],
  exports: [LoginTest],
})
class LoginTestModule {}

/**
 * `rc-bridge users sync [--dry-run] [--json]`: the directory re-check for every directory user,
 * now. It ends sessions and changes Rocket.Chat accounts as the service does, so it reads the
 * service's whole configuration and loads its Rocket.Chat module (no HTTP server).
 */
export const usersSyncCommandGroup: CommandGroup = {
  name: 'users',
  description: 'Manage the users who log in at the bridge',
  configNamespaces: CONFIG_NAMESPACES,
  imports: [
    DatabaseModule,
    EventEmitterModule.forRoot(),
    AuditModule,
    CliMetrics,
    UsersSyncModule,
  ],
  needsDatabase: true,
  register(users: Command, { io, run }: GroupContext): void {
    users
      .command('sync')
      .description(
        'Check every directory user against the directory now: end the sessions of people who left, deprovision and reinstate Rocket.Chat accounts, apply group mappings; prints what changed',
      )
      .option(
        '--dry-run',
        'ask the directory, change nothing, say what would change',
      )
      .option('--json', 'print the report as JSON')
      .action((options: { dryRun?: boolean; json?: boolean }) =>
        run(async (app) => {
          const result = await app.get(UsersSync).run(options.dryRun === true);
          writeLine(
            io.stdout,
            options.json ? JSON.stringify(result, null, 2) : syncText(result),
          );
          if (result.summary.unavailable > 0) {
            throw new CliError(
              `the directory did not answer for ${result.summary.unavailable} user(s); nothing changed for them`,
            );
          }
        }),
      );
  },
};

/**
 * `rc-bridge users test-login <username> [--json]`: one person through the login form's sources
 * (password from a prompt or stdin), changing nothing and never touching Rocket.Chat.
 */
export const usersTestLoginCommandGroup: CommandGroup = {
  name: 'users',
  description: 'Manage the users who log in at the bridge',
  configNamespaces: ['mongo', 'auth', 'ldap', 'groupMapping'],
  imports: [DatabaseModule, LoginTestModule],
  needsDatabase: true,
  register(users: Command, { io, run }: GroupContext): void {
    users
      .command('test-login')
      .description(
        'Try a name and password against the sign-in sources (local, LDAP) without signing in: which source answers, the groups and the mappings they give; exit 1 when refused',
      )
      .argument('<username>')
      .option('--json', 'print the report as JSON')
      .addHelpText(
        'after',
        '\nThe password is asked for on a terminal, else read from the first line of stdin; never an argument.\n' +
          'No session, user or lockout count is made, and Rocket.Chat is not asked; a directory still counts a wrong password against its own policy.',
      )
      .action((username: string, options: { json?: boolean }) =>
        run(async (app) => {
          const password = await readPassword(io, {
            prompt: `Password for ${username}`,
            confirm: false,
          });
          const report = await app.get(LoginTest).run(username, password);
          writeLine(
            io.stdout,
            options.json
              ? JSON.stringify(report, null, 2)
              : loginTestText(report),
          );
          if (report.answeredBy === undefined) {
            throw new CliError(`no sign-in source accepted ${username}`);
          }
          if (report.bridgeUser?.status === 'refused') {
            throw new CliError(
              `${username} would be refused: ${report.bridgeUser.reason ?? 'refused'}`,
            );
          }
        }),
      );
  },
};
