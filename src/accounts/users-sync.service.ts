import { Injectable } from '@nestjs/common';
import { LDAP_SOURCE } from '../identity/index.js';
import { TokenHandOff } from '../rocketchat/index.js';
import { UsersRepository } from '../users/index.js';
import { SourceRecheck, type RecheckReport } from './source-recheck.service.js';

/** How long `users sync` waits for the Rocket.Chat side of the sessions it ended. */
const HAND_OFF_MS = 10_000;

export interface SyncSummary {
  readonly directoryUsers: number;
  readonly active: number;
  readonly deprovisioned: number;
  readonly unavailable: number;
  readonly sessionsEnded: number;
  /** Users of other sources whose group mappings were applied. */
  readonly otherUsers: number;
}

export interface SyncResult {
  readonly dryRun: boolean;
  /** Directory users, and the others whose mappings changed something in Rocket.Chat. */
  readonly users: readonly RecheckReport[];
  readonly summary: SyncSummary;
}

/**
 * `rc-bridge users sync`: the re-check of every directory user now, signed in or not (so an
 * account is deactivated even for someone who left while signed out), and the group mappings of
 * every other user from their stored groups (local groups set with the CLI apply at once).
 */
@Injectable()
export class UsersSync {
  constructor(
    private readonly users: UsersRepository,
    private readonly recheck: SourceRecheck,
    private readonly handOff: TokenHandOff,
  ) {}

  async run(dryRun: boolean): Promise<SyncResult> {
    const reports: RecheckReport[] = [];
    let otherUsers = 0;
    for (const user of await this.users.list()) {
      if (user.source !== LDAP_SOURCE.kind && !user.active) {
        continue;
      }
      const report = await this.recheck.check(user, dryRun);
      if (report.status !== 'not-directory') {
        reports.push(report);
      } else if (report.rocketChat?.groups) {
        otherUsers += 1;
        if (changedInRocketChat(report)) {
          reports.push(report);
        }
      }
    }
    for (const report of reports) {
      if (report.sessionsEnded > 0) {
        await this.handOff.settled(report.userId, HAND_OFF_MS);
      }
    }
    const directory = reports.filter((r) => r.status !== 'not-directory');
    return {
      dryRun,
      users: reports,
      summary: {
        directoryUsers: directory.length,
        active: directory.filter((r) => r.status === 'active').length,
        deprovisioned: directory.filter((r) =>
          ['gone', 'disabled', 'not-in-group'].includes(r.status),
        ).length,
        unavailable: directory.filter((r) => r.status === 'unavailable').length,
        sessionsEnded: reports.reduce((n, r) => n + r.sessionsEnded, 0),
        otherUsers,
      },
    };
  }
}

function changedInRocketChat(report: RecheckReport): boolean {
  const groups = report.rocketChat?.groups;
  return (
    groups !== undefined &&
    (groups.granted.length > 0 ||
      groups.withdrawn.length > 0 ||
      groups.failed.length > 0 ||
      groups.status === 'failed')
  );
}
