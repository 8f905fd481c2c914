import { randomUUID } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { AuditService } from '../../audit/index.js';
import type { BridgeUser } from '../../users/index.js';
import { InjectConfig, type RocketChatConfig } from '../../config/index.js';
import { AdminCredentials } from '../client/admin-credentials.service.js';
import { RocketChatApi } from '../client/rocketchat-api.service.js';
import {
  isPrivileged,
  type RocketChatUser,
} from '../client/rocketchat-user.js';
import {
  RocketChatRequestError,
  RocketChatUnavailableError,
} from '../client/rocketchat.errors.js';
import { AccountCreator } from './account-creator.service.js';
import { RocketChatAccountRefusedError } from './provisioning.errors.js';
import {
  AccountAlreadyLinkedError,
  UserLinksRepository,
  type ClaimedLink,
} from './user-links.repository.js';
import { UsernameRules } from './username-rules.js';

const LEASE_MS = 30_000;
const WAIT_FOR_OTHER_MS = 8_000;

/**
 * Finds or makes the Rocket.Chat account of a bridge user that has none yet, under
 * ROCKETCHAT_LINK_POLICY, while holding the user's provisioning lease (one process at a time).
 * Never links an account the policy does not allow, an admin, a bot, or the bridge's own account.
 */
@Injectable()
export class AccountLinker {
  private readonly logger = new Logger(AccountLinker.name);
  private readonly owner = randomUUID();
  private readonly rules: UsernameRules;

  constructor(
    @InjectConfig('rocketchat') private readonly config: RocketChatConfig,
    private readonly api: RocketChatApi,
    private readonly links: UserLinksRepository,
    private readonly creator: AccountCreator,
    private readonly admin: AdminCredentials,
    private readonly audit: AuditService,
  ) {
    this.rules = new UsernameRules(config.provisioning.usernamePattern);
  }

  /** The linked account; `null` when another process linked it meanwhile (read the link again). */
  async link(user: BridgeUser): Promise<RocketChatUser | null> {
    const deadline = Date.now() + WAIT_FOR_OTHER_MS;
    for (;;) {
      const claim = await this.links.claim(user.id, this.owner, LEASE_MS);
      if (claim) {
        return this.linkClaimed(user, claim);
      }
      if ((await this.links.find(user.id))?.state === 'linked') {
        return null;
      }
      if (Date.now() > deadline) {
        throw new RocketChatUnavailableError(
          'users.create',
          'timeout',
          'another request is still provisioning this user',
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  private async linkClaimed(
    user: BridgeUser,
    claim: ClaimedLink,
  ): Promise<RocketChatUser> {
    try {
      const account =
        (await this.resolveIntent(user, claim)) ??
        (await this.applyPolicy(user, claim));
      this.logger.log(
        `Bridge user ${user.id} linked to Rocket.Chat user ${account.id}`,
      );
      void this.audit.record({
        kind: 'rocketchat.user.linked',
        userId: user.id,
        rocketChatUserId: account.id,
        username: account.username,
      });
      return account;
    } finally {
      await this.links.release(claim);
    }
  }

  /** A previous attempt recorded an intent: did its `users.create` happen after all? */
  private async resolveIntent(
    user: BridgeUser,
    claim: ClaimedLink,
  ): Promise<RocketChatUser | undefined> {
    if (!claim.pendingUsername) {
      return undefined;
    }
    return this.creator.adoptEarlierAttempt(
      user,
      claim,
      claim.pendingUsername,
      [claim.pendingEmail],
    );
  }

  private async applyPolicy(
    user: BridgeUser,
    claim: ClaimedLink,
  ): Promise<RocketChatUser> {
    const base = this.rules.normalise(user.username, user.id);
    for (const rule of this.config.provisioning.linkPolicy) {
      if (rule === 'create') {
        return this.creator.create(user, base, claim);
      }
      const existing =
        rule === 'username'
          ? await this.api.userByUsername(base)
          : await this.findByVerifiedEmail(user);
      if (existing && (await this.tryLink(user, existing, claim))) {
        return existing;
      }
    }
    throw new RocketChatAccountRefusedError(
      'no-link',
      `No Rocket.Chat account may be linked to bridge user ${user.id} under ROCKETCHAT_LINK_POLICY=${this.config.provisioning.linkPolicy.join(',')}`,
    );
  }

  private async findByVerifiedEmail(
    user: BridgeUser,
  ): Promise<RocketChatUser | null> {
    if (!user.email) {
      return null;
    }
    let found: RocketChatUser | null;
    try {
      found = await this.api.userByEmail(user.email);
    } catch (error) {
      if (
        error instanceof RocketChatRequestError &&
        /invalid-params/.test(error.errorType ?? '')
      ) {
        this.logger.warn(
          'ROCKETCHAT_LINK_POLICY=email needs Rocket.Chat 8 (users.info by e-mail); skipping that rule',
        );
        return null;
      }
      throw error;
    }
    const address = user.email.toLowerCase();
    return found?.emails.some(
      (e) => e.verified && e.address.toLowerCase() === address,
    )
      ? found
      : null;
  }

  /** Links an existing account unless it is privileged or already someone else's. */
  private async tryLink(
    user: BridgeUser,
    account: RocketChatUser,
    claim: ClaimedLink,
  ): Promise<boolean> {
    if (isPrivileged(account) || account.id === this.admin.userId) {
      this.logger.warn(
        `Not linking bridge user ${user.id} to Rocket.Chat user ${account.id}: admin, bot or the bridge's own account`,
      );
      return false;
    }
    try {
      await this.links.link(claim, {
        rcUserId: account.id,
        rcUsername: account.username,
        createdByBridge: false,
      });
      return true;
    } catch (error) {
      if (error instanceof AccountAlreadyLinkedError) {
        this.logger.warn(
          `Not linking bridge user ${user.id} to Rocket.Chat user ${account.id}: linked to another bridge user`,
        );
        return false;
      }
      throw error;
    }
  }
}
