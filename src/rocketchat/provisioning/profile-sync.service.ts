import { Injectable, Logger } from '@nestjs/common';
import { AuditService } from '../../audit/index.js';
import type { BridgeUser } from '../../users/index.js';
import { InjectConfig, type RocketChatConfig } from '../../config/index.js';
import {
  RocketChatApi,
  type RocketChatUserChanges,
} from '../client/rocketchat-api.service.js';
import type { RocketChatUser } from '../client/rocketchat-user.js';
import { renderAvatarUrl } from './avatar-url.js';
import { UserLinksRepository, type UserLink } from './user-links.repository.js';

/** The display name Rocket.Chat gets for a bridge user. */
export function displayNameOf(user: BridgeUser): string {
  return user.displayName ?? user.username;
}

/**
 * Keeps a linked account's name, e-mail and avatar in step with the bridge user at login, for the
 * fields configured `always`. Only what differs is written. A failure is logged and the login
 * goes on: a stale profile is no reason to refuse a login.
 */
@Injectable()
export class ProfileSync {
  private readonly logger = new Logger(ProfileSync.name);

  constructor(
    @InjectConfig('rocketchat') private readonly config: RocketChatConfig,
    private readonly api: RocketChatApi,
    private readonly links: UserLinksRepository,
    private readonly audit: AuditService,
  ) {}

  async afterLogin(
    user: BridgeUser,
    account: RocketChatUser,
    link: UserLink,
  ): Promise<void> {
    const { syncName, syncEmail } = this.config.provisioning;
    const changes: { name?: string; email?: string } = {};
    const name = displayNameOf(user);
    if (syncName === 'always' && account.name !== name) {
      changes.name = name;
    }
    const current = account.emails[0]?.address.toLowerCase();
    if (
      syncEmail === 'always' &&
      user.email !== undefined &&
      user.email.toLowerCase() !== current
    ) {
      changes.email = user.email;
    }
    if (Object.keys(changes).length > 0) {
      await this.update(user, account.id, changes);
    }
    if (this.config.provisioning.syncAvatar === 'always') {
      await this.avatar(user, account, link.syncedAvatarUrl);
    }
  }

  /** Sets the avatar if one is configured and differs from the last one set; returns it. */
  async avatar(
    user: BridgeUser,
    account: RocketChatUser,
    lastSet: string | undefined,
  ): Promise<string | undefined> {
    const template = this.config.provisioning.avatarUrl;
    if (template === undefined) {
      return undefined;
    }
    const url = renderAvatarUrl(template, {
      bridgeUserId: user.id,
      username: user.username,
      rcUsername: account.username,
      email: user.email,
    });
    if (url === undefined || url === lastSet) {
      return lastSet;
    }
    try {
      await this.api.setAvatarUrl(account.id, url);
      await this.links.setSyncedAvatar(user.id, url);
      this.audited(user, account.id, ['avatar']);
      return url;
    } catch (error) {
      this.logger.warn(
        `Could not set the avatar of Rocket.Chat user ${account.id}: ${(error as Error).message}`,
      );
      return lastSet;
    }
  }

  private async update(
    user: BridgeUser,
    rcUserId: string,
    changes: RocketChatUserChanges,
  ): Promise<void> {
    try {
      await this.api.updateUser(rcUserId, changes);
      this.logger.log(
        `Updated ${Object.keys(changes).join(' and ')} of Rocket.Chat user ${rcUserId}`,
      );
      this.audited(user, rcUserId, Object.keys(changes));
    } catch (error) {
      this.logger.warn(
        `Could not update Rocket.Chat user ${rcUserId}: ${(error as Error).message}`,
      );
    }
  }

  /** The field names only: values (an e-mail address...) stay out of the trail. */
  private audited(
    user: BridgeUser,
    rcUserId: string,
    fields: readonly string[],
  ): void {
    void this.audit.record({
      kind: 'rocketchat.user.updated',
      userId: user.id,
      rocketChatUserId: rcUserId,
      fields,
    });
  }
}
