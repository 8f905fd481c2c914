import type { INestApplicationContext } from '@nestjs/common';
import type { Command } from 'commander';
import {
  writeLine,
  type CommandGroup,
  type GroupContext,
  readPassword,
  renderTable,
} from '../../cli-kit/index.js';
import { DatabaseModule } from '../../database/index.js';
import type { BridgeUser } from '../bridge-user.js';
import { UserAdminService } from '../user-admin.service.js';
import { UsersModule } from '../users.module.js';
import { UsernameTakenError } from '../users.errors.js';
import { collect, registerGroupCommands } from './groups.commands.js';
import { registerImportCommands } from './import.commands.js';

/** `rc-bridge users …`: bridge users, administered without the HTTP server. */
export const usersCommandGroup: CommandGroup = {
  name: 'users',
  description: 'Manage the users who log in at the bridge',
  configNamespaces: ['mongo', 'auth'],
  imports: [DatabaseModule, UsersModule],
  needsDatabase: true,
  register(command: Command, context: GroupContext): void {
    registerUserCommands(command, context);
    registerGroupCommands(command, context);
    registerImportCommands(command, context);
  },
};

const admin = (app: INestApplicationContext): UserAdminService =>
  app.get(UserAdminService);

function registerUserCommands(users: Command, context: GroupContext): void {
  const { io, run } = context;

  users
    .command('add')
    .description(
      'Create a user; the password is asked for (twice) on a terminal, else read from the first line of stdin',
    )
    .argument('<username>', 'letters, digits and _ . @ + - (at most 150)')
    .option('--email <email>', 'e-mail address (optional)')
    .option('--name <name>', 'display name (optional)')
    .option('--disabled', 'create the user disabled')
    .option(
      '--group <name>',
      'a group for the group mappings (repeat for several)',
      collect,
      [],
    )
    .action(
      (
        username: string,
        options: {
          email?: string;
          name?: string;
          disabled?: boolean;
          group: string[];
        },
      ) =>
        run(async (app) => {
          const service = admin(app);
          // Everything that can be checked is checked before the password is asked for.
          const fields = service.validateFields({
            username,
            email: options.email,
            displayName: options.name,
            active: options.disabled !== true,
          });
          const groups = service.validateGroups(options.group);
          if (await service.exists(fields.username)) {
            throw new UsernameTakenError(fields.username);
          }
          const password = await readPassword(io, {
            prompt: 'Password',
            confirm: true,
          });
          const user = await service.create({
            ...fields,
            password,
            groups,
          });
          writeLine(
            io.stdout,
            `Created user ${user.username}${user.active ? '' : ' (disabled)'}` +
              (groups.length > 0 ? ` in ${groups.join(', ')}` : ''),
          );
        }),
    );

  users
    .command('passwd')
    .description(
      "Set a user's password (asked for twice on a terminal, else the first line of stdin)",
    )
    .argument('<username>')
    .action((username: string) =>
      run(async (app) => {
        const service = admin(app);
        const user = await service.require(username);
        const password = await readPassword(io, {
          prompt: `New password for ${user.username}`,
          confirm: true,
        });
        await service.setPassword(user.username, password);
        writeLine(io.stdout, `Password of ${user.username} changed`);
      }),
    );

  for (const [name, active] of [
    ['enable', true],
    ['disable', false],
  ] as const) {
    users
      .command(name)
      .description(
        active
          ? 'Allow a user to log in again'
          : 'Stop a user from logging in (the account and its data stay)',
      )
      .argument('<username>')
      .action((username: string) =>
        run(async (app) => {
          const service = admin(app);
          const user = await service.require(username);
          const changed = await service.setActive(user.username, active);
          writeLine(
            io.stdout,
            changed
              ? `${active ? 'Enabled' : 'Disabled'} ${user.username}`
              : `${user.username} is already ${active ? 'enabled' : 'disabled'}`,
          );
        }),
      );
  }

  users
    .command('list')
    .description('List the users (never their password hashes)')
    .option('--json', 'print JSON instead of a table')
    .action((options: { json?: boolean }) =>
      run(async (app) => {
        const list = await admin(app).list();
        if (options.json) {
          writeLine(io.stdout, JSON.stringify(list.map(toJson), null, 2));
        } else if (list.length === 0) {
          writeLine(io.stdout, 'No users.');
        } else {
          writeLine(io.stdout, usersTable(list));
        }
      }),
    );
}

/** username, email, name, source, active, created, last login, groups: never a hash. */
export function usersTable(users: readonly BridgeUser[]): string {
  return renderTable(
    [
      'USERNAME',
      'EMAIL',
      'NAME',
      'SOURCE',
      'ACTIVE',
      'CREATED (UTC)',
      'LAST LOGIN (UTC)',
      'GROUPS',
    ],
    users.map((u) => [
      u.username,
      u.email ?? '-',
      u.displayName ?? '-',
      u.source,
      u.active ? 'yes' : 'no',
      formatDate(u.createdAt),
      u.lastLoginAt ? formatDate(u.lastLoginAt) : 'never',
      u.groups.length > 0 ? u.groups.join('; ') : '-',
    ]),
  );
}

function toJson(user: BridgeUser): Record<string, unknown> {
  return {
    id: user.id,
    username: user.username,
    email: user.email ?? null,
    name: user.displayName ?? null,
    active: user.active,
    hasPassword: user.hasPassword,
    source: user.source,
    externalId: user.externalId ?? null,
    groups: user.groups,
    createdAt: user.createdAt.toISOString(),
    lastLoginAt: user.lastLoginAt?.toISOString() ?? null,
  };
}

/** `2026-01-31 13:45` in UTC. */
function formatDate(date: Date): string {
  return date.toISOString().slice(0, 16).replace('T', ' ');
}
