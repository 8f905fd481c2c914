import { Injectable, Logger } from '@nestjs/common';
import { AuditService } from '../audit/index.js';
import { profileOf } from '../auth/index.js';
import { InjectConfig, type LdapConfig } from '../config/index.js';
import {
  LDAP_SOURCE,
  LdapAuthenticator,
  LdapConfigurationError,
  LdapUnavailableError,
  type AuthenticatedPerson,
  type LdapLookupResult,
} from '../identity/index.js';
import { AccountStanding, type StandingOutcome } from '../rocketchat/index.js';
import { SessionLifecycle } from '../session/index.js';
import { UserIdentitiesRepository, type BridgeUser } from '../users/index.js';
import { profileChanges, type ProfileChanges } from './profile-changes.js';

/**
 * What the source says now: `active`, `gone` (deleted, or moved out of LDAP_SEARCH_BASE or
 * LDAP_USER_FILTER), `disabled`, `not-in-group` (out of LDAP_REQUIRED_GROUP); `unavailable` (the
 * directory did not answer, or LDAP is not configured: nothing changed); `not-directory` (a user
 * of another source: only their group mappings are applied).
 */
export type RecheckStatus =
  | 'active'
  | 'gone'
  | 'disabled'
  | 'not-in-group'
  | 'unavailable'
  | 'not-directory';

export interface RecheckReport {
  readonly userId: string;
  readonly username: string;
  readonly source: string;
  readonly status: RecheckStatus;
  /** Name, e-mail and groups as the directory has them now (active people). */
  readonly profile: ProfileChanges;
  readonly sessionsEnded: number;
  /** What happened (or, in a dry run, would happen) in Rocket.Chat. */
  readonly rocketChat: StandingOutcome | undefined;
  readonly dryRun: boolean;
  /** Why the directory could not answer. */
  readonly error?: string;
}

const NO_CHANGES: ProfileChanges = { fields: [], added: [], removed: [] };

/**
 * The directory stays the source of truth: a directory person's bridge user checked against the
 * directory again (by stable id, so a rename or a move within the search base changes nothing).
 * Active: name, address and groups follow the directory, an account the bridge deactivated comes
 * back, and the group mappings are applied. Gone, disabled or out of the required group: every
 * session ends (their Rocket.Chat logins are revoked through `session.ended`), and the account is
 * deprovisioned under LDAP_DEPROVISION. A directory that does not answer changes nothing: existing
 * sessions stay (fail open, see docs/ldap.md), new sign-ins fail closed.
 */
@Injectable()
export class SourceRecheck {
  private readonly logger = new Logger(SourceRecheck.name);

  constructor(
    @InjectConfig('ldap') private readonly config: LdapConfig,
    private readonly ldap: LdapAuthenticator,
    private readonly identities: UserIdentitiesRepository,
    private readonly sessions: SessionLifecycle,
    private readonly standing: AccountStanding,
    private readonly audit: AuditService,
  ) {}

  async check(user: BridgeUser, dryRun = false): Promise<RecheckReport> {
    const base = {
      userId: user.id,
      username: user.username,
      source: user.source,
      profile: NO_CHANGES,
      sessionsEnded: 0,
      rocketChat: undefined,
      dryRun,
    };
    if (user.source !== LDAP_SOURCE.kind) {
      // Groups set by the CLI or last given by a provider: their mappings, nothing else.
      const groups = dryRun ? undefined : await this.standing.applyGroups(user);
      return {
        ...base,
        status: 'not-directory',
        rocketChat: groups && { account: 'active', groups },
      };
    }
    let found: LdapLookupResult;
    try {
      found = await this.lookup(user);
    } catch (error) {
      return { ...base, status: 'unavailable', error: describe(error) };
    }
    if (found.status === 'active') {
      return {
        ...base,
        ...(await this.stillActive(user, found.person, dryRun)),
      };
    }
    return { ...base, ...(await this.deprovision(user, found.status, dryRun)) };
  }

  private lookup(user: BridgeUser): Promise<LdapLookupResult> {
    if (!this.config.enabled) {
      throw new LdapConfigurationError('LDAP_URL is not set');
    }
    if (user.externalId === undefined) {
      throw new LdapConfigurationError('the user has no directory id');
    }
    return this.ldap.lookup({ externalId: user.externalId });
  }

  private async stillActive(
    user: BridgeUser,
    person: AuthenticatedPerson,
    dryRun: boolean,
  ): Promise<Pick<RecheckReport, 'status' | 'profile' | 'rocketChat'>> {
    const profile = profileOf(person);
    const changes = profileChanges(user, profile);
    if (dryRun) {
      return { status: 'active', profile: changes, rocketChat: undefined };
    }
    const refreshed =
      changes.fields.length > 0
        ? ((await this.identities.refresh(user.id, profile)) ?? user)
        : user;
    if (!user.active) {
      // Disabled in the bridge: its account stays as it is, whatever the directory says.
      return { status: 'active', profile: changes, rocketChat: undefined };
    }
    const back = await this.standing.reinstate(user.id);
    const groups = await this.standing.applyGroups(refreshed, back.rcUserId);
    return {
      status: 'active',
      profile: changes,
      rocketChat:
        back.account === 'not-linked' ? undefined : { ...back, groups },
    };
  }

  private async deprovision(
    user: BridgeUser,
    status: 'gone' | 'disabled' | 'not-in-group',
    dryRun: boolean,
  ): Promise<Pick<RecheckReport, 'status' | 'sessionsEnded' | 'rocketChat'>> {
    const mode = this.config.enabled
      ? this.config.policy.deprovision
      : 'logout';
    if (dryRun) {
      return {
        status,
        sessionsEnded: 0,
        rocketChat: {
          account: mode === 'deactivate' ? 'deactivated' : 'kept',
        },
      };
    }
    const sessionsEnded = await this.sessions.destroyAllForUser(
      user.id,
      'deprovisioned',
    );
    const rocketChat = await this.standing.deprovision(user.id, mode);
    const changed =
      sessionsEnded > 0 ||
      rocketChat.account === 'deactivated' ||
      (rocketChat.groups?.withdrawn.length ?? 0) > 0;
    if (changed) {
      this.logger.log(
        `Directory person ${user.username} (${user.id}) is ${status}: ${sessionsEnded} session(s) ended, Rocket.Chat account ${rocketChat.account}`,
      );
      void this.audit.record({
        kind: 'account.deprovisioned',
        userId: user.id,
        username: user.username,
        reason: status,
        sessionsEnded,
        rocketChat: rocketChat.account,
      });
    }
    return { status, sessionsEnded, rocketChat };
  }
}

function describe(error: unknown): string {
  if (
    error instanceof LdapUnavailableError ||
    error instanceof LdapConfigurationError
  ) {
    return error.message;
  }
  throw error;
}
