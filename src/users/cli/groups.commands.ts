import type { Command } from 'commander';
import {
  UsageError,
  writeLine,
  type GroupContext,
} from '../../cli-kit/index.js';
import { UserAdminService } from '../user-admin.service.js';

/** Commander's collector for a repeatable option. */
export function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/**
 * `rc-bridge users groups <username> [--set a,b] [--add x] [--remove y]`: the groups of a local
 * user, for the group mappings. Directory and OpenID Connect users get theirs from the source.
 */
export function registerGroupCommands(
  users: Command,
  { io, run }: GroupContext,
): void {
  users
    .command('groups')
    .description(
      "Show or change a local user's groups (the group mappings give Rocket.Chat roles and rooms for them)",
    )
    .argument('<username>')
    .option(
      '--set <names>',
      'replace every group: names separated by commas ("" for none)',
    )
    .option('--add <name>', 'add a group (repeat for several)', collect, [])
    .option(
      '--remove <name>',
      'remove a group (repeat for several)',
      collect,
      [],
    )
    .option('--json', 'print the groups as JSON')
    .addHelpText(
      'after',
      "\nRocket.Chat follows at the user's next sign-in, or at once with `rc-bridge users sync`.",
    )
    .action(
      (
        username: string,
        options: {
          set?: string;
          add: string[];
          remove: string[];
          json?: boolean;
        },
      ) =>
        run(async (app) => {
          const service = app.get(UserAdminService);
          const changing =
            options.set !== undefined ||
            options.add.length > 0 ||
            options.remove.length > 0;
          if (!changing) {
            const user = await service.require(username);
            print(io, user.username, user.groups, options.json);
            return;
          }
          if (
            options.set !== undefined &&
            /^\s*,|,\s*,|,\s*$/.test(options.set)
          ) {
            throw new UsageError('--set: empty group name in the list');
          }
          const { after } = await service.changeGroups(username, {
            set:
              options.set === undefined
                ? undefined
                : options.set.trim() === ''
                  ? []
                  : options.set.split(','),
            add: options.add,
            remove: options.remove,
          });
          print(io, after.username, after.groups, options.json);
        }),
    );
}

function print(
  io: GroupContext['io'],
  username: string,
  groups: readonly string[],
  json: boolean | undefined,
): void {
  if (json) {
    writeLine(io.stdout, JSON.stringify({ username, groups }, null, 2));
  } else if (groups.length === 0) {
    writeLine(io.stdout, `${username} is in no group`);
  } else {
    writeLine(io.stdout, `${username}: ${groups.join(', ')}`);
  }
}
