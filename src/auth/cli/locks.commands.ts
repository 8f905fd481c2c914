import type { INestApplicationContext } from '@nestjs/common';
import type { Command } from 'commander';
import { AuditModule, AuditService } from '../../audit/index.js';
import {
  type CommandGroup,
  type GroupContext,
  renderTable,
  UsageError,
  writeLine,
} from '../../cli-kit/index.js';
import { DatabaseModule } from '../../database/index.js';
import {
  LockAdmin,
  type Restriction,
} from '../protection/lock-admin.service.js';
import { LockoutModule } from '../protection/lockout.module.js';

/** `rc-bridge locks …`: locked accounts and device cookies, throttled client addresses. */
export const locksCommandGroup: CommandGroup = {
  name: 'locks',
  description: 'List and clear account lockouts and address throttles',
  configNamespaces: ['mongo', 'auth', 'app'],
  imports: [DatabaseModule, LockoutModule, AuditModule],
  needsDatabase: true,
  register(command: Command, context: GroupContext): void {
    registerLockCommands(command, context);
  },
};

function registerLockCommands(locks: Command, { io, run }: GroupContext): void {
  locks
    .command('list')
    .description(
      'List locked accounts and device cookies and throttled client addresses (times in UTC)',
    )
    .option('--json', 'print JSON instead of a table')
    .action((options: { json?: boolean }) =>
      run(async (app) => {
        const list = await app.get(LockAdmin).list();
        if (options.json) {
          writeLine(io.stdout, JSON.stringify(list.map(toJson), null, 2));
        } else if (list.length === 0) {
          writeLine(io.stdout, 'No locks.');
        } else {
          writeLine(io.stdout, locksTable(list));
        }
      }),
    );

  locks
    .command('clear')
    .description(
      "Clear an account's lock and failure count and its device cookies' (by username), or a client address's failure budget (by IP; IPv6 clears its /64), on every replica",
    )
    .argument('<username|ip>')
    .action((argument: string) =>
      run(async (app: INestApplicationContext) => {
        const admin = app.get(LockAdmin);
        const target = admin.resolve(argument);
        if (!target) {
          throw new UsageError(
            `${JSON.stringify(argument)} is neither an IP address nor a possible username`,
          );
        }
        await admin.clear(target);
        await app.get(AuditService).record({
          kind: 'lock.cleared',
          target: target.target,
          targetKind: target.kind,
        });
        writeLine(
          io.stdout,
          target.kind === 'account'
            ? `Cleared the lock and failure count of account ${target.target}`
            : `Cleared the failure budget of address ${target.target} (its flood limits are per replica and end within their window)`,
        );
      }),
    );
}

export function locksTable(list: readonly Restriction[]): string {
  return renderTable(
    ['KIND', 'TARGET', 'UNTIL (UTC)', 'LOCK LEVEL'],
    list.map((r) => [
      r.kind,
      r.target,
      r.until.toISOString().slice(0, 19).replace('T', ' '),
      r.level === undefined ? '-' : String(r.level),
    ]),
  );
}

function toJson(restriction: Restriction): Record<string, unknown> {
  return {
    kind: restriction.kind,
    target: restriction.target,
    until: restriction.until.toISOString(),
    level: restriction.level ?? null,
  };
}
