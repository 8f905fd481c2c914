import { Injectable, Logger } from '@nestjs/common';
import { AuditService } from '../../audit/index.js';
import { Clock } from '../../common/index.js';
import type { BridgeUser } from '../../users/index.js';
import { AdminCredentials } from '../client/admin-credentials.service.js';
import { RocketChatApi } from '../client/rocketchat-api.service.js';
import { isPrivileged } from '../client/rocketchat-user.js';
import { isRefusedWith, isTransient } from '../client/rocketchat.errors.js';
import { GroupSync } from '../groups/group-sync.service.js';
import type { GroupSyncOutcome } from '../groups/group-sync.types.js';
import { UserLinksRepository } from '../provisioning/user-links.repository.js';
import { StandingMarks } from './standing-marks.repository.js';

/** A deactivation Rocket.Chat did not answer is tried again after this long. */
export const DEACTIVATION_RETRY_MS = 60_000;

/**
 * What became of the Rocket.Chat account: `deactivated` now by the bridge; `already-inactive`
 * (by the bridge earlier, or by hand); `kept` (LDAP_DEPROVISION=logout); `not-linked` (no
 * account yet); `refused` by Rocket.Chat or by the bridge's own rules (see `error`); `retrying`
 * (Rocket.Chat did not answer); `reactivated` by the bridge; `active` (nothing to undo).
 */
export type AccountAction =
  | 'deactivated'
  | 'already-inactive'
  | 'kept'
  | 'not-linked'
  | 'refused'
  | 'retrying'
  | 'reactivated'
  | 'active';

export interface StandingOutcome {
  readonly account: AccountAction;
  readonly rcUserId?: string;
  /** Group mappings withdrawn (deprovisioning) or applied (the person is back). */
  readonly groups?: GroupSyncOutcome;
  /** Readable, without secrets. */
  readonly error?: string;
}

/**
 * A person's Rocket.Chat account following their identity source. Deprovisioned (the source no
 * longer vouches for them): everything the group mappings granted is withdrawn first (Rocket.Chat
 * refuses to take an inactive user out of a team), then, with `deactivate`, the account is
 * deactivated and the bridge records that it did. Back: only an account the bridge deactivated is
 * re-activated. Never touches an admin, a bot or the bridge's own account. Nothing here throws
 * for Rocket.Chat's sake: failures are outcomes (MongoDB errors propagate).
 */
@Injectable()
export class AccountStanding {
  private readonly logger = new Logger(AccountStanding.name);

