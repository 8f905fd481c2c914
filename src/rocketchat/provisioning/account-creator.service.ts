import { Injectable, Logger } from '@nestjs/common';
import { AuditService } from '../../audit/index.js';
import type { BridgeUser } from '../../users/index.js';
import { InjectConfig, type RocketChatConfig } from '../../config/index.js';
import { RocketChatApi } from '../client/rocketchat-api.service.js';
import {
  isPrivileged,
  type RocketChatUser,
} from '../client/rocketchat-user.js';
import { RocketChatRequestError } from '../client/rocketchat.errors.js';
import { displayNameOf, ProfileSync } from './profile-sync.service.js';
import { RocketChatAccountRefusedError } from './provisioning.errors.js';
import { generateRocketChatPassword } from './random-password.js';
import {
  UserLinksRepository,
  type ClaimedLink,
} from './user-links.repository.js';
import { UsernameRules } from './username-rules.js';

/** Clock skew tolerated when matching a found account to a recorded creation intent. */
const INTENT_SKEW_MS = 5 * 60_000;

/**
 * `users.create` for a bridge user: a strong random password, the configured roles and default
 * channels, the first free user name among the user's deterministic candidates. Each attempt's
 * user name and e-mail are recorded before the call (see UserLinkDocument). An address Rocket.Chat
 * already has for another account (bridge users may share one) falls back to
 * `<user name>@ROCKETCHAT_FALLBACK_EMAIL_DOMAIN`, as does a missing one: Rocket.Chat requires it.
 */
@Injectable()
export class AccountCreator {
  private readonly logger = new Logger(AccountCreator.name);
  private readonly rules: UsernameRules;

  constructor(
    @InjectConfig('rocketchat') private readonly config: RocketChatConfig,
    private readonly api: RocketChatApi,
    private readonly links: UserLinksRepository,
    private readonly profile: ProfileSync,
    private readonly audit: AuditService,
  ) {
    this.rules = new UsernameRules(config.provisioning.usernamePattern);
  }

  async create(
    user: BridgeUser,
    base: string,
    claim: ClaimedLink,
  ): Promise<RocketChatUser> {
    const settings = this.config.provisioning;
    const candidates = this.rules.candidates(base, user.id);
    for (const username of candidates) {
      let email = user.email ?? this.fallbackEmail(username);
      for (;;) {
        await this.links.recordIntent(claim, { username, email });
        try {
          const account = await this.api.createUser({
            username,
            email,
            name: displayNameOf(user),
            password: generateRocketChatPassword(),
            roles: settings.roles,
            joinDefaultChannels: settings.joinDefaultChannels,
            verified: false,
          });
          const avatar = await this.profile.avatar(user, account, undefined);
          await this.links.link(claim, {
            rcUserId: account.id,
            rcUsername: account.username,
            createdByBridge: true,
            syncedAvatarUrl: avatar,
          });
          this.logger.log(
            `Created Rocket.Chat user ${account.id} (${account.username}) for bridge user ${user.id}`,
          );
          void this.audit.record({
            kind: 'rocketchat.user.created',
            userId: user.id,
            rocketChatUserId: account.id,
            username: account.username,
          });
          return account;
        } catch (error) {
          const taken = unavailableValue(error);
          if (
            taken !== undefined &&
            sameText(taken, username) &&
            claim.pendingUsername !== undefined &&
            sameText(claim.pendingUsername, username)
          ) {
            // An earlier attempt's users.create (timed out, yet still under way) got there first.
            const earlier = await this.adoptEarlierAttempt(
              user,
              claim,
              username,
              [email, claim.pendingEmail],
            );
            if (earlier) {
              return earlier;
            }
          }
          if (taken !== undefined && sameText(taken, email)) {
            const fallback = this.fallbackEmail(username);
            if (email === fallback) {
              break;
            }
            this.logger.warn(
              `The e-mail address of bridge user ${user.id} belongs to another Rocket.Chat account; using ${fallback}`,
            );
            email = fallback;
            continue;
          }
          if (taken !== undefined || isInvalidUsername(error)) {
            break;
          }
          throw error;
        }
      }
    }
    throw new RocketChatAccountRefusedError(
      'no-username',
      `No free Rocket.Chat user name for bridge user ${user.id} (tried ${candidates.join(', ')})`,
    );
  }

  /**
   * The account an earlier attempt (whose intent the claim recorded) created after all, linked now:
   * user name and one of the intended addresses match, it is an ordinary account, and it was
   * created after that intent. Undefined when there is no such account.
   */
  async adoptEarlierAttempt(
    user: BridgeUser,
    claim: ClaimedLink,
    username: string,
    emails: readonly (string | undefined)[],
  ): Promise<RocketChatUser | undefined> {
    if (!claim.intentAt) {
      return undefined;
    }
    const addresses = new Set(
      emails.flatMap((e) => (e ? [e.toLowerCase()] : [])),
    );
    const found = await this.api.userByUsername(username);
    const ours =
      found !== null &&
      !isPrivileged(found) &&
      found.emails.some((e) => addresses.has(e.address.toLowerCase())) &&
      (found.createdAt === undefined ||
        found.createdAt.getTime() >= claim.intentAt.getTime() - INTENT_SKEW_MS);
    if (!ours) {
      return undefined;
    }
    this.logger.log(
      `Rocket.Chat user ${found.id} was created by an interrupted attempt for bridge user ${user.id}; linking it`,
    );
    // Its users.create call never came back, so the creation was not recorded then.
    void this.audit.record({
      kind: 'rocketchat.user.created',
      userId: user.id,
      rocketChatUserId: found.id,
      username: found.username,
    });
    await this.links.link(claim, {
      rcUserId: found.id,
      rcUsername: found.username,
      createdByBridge: true,
    });
    return found;
  }

  private fallbackEmail(username: string): string {
    const local = username
      .normalize('NFKD')
      .replace(/[^A-Za-z0-9._-]/g, '_')
      .replace(/^\.+|\.+$/g, '')
      .slice(0, 64);
    return `${local || 'user'}@${this.config.provisioning.fallbackEmailDomain}`;
  }
}

/** The value Rocket.Chat called "already in use" (`error-field-unavailable`), if that was the error. */
function unavailableValue(error: unknown): string | undefined {
  if (
    !(error instanceof RocketChatRequestError) ||
    error.errorType !== 'error-field-unavailable'
  ) {
    return undefined;
  }
  const field = error.details?.field;
  if (typeof field === 'string') {
    return field;
  }
  return unescapeHtml(
    error.reason?.replace(/ is already in use :\($/, '') ?? '',
  );
}

function isInvalidUsername(error: unknown): boolean {
  return (
    error instanceof RocketChatRequestError &&
    (error.errorType === 'error-input-is-not-a-valid-field' ||
      error.errorType === 'error-blocked-username')
  );
}

function sameText(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

/** Rocket.Chat escapes the value in its message (lodash `escape`). */
function unescapeHtml(text: string): string {
  return text
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&');
}
