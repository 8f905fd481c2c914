import { randomUUID } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { InjectConfig, type GroupMappingConfig } from '../../config/index.js';
import { describeMongoError } from '../../database/index.js';
import { outsideCallBudget } from '../client/call-budget.js';
import { GroupApplier } from './group-applier.service.js';
import {
  GroupGrantsRepository,
  type GroupRequest,
} from './group-grants.repository.js';
import { planChanges, wantedTargets } from './group-plan.js';
import { GroupStateReader } from './group-state-reader.service.js';
import type {
  GroupEvaluation,
  GroupSyncOutcome,
  GroupSyncPlan,
  GroupSyncRequest,
  GroupWithdrawRequest,
} from './group-sync.types.js';

/** How long one apply may hold an account's lease before another may take it over. */
const LEASE_MS = 120_000;
/** Newer requests picked up by one lease holder before it lets go (they only repeat work). */
const MAX_ROUNDS = 5;
const MAX_GROUPS = 1000;

/**
 * Groups to Rocket.Chat: the entry point for sign-in, re-checks and deprovisioning. Each call
 * records the request, then at most one apply per account runs at a time (MongoDB lease); a
 * request arriving meanwhile is applied by the running one. Never throws: a failure is logged,
 * recorded and retried at the next apply, and a sign-in goes on whatever happens here.
 */
@Injectable()
export class GroupSync {
  private readonly logger = new Logger('GroupSync');

  constructor(
    @InjectConfig('groupMapping') private readonly config: GroupMappingConfig,
    private readonly repository: GroupGrantsRepository,
    private readonly applier: GroupApplier,
    private readonly reader: GroupStateReader,
  ) {}

  /** Grants what the person's groups map to and withdraws what the bridge granted that they no longer do. */
  apply(request: GroupSyncRequest): Promise<GroupSyncOutcome> {
    return this.run(request, {
      groups: [...new Set(request.groups)].slice(0, MAX_GROUPS),
      source: request.source,
      withdrawAll: false,
      force: request.force === true,
    });
  }

  /** A deprovisioned person: everything the bridge granted is withdrawn (nothing else is touched). */
  withdrawAll(request: GroupWithdrawRequest): Promise<GroupSyncOutcome> {
    return this.run(request, {
      groups: [],
      source: 'withdraw',
      withdrawAll: true,
      force: true,
    });
  }

  /** What the rules make of these groups; no I/O. */
  evaluate(groups: readonly string[], source: string): GroupEvaluation {
    return evaluateGroupMappings(this.config, groups, source);
  }

  /** What `apply` would change now: reads Rocket.Chat and the records, writes nothing. Throws when Rocket.Chat cannot be read. */
  async plan(request: GroupSyncRequest): Promise<GroupSyncPlan> {
    const evaluation = this.evaluate(request.groups, request.source);
    const wanted = this.applier.wanted({
      groups: [...request.groups],
      source: request.source,
      withdrawAll: false,
      force: false,
    });
    const record = await this.repository.find(request.rocketChatUserId);
    const grants = record?.grants ?? [];
    const state = await this.reader.read(
      request.rocketChatUserId,
      [...wanted.values(), ...grants].some((t) => t.kind === 'role'),
    );
    const plan = planChanges(
      wanted,
      grants,
      state.current,
      (name) => state.role(name)?.id,
    );
    return {
      ...evaluation,
      grant: plan.grant,
      withdraw: plan.withdraw,
      preexisting: plan.preexisting,
      keep: plan.keep,
      pendingFailures: (record?.failures ?? []).map((f) => ({
        target: { kind: f.kind, name: f.name },
        action: f.action,
        error: f.error,
      })),
    };
  }

  private async run(
    who: GroupWithdrawRequest,
    request: GroupRequest,
  ): Promise<GroupSyncOutcome> {
    const { rocketChatUserId: rcUserId, bridgeUserId } = who;
    const owner = randomUUID();
    let locked = false;
    try {
      // Nothing configured and nothing ever granted to this account: no record, no call.
      if (
        this.config.rules.length === 0 &&
        (await this.repository.find(rcUserId)) === null
      ) {
        return empty('unchanged');
      }
      await this.repository.request(rcUserId, bridgeUserId, request);
      let current = await this.repository.tryLock(rcUserId, owner, LEASE_MS);
      if (current === null) {
        return empty('deferred');
      }
      locked = true;
      const total: GroupSyncOutcome[] = [];
      for (let round = 0; round < MAX_ROUNDS && current; round += 1) {
        const seq: number = current.requestSeq;
        // Calls for this account may outlive the request that asked for them.
        total.push(
          await outsideCallBudget(() => this.applier.apply(current!, owner)),
        );
        if (await this.repository.release(rcUserId, owner, seq)) {
          locked = false;
          return merge(total);
        }
        current = await this.repository.reread(rcUserId, owner);
      }
      return merge(total);
    } catch (error) {
      const reason = describe(error);
      this.logger.warn(
        `Group mappings of Rocket.Chat user ${rcUserId} not applied (retried at the next apply): ${reason}`,
      );
      return { ...empty('failed'), error: reason };
    } finally {
      if (locked) {
        await this.repository.abandon(rcUserId, owner).catch(() => undefined);
      }
    }
  }
}

/**
 * What GROUP_MAPPINGS make of some groups from a source, without GroupSync (and so without the
 * Rocket.Chat client): for commands that must not touch Rocket.Chat.
 */
export function evaluateGroupMappings(
  config: GroupMappingConfig,
  groups: readonly string[],
  source: string,
): GroupEvaluation {
  const { wanted, matchedRules } = wantedTargets(config.rules, groups, source);
  return { matchedRules, targets: [...wanted.values()] };
}

/** MongoDB errors by name and code only (their messages may quote documents). */
function describe(error: unknown): string {
  return error instanceof Error && !error.name.startsWith('Mongo')
    ? error.message
    : `MongoDB: ${describeMongoError(error)}`;
}

function empty(status: GroupSyncOutcome['status']): GroupSyncOutcome {
  return { status, granted: [], withdrawn: [], failed: [] };
}

/** Several rounds as one outcome: the last round's status, every change made. */
function merge(rounds: readonly GroupSyncOutcome[]): GroupSyncOutcome {
  const last = rounds.at(-1) ?? empty('unchanged');
  const changed = rounds.some((r) => r.status === 'applied');
  return {
    ...last,
    status: last.status === 'unchanged' && changed ? 'applied' : last.status,
    granted: rounds.flatMap((r) => r.granted),
    withdrawn: rounds.flatMap((r) => r.withdrawn),
  };
}
