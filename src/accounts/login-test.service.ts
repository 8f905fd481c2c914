import { Injectable } from '@nestjs/common';
import {
  InjectConfig,
  type GroupMappingConfig,
  type LdapConfig,
  type PasswordSource,
} from '../config/index.js';
import {
  LDAP_SOURCE,
  LdapAuthenticator,
  LdapConfigurationError,
  LdapUnavailableError,
  sourceOf,
  type AuthenticatedPerson,
} from '../identity/index.js';
import {
  evaluateGroupMappings,
  type GroupEvaluation,
} from '../rocketchat/index.js';
import {
  LOCAL_SOURCE,
  parseUsername,
  PasswordHasher,
  UserIdentitiesRepository,
  UsersRepository,
} from '../users/index.js';

export interface SourceVerdict {
  readonly source: PasswordSource;
  /** `refused` carries the reason (an administrator's tool may say it; the form never does). */
  readonly verdict: 'accepted' | 'refused' | 'unavailable' | 'misconfigured';
  readonly reason?: string;
  /** The directory entry found, and the server that checked the password. */
  readonly dn?: string;
  readonly server?: string;
}

/** Which bridge user a sign-in would give. */
export interface BridgeUserOutcome {
  readonly status:
    'existing' | 'would-be-created' | 'would-be-linked' | 'refused';
  readonly username: string;
  readonly id?: string;
  readonly reason?: string;
}

export interface LoginTestReport {
  readonly username: string;
  readonly order: readonly PasswordSource[];
  readonly sources: readonly SourceVerdict[];
  readonly answeredBy: PasswordSource | undefined;
  readonly bridgeUser: BridgeUserOutcome | undefined;
  readonly groups: readonly string[];
  readonly mappings: GroupEvaluation | undefined;
}

/**
 * `rc-bridge users test-login`: one person's name and password through the login form's sources,
 * in their order, as the form would try them, but without a session, a new or changed bridge user
 * (not even the last-login time), lockout counting or Rocket.Chat: which source answered, who the
 * person would be, their groups and the mappings those give. A directory still counts a wrong
 * password against its own lockout policy.
 */
@Injectable()
export class LoginTest {
  private readonly order: readonly PasswordSource[];

  constructor(
    @InjectConfig('ldap') private readonly ldapConfig: LdapConfig,
    @InjectConfig('groupMapping') private readonly mappings: GroupMappingConfig,
    private readonly users: UsersRepository,
    private readonly identities: UserIdentitiesRepository,
    private readonly hasher: PasswordHasher,
    private readonly ldap: LdapAuthenticator,
  ) {
    this.order = ldapConfig.enabled
      ? ldapConfig.policy.passwordSources
      : ['local'];
  }

  async run(username: string, password: string): Promise<LoginTestReport> {
    const sources: SourceVerdict[] = [];
    for (const source of this.order) {
      const tried =
        source === 'local'
          ? await this.local(username, password)
          : await this.directory(username, password);
      sources.push(tried.verdict);
      if (tried.verdict.verdict === 'accepted') {
        const groups = tried.groups;
        return {
          username,
          order: this.order,
          sources,
          answeredBy: source,
          bridgeUser: tried.bridgeUser,
          groups,
          mappings: evaluateGroupMappings(
            this.mappings,
            groups,
            tried.mappingSource,
          ),
        };
      }
    }
    return {
      username,
      order: this.order,
      sources,
      answeredBy: undefined,
      bridgeUser: undefined,
      groups: [],
      mappings: undefined,
    };
  }

  private async local(username: string, password: string): Promise<Tried> {
    const record = await this.users.findForLogin(username);
    const check = await this.hasher.verify(record?.passwordHash, password);
    const refused = (reason: string): Tried => ({
      verdict: { source: 'local', verdict: 'refused', reason },
      groups: [],
      mappingSource: LOCAL_SOURCE,
    });
    if (!record) {
      return refused('no bridge user has this name');
    }
    const { user } = record;
    if (user.source === LDAP_SOURCE.kind) {
      return refused('tied to the directory: only its password counts');
    }
    if (!record.passwordHash) {
      return refused('the user has no password');
    }
    if (!check.ok) {
      return refused('wrong password');
    }
    if (!user.active) {
      return refused('the user is disabled');
    }
    return {
      verdict: { source: 'local', verdict: 'accepted' },
      bridgeUser: { status: 'existing', username: user.username, id: user.id },
      groups: user.groups,
      mappingSource: user.source,
    };
  }

  private async directory(username: string, password: string): Promise<Tried> {
    const failed = (verdict: SourceVerdict): Tried => ({
      verdict,
      groups: [],
      mappingSource: LDAP_SOURCE.kind,
    });
    if (!this.ldapConfig.enabled) {
      return failed({
        source: 'ldap',
        verdict: 'misconfigured',
        reason: 'LDAP_URL is not set',
      });
    }
    let result;
    try {
      result = await this.ldap.login(username, password);
    } catch (error) {
      if (
        error instanceof LdapUnavailableError ||
        error instanceof LdapConfigurationError
      ) {
        return failed({
          source: 'ldap',
          verdict:
            error instanceof LdapUnavailableError
              ? 'unavailable'
              : 'misconfigured',
          reason: error.message,
        });
      }
      throw error;
    }
    if (!result.ok) {
      return failed({
        source: 'ldap',
        verdict: 'refused',
        reason: result.refusal,
        dn: result.dn,
      });
    }
    return {
      verdict: {
        source: 'ldap',
        verdict: 'accepted',
        dn: result.dn,
        server: result.server,
      },
      bridgeUser: await this.bridgeUserFor(result.person),
      groups: result.person.groups,
      mappingSource: LDAP_SOURCE.kind,
    };
  }

  /** What PersonSignIn would do with the person, without doing it. */
  private async bridgeUserFor(
    person: AuthenticatedPerson,
  ): Promise<BridgeUserOutcome> {
    const known = await this.identities.findByExternal(
      sourceOf(person),
      person.externalId,
    );
    if (known) {
      return known.active
        ? { status: 'existing', username: known.username, id: known.id }
        : {
            status: 'refused',
            username: known.username,
            id: known.id,
            reason: 'the bridge user is disabled',
          };
    }
    if (!parseUsername(person.username).ok) {
      return {
        status: 'refused',
        username: person.username,
        reason: "the directory's user name is not a valid bridge user name",
      };
    }
    const byName = await this.users.findByUsername(person.username);
    if (!byName) {
      return { status: 'would-be-created', username: person.username };
    }
    if (
      this.ldapConfig.enabled &&
      this.ldapConfig.policy.linkByUsername &&
      byName.externalId === undefined
    ) {
      return {
        status: 'would-be-linked',
        username: byName.username,
        id: byName.id,
      };
    }
    return {
      status: 'refused',
      username: byName.username,
      id: byName.id,
      reason:
        'another bridge user has this name (LDAP_LINK_BY_USERNAME=true would link them)',
    };
  }
}

interface Tried {
  readonly verdict: SourceVerdict;
  readonly bridgeUser?: BridgeUserOutcome;
  readonly groups: readonly string[];
  readonly mappingSource: string;
}