  constructor(
    private readonly links: UserLinksRepository,
    private readonly marks: StandingMarks,
    private readonly api: RocketChatApi,
    private readonly groups: GroupSync,
    private readonly admin: AdminCredentials,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  async deprovision(
    bridgeUserId: string,
    mode: 'deactivate' | 'logout',
  ): Promise<StandingOutcome> {
    const link = await this.links.find(bridgeUserId);
    if (link?.state !== 'linked') {
      return { account: 'not-linked' };
    }
    const rcUserId = link.rcUserId;
    await this.marks.markDeprovisioned(bridgeUserId, this.now());
    const groups = await this.groups.withdrawAll({
      bridgeUserId,
      rocketChatUserId: rcUserId,
    });
    if (mode === 'logout') {
      return { account: 'kept', rcUserId, groups };
    }
    try {
      const account = await this.api.userById(rcUserId);
      if (!account) {
        return { account: 'not-linked', rcUserId, groups };
      }
      if (isPrivileged(account) || account.id === this.admin.userId) {
        return {
          account: 'refused',
          rcUserId,
          groups,
          error:
            'an admin, bot or the bridge’s own account is never deactivated',
        };
      }
      if (!account.active) {
        await this.marks.cancelRetry(bridgeUserId);
        return { account: 'already-inactive', rcUserId, groups };
      }
      await this.api.setActiveStatus(rcUserId, false);
      await this.marks.recordDeactivated(bridgeUserId);
      this.logger.log(
        `Deactivated Rocket.Chat user ${rcUserId} of bridge user ${bridgeUserId}: its source no longer vouches for the person`,
      );
      return { account: 'deactivated', rcUserId, groups };
    } catch (error) {
      return this.deactivationFailed(bridgeUserId, rcUserId, groups, error);
    }
  }

  /**
   * The source vouches for the person again: an account the bridge deactivated is re-activated,
   * and the deprovisioning marks go. Without marks, nothing is read or written.
   */
  async reinstate(bridgeUserId: string): Promise<StandingOutcome> {
    const link = await this.links.find(bridgeUserId);
    if (link?.state !== 'linked') {
      return { account: 'not-linked' };
    }
    const rcUserId = link.rcUserId;
    if (!link.deactivatedByBridge) {
      if (link.deprovisionedAt !== undefined) {
        await this.marks.clear(bridgeUserId);
      }
      return { account: 'active', rcUserId };
    }
    try {
      await this.api.setActiveStatus(rcUserId, true);
    } catch (error) {
      const reason = describe(error);
      this.logger.warn(
        `Could not re-activate Rocket.Chat user ${rcUserId} of bridge user ${bridgeUserId} (${reason}); tried again at the next sign-in or re-check`,
      );
      return { account: 'refused', rcUserId, error: reason };
    }
    await this.marks.clear(bridgeUserId);
    void this.audit.record({
      kind: 'account.reinstated',
      userId: bridgeUserId,
      rocketChatUserId: rcUserId,
    });
    this.logger.log(
      `Re-activated Rocket.Chat user ${rcUserId} of bridge user ${bridgeUserId}: its source vouches for the person again`,
    );
    return { account: 'reactivated', rcUserId };
  }

  /** The group mappings for the user's stored groups, when the account is known (never throws). */
  async applyGroups(
    user: Pick<BridgeUser, 'id' | 'groups' | 'source'>,
    rcUserId?: string,
  ): Promise<GroupSyncOutcome | undefined> {
    const target = rcUserId ?? (await this.linkedAccount(user.id));
    if (target === undefined) {
      return undefined;
    }
    return this.groups.apply({
      bridgeUserId: user.id,
      rocketChatUserId: target,
      groups: user.groups,
      source: user.source,
    });
  }

  /**
   * applyGroups without waiting (the sign-in's token must not wait for Rocket.Chat's room and role
   * calls); GroupSync logs and records its own failures.
   */
  applyGroupsInBackground(
    user: Pick<BridgeUser, 'id' | 'groups' | 'source'>,
    rcUserId: string,
  ): void {
    this.applyGroups(user, rcUserId).catch((error: unknown) => {
      this.logger.warn(
        `Group mappings of bridge user ${user.id} not applied: ${(error as Error).name}`,
      );
    });
  }

  /** Bridge users whose deactivation waits for Rocket.Chat's return, due now. */
  dueRetries(limit: number): Promise<string[]> {
    return this.marks.dueRetries(this.now(), limit);
  }

  private async linkedAccount(
    bridgeUserId: string,
  ): Promise<string | undefined> {
    const link = await this.links.find(bridgeUserId);
    return link?.state === 'linked' ? link.rcUserId : undefined;
  }

  private async deactivationFailed(
    bridgeUserId: string,
    rcUserId: string,
    groups: GroupSyncOutcome,
    error: unknown,
  ): Promise<StandingOutcome> {
    const reason = describe(error);
    if (isTransient(error)) {
      await this.marks.scheduleRetry(
        bridgeUserId,
        new Date(this.now().getTime() + DEACTIVATION_RETRY_MS),
      );
      this.logger.warn(
        `Could not deactivate Rocket.Chat user ${rcUserId} of bridge user ${bridgeUserId} (${reason}); trying again in a minute`,
      );
      return { account: 'retrying', rcUserId, groups, error: reason };
    }
    await this.marks.cancelRetry(bridgeUserId);
    this.logger.warn(
      `Rocket.Chat refused to deactivate user ${rcUserId} of bridge user ${bridgeUserId}: ${reason}`,
    );
    return { account: 'refused', rcUserId, groups, error: reason };
  }

  private now(): Date {
    return new Date(this.clock.now());
  }
}

function describe(error: unknown): string {
  if (isRefusedWith(error, 'user-last-owner')) {
    return (
      'Rocket.Chat refuses to deactivate the last owner of a room (user-last-owner): give the ' +
      'rooms another owner, or deactivate the account in Rocket.Chat, which offers to'
    );
  }
  if (error instanceof Error && !error.name.startsWith('Mongo')) {
    return error.message;
  }
  throw error;
}
