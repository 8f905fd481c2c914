import { createHash } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { AuditService } from '../../audit/index.js';
import { InjectConfig, type GroupMappingConfig } from '../../config/index.js';
import { Clock } from '../../common/index.js';
import { GroupChanges, type ChangeResult } from './group-changes.service.js';
import {
  GroupGrantsRepository,
  type LockedGrants,
} from './group-grants.repository.js';
import {
  planChanges,
  targetKey,
  wantedTargets,
  type WantedTarget,
} from './group-plan.js';
import {
  GroupStateError,
  GroupStateReader,
} from './group-state-reader.service.js';
import type { GroupSyncOutcome, GroupTarget } from './group-sync.types.js';

/**
 * One apply for one account, run by the holder of its lease: what the rules want from the
 * latest request, compared with what the bridge recorded and what Rocket.Chat holds, then the
 * difference applied and recorded. Nothing changed since the last complete apply (and Rocket.Chat
 * read recently enough): no call at all.
 */
@Injectable()
export class GroupApplier {
  private readonly logger = new Logger('GroupSync');

  constructor(
    @InjectConfig('groupMapping') private readonly config: GroupMappingConfig,
    private readonly repository: GroupGrantsRepository,
    private readonly reader: GroupStateReader,
    private readonly changes: GroupChanges,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  /** The targets a request wants (none for a withdrawal). */
  wanted(request: LockedGrants['request']): Map<string, WantedTarget> {
    if (request === undefined || request.withdrawAll) {
      return new Map();
    }
    return wantedTargets(this.config.rules, request.groups, request.source)
      .wanted;
  }

  async apply(locked: LockedGrants, owner: string): Promise<GroupSyncOutcome> {
    const wanted = this.wanted(locked.request);
    const fingerprint = fingerprintOf(wanted);
    const now = this.clock.now();
    const applied = locked.applied;
    if (
      locked.request?.force !== true &&
      locked.failures.length === 0 &&
      ((wanted.size === 0 && locked.grants.length === 0) ||
        (applied?.fingerprint === fingerprint &&
          now - applied.verifiedAt.getTime() < this.config.verifyIntervalMs))
    ) {
      return outcome('unchanged');
    }
    const needRoles = [...wanted.values(), ...locked.grants].some(
      (t) => t.kind === 'role',
    );
    let state;
    try {
      state = await this.reader.read(locked.rcUserId, needRoles);
    } catch (error) {
      return this.unreadable(locked, owner, error);
    }
    const plan = planChanges(
      wanted,
      locked.grants,
      state.current,
      (name) => state.role(name)?.id,
    );
    const result = await this.changes.execute(
      state.account,
      plan,
      locked.grants,
      state.role,
    );
    const complete = result.failures.length === 0;
    await this.repository.save(locked.rcUserId, owner, {
      grants: result.grants,
      failures: result.failures,
      applied: complete
        ? { fingerprint, at: new Date(now), verifiedAt: new Date(now) }
        : null,
    });
    this.report(locked, result);
    if (result.failures.some((f) => f.kind === 'role')) {
      this.reader.rolesChanged();
    }
    const changed = result.granted.length + result.withdrawn.length > 0;
    return {
      status: !complete ? 'partial' : changed ? 'applied' : 'unchanged',
      granted: result.granted,
      withdrawn: result.withdrawn,
      failed: result.failures.map((f) => ({
        target: { kind: f.kind, name: f.name },
        action: f.action,
        error: f.error,
      })),
    };
  }

  private async unreadable(
    locked: LockedGrants,
    owner: string,
    error: unknown,
  ): Promise<GroupSyncOutcome> {
    if (error instanceof GroupStateError && error.gone) {
      // Its grants went with the account; nothing is left to withdraw.
      await this.repository.save(locked.rcUserId, owner, {
        grants: [],
        failures: [],
        applied: null,
      });
      this.logger.warn(`${error.message}: its group grants are forgotten`);
      return outcome('applied');
    }
    const message = error instanceof Error ? error.message : String(error);
    await this.repository.save(locked.rcUserId, owner, {
      grants: locked.grants,
      failures: locked.failures,
      applied: null,
    });
    this.logger.warn(
      `Group mappings of Rocket.Chat user ${locked.rcUserId} not applied (retried at the next apply): ${message}`,
    );
    return { ...outcome('failed'), error: message };
  }

  private report(locked: LockedGrants, result: ChangeResult): void {
    const names = (targets: readonly GroupTarget[]) =>
      targets.map((t) => targetKey(t)).join(', ');
    if (result.granted.length + result.withdrawn.length > 0) {
      this.logger.log(
        `Group mappings of Rocket.Chat user ${locked.rcUserId}:` +
          (result.granted.length ? ` granted ${names(result.granted)};` : '') +
          (result.withdrawn.length
            ? ` withdrew ${names(result.withdrawn)};`
            : ''),
      );
    }
    for (const failure of result.failures) {
      this.logger.warn(
        `Could not ${failure.action} ${targetKey(failure)} ${failure.action === 'grant' ? 'to' : 'from'} Rocket.Chat user ${locked.rcUserId} (retried at the next apply): ${failure.error}`,
      );
    }
    const rules = new Map(
      [...locked.grants, ...result.grants].map((g) => [targetKey(g), g.rule]),
    );
    for (const [list, kind] of [
      [result.granted, 'rocketchat.group.granted'],
      [result.withdrawn, 'rocketchat.group.withdrawn'],
    ] as const) {
      for (const target of list) {
        void this.audit.record({
          kind,
          userId: locked.bridgeUserId,
          rocketChatUserId: locked.rcUserId,
          targetKind: target.kind,
          target: target.name,
          rule: rules.get(targetKey(target)),
        });
      }
    }
  }
}

/** Identifies what the rules want, so an unchanged sign-in needs no Rocket.Chat call. */
export function fingerprintOf(wanted: ReadonlyMap<string, unknown>): string {
  return createHash('sha256')
    .update([...wanted.keys()].sort().join('\n'))
    .digest('base64url');
}

function outcome(status: GroupSyncOutcome['status']): GroupSyncOutcome {
  return { status, granted: [], withdrawn: [], failed: [] };
}
