import { Injectable, Logger } from '@nestjs/common';
import { AdminCredentials } from '../client/admin-credentials.service.js';
import { RocketChatApi } from '../client/rocketchat-api.service.js';

/**
 * The only way the bridge calls `users.logout`. Rocket.Chat reads a missing or empty `userId`
 * as "the caller", which would log out the bridge's own account and delete its personal access
 * token; and it clears every token of the user, personal access tokens included. So the id must be
 * non-empty, not the bridge's own, and name an existing ordinary account (checked with
 * `users.info` just before): never an admin, a bot or an app.
 */
@Injectable()
export class UserLogoutService {
  private readonly logger = new Logger(UserLogoutService.name);

  constructor(
    private readonly api: RocketChatApi,
    private readonly admin: AdminCredentials,
  ) {}

  /** Logs the user out everywhere; false when the guard refused (nothing was sent). */
  async logoutUser(rcUserId: string): Promise<boolean> {
    if (typeof rcUserId !== 'string' || rcUserId.trim() === '') {
      this.logger.error('Refused users.logout without a Rocket.Chat user id');
      return false;
    }
    const own = this.admin.userId ?? (await this.admin.get()).userId;
    if (rcUserId === own) {
      this.logger.error(
        "Refused users.logout for the bridge's own Rocket.Chat account",
      );
      return false;
    }
    const account = await this.api.userById(rcUserId);
    if (!account) {
      return true;
    }
    const roles = account.roles;
    if (
      roles === undefined ||
      roles.includes('admin') ||
      roles.includes('bot') ||
      roles.includes('app') ||
      (account.type !== undefined && account.type !== 'user')
    ) {
      this.logger.error(
        `Refused users.logout for Rocket.Chat user ${rcUserId}: an admin, bot or app account, or roles unknown`,
      );
      return false;
    }
    await this.api.logoutUser(account.id);
    this.logger.log(`Logged Rocket.Chat user ${rcUserId} out everywhere`);
    return true;
  }
}
