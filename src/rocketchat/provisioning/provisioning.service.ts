import { Injectable, Logger } from '@nestjs/common';
import type { BridgeUser } from '../../users/index.js';
import { AdminCredentials } from '../client/admin-credentials.service.js';
import { RocketChatApi } from '../client/rocketchat-api.service.js';
import type { RocketChatUser } from '../client/rocketchat-user.js';
import { AccountLinker } from './account-linker.service.js';
import { ProfileSync } from './profile-sync.service.js';
import { RocketChatAccountRefusedError } from './provisioning.errors.js';
import { UserLinksRepository } from './user-links.repository.js';
import { AccountStanding } from '../standing/account-standing.service.js';

/** The Rocket.Chat account a bridge user logs in as. */
export interface ProvisionedAccount {
  readonly rcUserId: string;
  readonly username: string;
}

/**
 * Provisioning at each token request: the linked account (checked in Rocket.Chat, profile kept in
 * step), or a newly linked or created one. Refuses users inactive on either side (but an account
 * the bridge deactivated when the person's source stopped vouching for them is re-activated: they
 * signed in again), and accounts that are bots or the bridge's own. Each time, the group mappings
 * are applied in the background (the token never waits for them).
 */
@Injectable()
export class ProvisioningService {
  private readonly logger = new Logger(ProvisioningService.name);

  constructor(
    private readonly api: RocketChatApi,
    private readonly links: UserLinksRepository,
    private readonly linker: AccountLinker,
    private readonly profile: ProfileSync,
    private readonly admin: AdminCredentials,
    private readonly standing: AccountStanding,
  ) {}

  async ensure(user: BridgeUser): Promise<ProvisionedAccount> {
    if (!user.active) {
      throw new RocketChatAccountRefusedError(
        'bridge-user-inactive',
        `Bridge user ${user.id} is disabled`,
      );
    }
    for (let round = 0; round < 3; round += 1) {
      const link = await this.links.find(user.id);
      if (link?.state === 'linked') {
        let account = await this.api.userById(link.rcUserId);
        if (
          account &&
          (link.deactivatedByBridge || link.deprovisionedAt !== undefined)
        ) {
          // The person signed in again, so their source vouches for them: undo the bridge's
          // deactivation (never one made by hand).
          const back = await this.standing.reinstate(user.id);
          if (back.account === 'reactivated') {
            account = { ...account, active: true };
          }
        }
        if (account) {
          this.checkUsable(user, account);
          await this.profile.afterLogin(user, account, link);
          this.standing.applyGroupsInBackground(user, account.id);
          return { rcUserId: account.id, username: account.username };
        }
        // Deleted in Rocket.Chat: the link goes, and the policy applies afresh.
        this.logger.warn(
          `Rocket.Chat user ${link.rcUserId} of bridge user ${user.id} no longer exists; provisioning again`,
        );
        await this.links.unlink(user.id, link.rcUserId);
        continue;
      }
      const account = await this.linker.link(user);
      if (account) {
        this.checkUsable(user, account);
        this.standing.applyGroupsInBackground(user, account.id);
        return { rcUserId: account.id, username: account.username };
      }
    }
    throw new Error(`Provisioning of bridge user ${user.id} did not settle`);
  }

  private checkUsable(user: BridgeUser, account: RocketChatUser): void {
    if (
      account.id === this.admin.userId ||
      (account.type !== undefined && account.type !== 'user')
    ) {
      throw new RocketChatAccountRefusedError(
        'privileged-account',
        `Bridge user ${user.id} is linked to Rocket.Chat user ${account.id}, a bot or the bridge's own account`,
      );
    }
    if (!account.active) {
      throw new RocketChatAccountRefusedError(
        'rocketchat-user-inactive',
        `Rocket.Chat user ${account.id} of bridge user ${user.id} is deactivated`,
      );
    }
  }
}
