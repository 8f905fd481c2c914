import { Injectable } from '@nestjs/common';
import { InjectConfig, type GroupMappingConfig } from '../../config/index.js';
import {
  RocketChatRoomsApi,
  type RocketChatRole,
} from '../client/rocketchat-rooms-api.service.js';
import { alreadyDone, describeFailure } from './group-failures.js';
import type { FailureDoc, GrantDoc } from './group-grants.schema.js';
import {
  targetKey,
  type GroupPlan,
  type GroupTarget,
  type WantedTarget,
} from './group-plan.js';

export interface TargetAccount {
  readonly id: string;
  readonly username: string;
}

export interface ChangeResult {
  /** The records after the changes: what the bridge holds granted now. */
  readonly grants: GrantDoc[];
  readonly granted: GroupTarget[];
  readonly withdrawn: GroupTarget[];
  readonly failures: FailureDoc[];
}

type Outcome =
  | { ok: true; roomId?: string; already?: boolean }
  | { ok: false; error: string };

/** Roles only through an explicit allow-list entry; checked again on the resolved role. */
const PRIVILEGED = new Set(['admin', 'bot', 'app']);

/**
 * Carries out a plan, one Rocket.Chat call per change, withdrawals first. Each change stands
 * alone: a failure is recorded (and retried at the next apply) without stopping the others.
 */
@Injectable()
export class GroupChanges {
  constructor(
    private readonly api: RocketChatRoomsApi,
    @InjectConfig('groupMapping') private readonly config: GroupMappingConfig,
  ) {}

  async execute(
    account: TargetAccount,
    plan: GroupPlan,
    records: readonly GrantDoc[],
    role: (name: string) => RocketChatRole | undefined,
  ): Promise<ChangeResult> {
    const held = new Map(records.map((r) => [targetKey(r), r]));
    const result: ChangeResult = {
      grants: [],
      granted: [],
      withdrawn: [],
      failures: [],
    };
    for (const record of plan.forget) {
      held.delete(targetKey(record));
    }
    for (const { from, to } of plan.renamed) {
      held.delete(targetKey(from));
      held.set(targetKey(to), { ...to, roomId: from.roomId });
    }
    for (const record of plan.withdraw) {
      const outcome = await this.attempt(record, 'withdraw', () =>
        this.withdraw(account, record, role),
      );
      if (outcome.ok) {
        held.delete(targetKey(record));
        result.withdrawn.push(target(record));
      } else {
        result.failures.push(failure(record, 'withdraw', outcome.error));
      }
    }
    for (const wanted of plan.grant) {
      const outcome = await this.attempt(wanted, 'grant', () =>
        this.grant(account, wanted, role),
      );
      const key = targetKey(wanted);
      if (!outcome.ok) {
        result.failures.push(failure(wanted, 'grant', outcome.error));
      } else if (!outcome.already) {
        // "Already held" leaves a record as it was, and records nothing new: someone else
        // gave it in the meantime, so it is not the bridge's to take away.
        held.set(key, {
          ...target(wanted),
          rule: wanted.rule,
          grantedAt: new Date(),
          ...(outcome.roomId ? { roomId: outcome.roomId } : {}),
        });
        result.granted.push(target(wanted));
      }
    }
    result.grants.push(...held.values());
    return result;
  }

  private async attempt(
    subject: GroupTarget,
    action: 'grant' | 'withdraw',
    work: () => Promise<string | undefined>,
  ): Promise<Outcome> {
    try {
      return { ok: true, roomId: await work() };
    } catch (error) {
      if (alreadyDone(error, action)) {
        return { ok: true, already: true };
      }
      return { ok: false, error: describeFailure(error, subject, action) };
    }
  }

  /** Returns the room's id for channels and private groups. */
  private async grant(
    account: TargetAccount,
    wanted: WantedTarget,
    role: (name: string) => RocketChatRole | undefined,
  ): Promise<string | undefined> {
    if (wanted.kind === 'channel' || wanted.kind === 'privateGroup') {
      return this.api.invite(wanted.kind, wanted.name, account.id);
    }
    if (wanted.kind === 'team') {
      await this.api.addTeamMember(wanted.name, account.id);
    } else {
      const found = this.usableRole(wanted.name, role);
      await this.api.addUserToRole(found.id, account.username);
    }
    return undefined;
  }

  private async withdraw(
    account: TargetAccount,
    record: GrantDoc,
    role: (name: string) => RocketChatRole | undefined,
  ): Promise<undefined> {
    if (record.kind === 'channel' || record.kind === 'privateGroup') {
      await this.api.kick(
        record.kind,
        { roomId: record.roomId, roomName: record.name },
        account.id,
      );
    } else if (record.kind === 'team') {
      await this.api.removeTeamMember(record.name, account.id);
    } else {
      // A role deleted in Rocket.Chat is held by nobody: nothing left to take away.
      const found = role(record.name);
      if (found !== undefined) {
        await this.api.removeUserFromRole(found.id, account.username);
      }
    }
    return undefined;
  }

  private usableRole(
    name: string,
    role: (name: string) => RocketChatRole | undefined,
  ): RocketChatRole {
    const found = role(name);
    if (found === undefined) {
      throw new Error(`Rocket.Chat has no role "${name}" (roles.list)`);
    }
    if (found.scope !== 'Users') {
      throw new Error(
        `"${name}" is a room role in Rocket.Chat (scope ${found.scope}), not a workspace role`,
      );
    }
    const privileged = [found.id, found.name]
      .map((n) => n.toLowerCase())
      .find((n) => PRIVILEGED.has(n));
    if (
      privileged &&
      !this.config.allowedPrivilegedRoles.includes(privileged)
    ) {
      throw new Error(
        `"${name}" is the ${privileged} role: refused unless GROUP_MAPPINGS_ALLOW_PRIVILEGED_ROLES names it`,
      );
    }
    return found;
  }
}

function target(t: GroupTarget): GroupTarget {
  return { kind: t.kind, name: t.name };
}

function failure(
  subject: GroupTarget,
  action: 'grant' | 'withdraw',
  error: string,
): FailureDoc {
  return { ...target(subject), action, error, at: new Date() };
}
